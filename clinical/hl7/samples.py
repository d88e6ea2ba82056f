"""Synthetic ORU^R01 vitals messages in three vendor styles, for tests and demos.

Every patient is "DEMO^PATIENT"; device ids are made up. The styles follow
the shapes of published device messages, not their content:

* ``PCD01_MDC``: IHE PCD-01 with an MDS/VMD/channel OBX-4 tree, MDC codes and
  MDC dimension units, status F, blood pressure timed by its channel row.
* ``MDC_UCUM``: MDC codes with UCUM units and vendor variants (cuff pressure,
  oximeter pulse beside ECG heart rate, impedance and capnography respiratory
  rate), status R, EtCO2 in kPa, metric code as the last OBX-4 level.
* ``LOINC_ENGINE``: an interface engine's LOINC-coded message, two OBR
  groups, no OBX-14 (OBR-7 holds the time, local, without UTC offset),
  EtCO2 as an SN value.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_HALF_EVEN, Decimal

from clinical.errors import ClinicalError
from clinical.hl7.units import MMHG_PER_KPA

_PCD_PROFILE = "IHE_PCD_001^IHE PCD^1.3.6.1.4.1.19376.1.6.1.1.1^ISO"
_MONITORING = "182777000^monitoring of patient^SCT"
_MMHG_MDC = "266016^MDC_DIM_MMHG^MDC"
_RESERVED = frozenset("|^~\\&\r\n")


class SampleStyle(enum.Enum):
    """Vendor styles the generator can write."""

    PCD01_MDC = "pcd01_mdc"
    MDC_UCUM = "mdc_ucum"
    LOINC_ENGINE = "loinc_engine"


@dataclass(frozen=True)
class SampleVitals:
    """Values written into a sample message (pressures in mmHg)."""

    systolic_mmhg: Decimal = Decimal("128")
    diastolic_mmhg: Decimal = Decimal("82")
    mean_mmhg: Decimal = Decimal("97")
    heart_rate_per_min: Decimal = Decimal("76")
    pulse_rate_per_min: Decimal | None = None  # MDC_UCUM only; defaults to heart rate
    spo2_pct: Decimal = Decimal("97")
    resp_rate_per_min: Decimal = Decimal("14")
    etco2_mmhg: Decimal | None = Decimal("38")


def etco2_kpa(etco2_mmhg: Decimal) -> Decimal:
    """Return EtCO2 in kPa to 0.01, as the MDC_UCUM style writes it."""
    return (etco2_mmhg / MMHG_PER_KPA).quantize(Decimal("0.01"), rounding=ROUND_HALF_EVEN)


def _n(value: Decimal) -> str:
    return format(value, "f")


@dataclass(frozen=True)
class _Ctx:
    mrn: str
    chair: str
    control_id: str
    when: str  # MSH-7 / OBR-7 / OBX-14 text
    processing_id: str


def _msh(app: str, c: _Ctx, tail: str) -> str:
    return (
        f"MSH|^~\\&|{app}|DEMO_CLINIC|KETACARE|DEMO_CLINIC|{c.when}||ORU^R01^ORU_R01|"
        f"{c.control_id}|{c.processing_id}|{tail}"
    )


def _pcd01_mdc(c: _Ctx, v: SampleVitals) -> list[str]:
    mrn, chair, control_id, t = c.mrn, c.chair, c.control_id, c.when
    device = "0000000000000001^EUI-64"
    rows = [
        f"OBX|1||69965^MDC_DEV_MON_PHYSIO_MULTI_PARAM_MDS^MDC|1.0.0.0|||||||X|||||||{device}",
        "OBX|2||69854^MDC_DEV_METER_PRESS_BLD_VMD^MDC|1.1.0.0|||||||X",
        f"OBX|3||69855^MDC_DEV_METER_PRESS_BLD_CHAN^MDC|1.1.1.0|||||||X|||{t}",
        f"OBX|4|NM|150021^MDC_PRESS_BLD_NONINV_SYS^MDC|1.1.1.1|{_n(v.systolic_mmhg)}|{_MMHG_MDC}|||||F",
        f"OBX|5|NM|150022^MDC_PRESS_BLD_NONINV_DIA^MDC|1.1.1.2|{_n(v.diastolic_mmhg)}|{_MMHG_MDC}|||||F",
        f"OBX|6|NM|150023^MDC_PRESS_BLD_NONINV_MEAN^MDC|1.1.1.3|{_n(v.mean_mmhg)}|{_MMHG_MDC}|||||F",
        f"OBX|7|NM|147842^MDC_ECG_HEART_RATE^MDC|1.2.1.1|{_n(v.heart_rate_per_min)}|"
        f"264864^MDC_DIM_BEAT_PER_MIN^MDC|||||F|||{t}",
        f"OBX|8|NM|150456^MDC_PULS_OXIM_SAT_O2^MDC|1.3.1.1|{_n(v.spo2_pct)}|"
        f"262688^MDC_DIM_PERCENT^MDC|||||F|||{t}",
        f"OBX|9|NM|151562^MDC_RESP_RATE^MDC|1.4.1.1|{_n(v.resp_rate_per_min)}|"
        f"264928^MDC_DIM_RESP_PER_MIN^MDC|||||F|||{t}",
    ]
    if v.etco2_mmhg is not None:
        rows.append(
            f"OBX|10|NM|151708^MDC_CONC_AWAY_CO2_ET^MDC|1.4.1.2|{_n(v.etco2_mmhg)}|{_MMHG_MDC}|||||F|||{t}"
        )
    return [
        _msh(f"KETACARE_SIM^{device}", c, f"2.6|||AL|NE||UNICODE UTF-8|||{_PCD_PROFILE}"),
        f"PID|||{mrn}^^^KETACARE^MR||DEMO^PATIENT^^^^^L",
        f"PV1||O|INFUSION^^{chair}^KETACARE",
        f"OBR|1|{control_id}^KETACARE_SIM^{device}|{control_id}^KETACARE_SIM^{device}|{_MONITORING}|||{t}",
        *rows,
    ]


def _mdc_ucum(c: _Ctx, v: SampleVitals) -> list[str]:
    mrn, chair, control_id, t = c.mrn, c.chair, c.control_id, c.when
    device = "0000000000000002^EUI-64"
    pulse = v.pulse_rate_per_min if v.pulse_rate_per_min is not None else v.heart_rate_per_min
    mmhg, per_min = "mm[Hg]^mm[Hg]^UCUM", "{beats}/min^{beats}/min^UCUM"
    breaths = "{breaths}/min^{breaths}/min^UCUM"
    rows = [
        f"OBX|1|NM|150456^MDC_PULS_OXIM_SAT_O2^MDC|1.3.1.150456|{_n(v.spo2_pct)}|%^%^UCUM|||||R|||{t}||||{device}",
        f"OBX|2|NM|149530^MDC_PULS_OXIM_PULS_RATE^MDC|1.3.1.149530|{_n(pulse)}|{per_min}|||||R|||{t}",
        f"OBX|3|NM|151578^MDC_TTHOR_RESP_RATE^MDC|1.7.1.151578|{_n(v.resp_rate_per_min)}|{breaths}|||||R|||{t}",
        f"OBX|4|NM|147842^MDC_ECG_HEART_RATE^MDC|1.7.4.147842|{_n(v.heart_rate_per_min)}|/min^/min^UCUM|||||R|||{t}",
        f"OBX|5|NM|150301^MDC_PRESS_CUFF_SYS^MDC|1.1.9.150301|{_n(v.systolic_mmhg)}|{mmhg}|||||R|||{t}|||^APERIODIC",
        f"OBX|6|NM|150302^MDC_PRESS_CUFF_DIA^MDC|1.1.9.150302|{_n(v.diastolic_mmhg)}|{mmhg}|||||R|||{t}|||^APERIODIC",
        f"OBX|7|NM|150303^MDC_PRESS_CUFF_MEAN^MDC|1.1.9.150303|{_n(v.mean_mmhg)}|{mmhg}|||||R|||{t}|||^APERIODIC",
    ]
    if v.etco2_mmhg is not None:
        rows += [
            f"OBX|8|NM|151708^MDC_CONC_AWAY_CO2_ET^MDC|1.5.1.151708|{_n(etco2_kpa(v.etco2_mmhg))}|kPa^kPa^UCUM|||||R|||{t}",
            f"OBX|9|NM|151594^MDC_CO2_RESP_RATE^MDC|1.5.1.151594|{_n(v.resp_rate_per_min)}|{breaths}|||||R|||{t}",
        ]
    return [
        _msh(f"KETACARE_SIM_B^{device}", c, f"2.6|||AL|NE||UNICODE UTF-8|||{_PCD_PROFILE}"),
        f"PID|||{mrn}^^^KETACARE^MR||DEMO^PATIENT^^^^^L",
        f"PV1||O|INFUSION^^{chair}",
        f"OBR|1|{control_id}^KETACARE_SIM_B^{device}|{control_id}^KETACARE_SIM_B^{device}|{_MONITORING}|||{t}",
        *rows,
    ]


def _loinc_engine(c: _Ctx, v: SampleVitals) -> list[str]:
    mrn, chair, control_id, t = c.mrn, c.chair, c.control_id, c.when
    mmhg, per_min = "mm[Hg]^mm[Hg]^UCUM", "/min^/min^UCUM"
    rows = [
        f"OBR|1||{control_id}-1^IFENGINE|85354-9^Blood pressure panel^LN|||{t}",
        f"OBX|1|NM|8480-6^Systolic blood pressure^LN||{_n(v.systolic_mmhg)}|{mmhg}|||||F",
        f"OBX|2|NM|8462-4^Diastolic blood pressure^LN||{_n(v.diastolic_mmhg)}|{mmhg}|||||F",
        f"OBX|3|NM|8478-0^Mean blood pressure^LN||{_n(v.mean_mmhg)}|{mmhg}|||||F",
        f"OBR|2||{control_id}-2^IFENGINE|85353-1^Vital signs panel^LN|||{t}",
        f"OBX|1|NM|8867-4^Heart rate^LN||{_n(v.heart_rate_per_min)}|{per_min}|||||F",
        f"OBX|2|NM|59408-5^SpO2 by pulse oximetry^LN||{_n(v.spo2_pct)}|%^%^UCUM|||||F",
        f"OBX|3|NM|9279-1^Respiratory rate^LN||{_n(v.resp_rate_per_min)}|{per_min}|||||F",
    ]
    if v.etco2_mmhg is not None:
        rows.append(f"OBX|4|SN|19891-1^End tidal CO2^LN||^{_n(v.etco2_mmhg)}|{mmhg}|||||F")
    return [
        _msh("IFENGINE", c, "2.5.1"),
        f"PID|1||{mrn}^^^KETACARE^MR~ENC{control_id}^^^KETACARE^VN||DEMO^PATIENT",
        f"PV1|1|O|INFUSION^CHAIRS^{chair}^KETACARE",
        *rows,
    ]


_BUILDERS = {
    SampleStyle.PCD01_MDC: _pcd01_mdc,
    SampleStyle.MDC_UCUM: _mdc_ucum,
    SampleStyle.LOINC_ENGINE: _loinc_engine,
}


def sample_oru(
    style: SampleStyle,
    *,
    mrn: str,
    chair: str,
    control_id: str,
    observed_at: datetime,
    vitals: SampleVitals | None = None,
    processing_id: str = "P",
) -> str:
    """Return a synthetic ORU^R01, segments ended by CR.

    PCD-01 styles write ``observed_at`` with its UTC offset; the LOINC style
    writes its wall-clock time without an offset (parse it with ``default_tz``
    equal to ``observed_at.tzinfo``).
    """
    if observed_at.utcoffset() is None:
        raise ClinicalError("observed_at must be an aware datetime")
    for text in (mrn, chair, control_id, processing_id):
        if not text or _RESERVED & set(text):
            raise ClinicalError("sample identifiers must be non-empty plain text")
    local = style is SampleStyle.LOINC_ENGINE
    when = observed_at.strftime("%Y%m%d%H%M%S" if local else "%Y%m%d%H%M%S%z")
    ctx = _Ctx(mrn, chair, control_id, when, processing_id)
    return "\r".join(_BUILDERS[style](ctx, vitals or SampleVitals())) + "\r"
