"""`ketacare hl7-sample`: print synthetic ORU^R01 vitals messages, MLLP-framed for `mllp_send --file`.

    ketacare hl7-sample --mrn DEMO-0001 > msg.hl7
    mllp_send --port 2575 --file msg.hl7 127.0.0.1
"""

import sys
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from clinical.hl7 import frame
from clinical.hl7.samples import SampleStyle, SampleVitals, sample_oru
from infusions.choices import IN_PROGRESS
from infusions.management.clinic_option import clinic_from
from infusions.models import InfusionSession
from interop.policy import hl7_time_zone


class Command(BaseCommand):
    help = "Print synthetic bedside-monitor messages (ORU^R01, IHE PCD-01) for a patient's session in progress."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--mrn", required=True, help="Patient MRN written in PID-3.")
        parser.add_argument("--chair", help="Chair written in PV1-3 (default: the chair of the session in progress).")
        parser.add_argument("--clinic", help="Clinic slug, for its time zone and chairs (default: the only clinic).")
        parser.add_argument("--style", choices=[s.value for s in SampleStyle], default=SampleStyle.PCD01_MDC.value,
                            help="Vendor style (default pcd01_mdc).")
        parser.add_argument("--count", type=int, default=1, help="Number of messages, the last one timed now.")
        parser.add_argument("--every", type=int, default=5, help="Minutes between the messages (default 5).")
        parser.add_argument("--control-id", default="", help="MSH-10 prefix (default SAMPLE + the time).")
        parser.add_argument("--systolic", default="128")
        parser.add_argument("--diastolic", default="82")
        parser.add_argument("--heart-rate", default="76")
        parser.add_argument("--spo2", default="97")
        parser.add_argument("--resp-rate", default="14")
        parser.add_argument("--plain", action="store_true", help="Write segments on lines instead of MLLP frames.")

    def handle(self, *args: Any, **options: Any) -> None:
        now = datetime.now(UTC).replace(microsecond=0)
        clinic = clinic_from(options["clinic"])
        now = now.astimezone(hl7_time_zone(clinic))  # the LOINC style writes local time without an offset
        chair = options["chair"] or self._chair(clinic, options["mrn"])
        prefix = options["control_id"] or f"SAMPLE{now:%Y%m%d%H%M%S}"
        vitals = SampleVitals(systolic_mmhg=Decimal(options["systolic"]), diastolic_mmhg=Decimal(options["diastolic"]),
                              heart_rate_per_min=Decimal(options["heart_rate"]), spo2_pct=Decimal(options["spo2"]),
                              resp_rate_per_min=Decimal(options["resp_rate"]))
        out = sys.stdout.buffer
        count = max(1, options["count"])
        for i in range(count):
            at = now - timedelta(minutes=options["every"] * (count - 1 - i))
            text = sample_oru(SampleStyle(options["style"]), mrn=options["mrn"], chair=chair, control_id=f"{prefix}-{i + 1}",
                              observed_at=at, vitals=vitals)
            out.write(text.replace("\r", "\n").encode() + b"\n" if options["plain"] else frame(text))
        out.flush()

    def _chair(self, clinic: Any, mrn: str) -> str:
        session = (InfusionSession.objects.in_clinic(clinic).filter(patient__mrn=mrn, state__in=IN_PROGRESS)
                   .select_related("chair").first())
        return session.chair.name if session else "Chair 1"
