"""Evaluate chairside vital signs against the clinic's thresholds and schedule.

Rules from CLINICAL.md section 3 (all thresholds and intervals Policy):
do not start if SBP >= 160 or DBP >= 100; pause if SBP >= 180 or DBP >= 110;
SpO2 < 92 % warn, < 90 % stop; HR > 120 warn; RR < 10 warn; BP every 10 min
during the infusion and every 15 min after; an overdue reading is an alert.

Which rule applies in which phase (decided here):

| rule | pre-start | infusing | recovering |
|---|---|---|---|
| sbp/dbp_do_not_start | do_not_start | - | - |
| sbp/dbp_pause | (do_not_start covers it) | pause | warn |
| spo2_stop | do_not_start | stop | warn |
| spo2_warn, hr_warn, rr_warn | warn | warn | warn |

After the infusion there is nothing to pause or stop, so those rules still
fire, keeping their rule id, as warnings that ask for assessment. Only the
most severe finding per measure is returned (SpO2 85 % gives spo2_stop, not
also spo2_warn). EtCO2 is validated but has no threshold in CLINICAL.md.

Thresholds are applied to the value as measured (SpO2 89.95 % is below 90 %,
RR 9.5 /min below 10, HR 120.4 /min above 120); rounding to the chart's
resolution (``charted_reading``: whole numbers for BP, HR and RR, 0.1 for SpO2
and EtCO2, half up, once) is for storing and showing, never for judging.

``evaluate_signs`` is what raises alerts: one finding per vital sign (blood
pressure, SpO2, heart rate, respiratory rate), at the worst level any of its
breaches reaches, naming every breach, so one reading asks for one
acknowledgement per sign. ``RULE_LABELS`` gives each rule id in words.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, ROUND_UP, Decimal
from enum import Enum

from clinical.errors import ClinicalError
from clinical.instants import utc, utc_or_none

Measure = Decimal | int


class Phase(Enum):
    """Where the session is, for choosing rules and the monitoring interval."""

    PRE_START = "pre_start"
    INFUSING = "infusing"
    RECOVERING = "recovering"


class AlertLevel(Enum):
    """What a finding asks of the chairside team."""

    DO_NOT_START = "do_not_start"
    PAUSE = "pause"
    STOP = "stop"
    WARN = "warn"


class RuleId(Enum):
    """The rule that fired; stored with every alert."""

    SBP_DO_NOT_START = "sbp_do_not_start"
    DBP_DO_NOT_START = "dbp_do_not_start"
    SBP_PAUSE = "sbp_pause"
    DBP_PAUSE = "dbp_pause"
    SPO2_WARN = "spo2_warn"
    SPO2_STOP = "spo2_stop"
    HR_WARN = "hr_warn"
    RR_WARN = "rr_warn"
    BP_OVERDUE = "bp_overdue"


def _require_measure(name: str, value: object) -> Measure:
    if isinstance(value, bool) or not isinstance(value, Decimal | int):
        raise ClinicalError(f"{name} must be a whole number or a Decimal, not {type(value).__name__}.")
    if isinstance(value, Decimal) and not value.is_finite():
        raise ClinicalError(f"{name} must be a number, not {value}.")
    return value


@dataclass(frozen=True, kw_only=True)
class Thresholds:
    """Alert thresholds (Policy, defaults from CLINICAL.md section 3); each is editable per clinic."""

    sbp_do_not_start_mmhg: Measure = 160  # do not start at or above
    dbp_do_not_start_mmhg: Measure = 100  # do not start at or above
    sbp_pause_mmhg: Measure = 180  # pause at or above
    dbp_pause_mmhg: Measure = 110  # pause at or above
    spo2_warn_below_pct: Measure = 92  # warn below
    spo2_stop_below_pct: Measure = 90  # stop below
    hr_warn_above_bpm: Measure = 120  # warn above
    rr_warn_below_per_min: Measure = 10  # warn below

    def __post_init__(self) -> None:
        for item in fields(self):
            _require_measure(item.name, getattr(self, item.name))
        if self.sbp_pause_mmhg < self.sbp_do_not_start_mmhg or self.dbp_pause_mmhg < self.dbp_do_not_start_mmhg:
            raise ClinicalError("A pause threshold cannot be below the matching do-not-start threshold.")
        if self.spo2_stop_below_pct > self.spo2_warn_below_pct:
            raise ClinicalError("The SpO2 stop threshold cannot be above the SpO2 warning threshold.")


# Physiologically possible ranges, inclusive; outside them a value is an entry or sensor error.
PLAUSIBLE_RANGES: dict[str, tuple[int, int, str]] = {
    "systolic_mmhg": (40, 300, "mmHg"),
    "diastolic_mmhg": (20, 200, "mmHg"),
    "heart_rate_bpm": (20, 250, "/min"),
    "spo2_pct": (50, 100, "%"),
    "resp_rate_per_min": (0, 60, "/min"),
    "etco2_mmhg": (0, 100, "mmHg"),
}


@dataclass(frozen=True, kw_only=True)
class Reading:
    """One set of vital signs (CLINICAL.md section 3); any value may be missing."""

    systolic_mmhg: Measure | None = None
    diastolic_mmhg: Measure | None = None
    heart_rate_bpm: Measure | None = None
    spo2_pct: Measure | None = None
    resp_rate_per_min: Measure | None = None
    etco2_mmhg: Measure | None = None

    def __post_init__(self) -> None:
        validate_reading(self)


def validate_reading(reading: Reading) -> None:
    """Refuse a reading with no values or with physiologically impossible ones (PLAUSIBLE_RANGES)."""
    present = {name: getattr(reading, name) for name in PLAUSIBLE_RANGES if getattr(reading, name) is not None}
    if not present:
        raise ClinicalError("A reading needs at least one value.")
    for name, value in present.items():
        low, high, unit = PLAUSIBLE_RANGES[name]
        if not low <= _require_measure(name, value) <= high:
            raise ClinicalError(f"{name} {value} {unit} is impossible: expected {low} to {high} {unit}.")
    sbp, dbp = reading.systolic_mmhg, reading.diastolic_mmhg
    if sbp is not None and dbp is not None and dbp >= sbp:
        raise ClinicalError(f"Diastolic {dbp} mmHg must be below systolic {sbp} mmHg.")


RULE_LABELS: dict[str, str] = {
    RuleId.SBP_DO_NOT_START.value: "Systolic BP too high to start",
    RuleId.DBP_DO_NOT_START.value: "Diastolic BP too high to start",
    RuleId.SBP_PAUSE.value: "Systolic BP at the pause level",
    RuleId.DBP_PAUSE.value: "Diastolic BP at the pause level",
    RuleId.SPO2_WARN.value: "Low SpO2",
    RuleId.SPO2_STOP.value: "SpO2 at the stop level",
    RuleId.HR_WARN.value: "High heart rate",
    RuleId.RR_WARN.value: "Low respiratory rate",
    RuleId.BP_OVERDUE.value: "Blood-pressure reading overdue",
    # Rules raised outside this module, so that every alert reads in words.
    "phq9_item9": "PHQ-9 item 9 (thoughts of death or self-harm)",
    "cssrs_risk_level": "C-SSRS screener risk level",
    "serious_adverse_event": "Serious adverse event",
    "ledger_count_differs": "Count differs from the ledger",
}

# Which sign each rule belongs to; one reading raises at most one alert per sign.
SIGN_OF: dict[RuleId, str] = {
    RuleId.SBP_DO_NOT_START: "Blood pressure", RuleId.DBP_DO_NOT_START: "Blood pressure",
    RuleId.SBP_PAUSE: "Blood pressure", RuleId.DBP_PAUSE: "Blood pressure",
    RuleId.SPO2_WARN: "SpO2", RuleId.SPO2_STOP: "SpO2",
    RuleId.HR_WARN: "Heart rate", RuleId.RR_WARN: "Respiratory rate", RuleId.BP_OVERDUE: "Blood pressure",
}

# Most severe first.
LEVEL_ORDER: tuple[AlertLevel, ...] = (AlertLevel.STOP, AlertLevel.PAUSE, AlertLevel.DO_NOT_START, AlertLevel.WARN)

# The resolution each measure is charted at (rounded half up, once, for storing and showing).
CHART_QUANTUM: dict[str, Decimal] = {
    "systolic_mmhg": Decimal("1"), "diastolic_mmhg": Decimal("1"), "heart_rate_bpm": Decimal("1"),
    "resp_rate_per_min": Decimal("1"), "spo2_pct": Decimal("0.1"), "etco2_mmhg": Decimal("0.1"),
}


def rule_label(rule: str) -> str:
    """Return a rule id in words (unknown ids: underscores as spaces, first letter capital)."""
    return RULE_LABELS.get(rule) or rule.replace("_", " ").strip().capitalize()


def charted_reading(reading: Reading) -> Reading:
    """Return the reading rounded to the chart's resolution (CHART_QUANTUM, half up); never used for judging."""
    values: dict[str, Measure | None] = {}
    for name, quantum in CHART_QUANTUM.items():
        value = getattr(reading, name)
        if value is None or isinstance(value, int):
            values[name] = value
            continue
        rounded = value.quantize(quantum, rounding=ROUND_HALF_UP)
        values[name] = int(rounded) if quantum == 1 else rounded
    return Reading(**values)  # type: ignore[arg-type]


@dataclass(frozen=True)
class AlertFinding:
    """A rule that fired: what was measured, the threshold that fired, and what to do.

    ``breaches`` lists every breach of the sign in the reading, worst first
    (one line each), when the finding stands for several (``evaluate_signs``).
    """

    rule_id: RuleId
    level: AlertLevel
    value: Measure
    threshold: Measure
    unit: str
    message: str
    breaches: tuple[str, ...] = ()


def evaluate_reading(reading: Reading, thresholds: Thresholds, phase: Phase) -> list[AlertFinding]:
    """Return every alert a reading raises in this phase (CLINICAL.md section 3)."""
    validate_reading(reading)
    found = [
        _bp_finding("Systolic", reading.systolic_mmhg, thresholds.sbp_do_not_start_mmhg,
                    thresholds.sbp_pause_mmhg, phase, (RuleId.SBP_DO_NOT_START, RuleId.SBP_PAUSE)),
        _bp_finding("Diastolic", reading.diastolic_mmhg, thresholds.dbp_do_not_start_mmhg,
                    thresholds.dbp_pause_mmhg, phase, (RuleId.DBP_DO_NOT_START, RuleId.DBP_PAUSE)),
        _spo2_finding(reading.spo2_pct, thresholds, phase),
        _hr_finding(reading.heart_rate_bpm, thresholds),
        _rr_finding(reading.resp_rate_per_min, thresholds),
    ]
    return [finding for finding in found if finding is not None]


def _all_breaches(reading: Reading, thresholds: Thresholds, phase: Phase) -> list[AlertFinding]:
    """Every breach of the reading, including a lower level a worse one already covers (SpO2 warn under stop)."""
    found = evaluate_reading(reading, thresholds, phase)
    spo2 = reading.spo2_pct
    if spo2 is not None and spo2 < thresholds.spo2_stop_below_pct and thresholds.spo2_stop_below_pct < thresholds.spo2_warn_below_pct:
        found.append(AlertFinding(RuleId.SPO2_WARN, AlertLevel.WARN, spo2, thresholds.spo2_warn_below_pct, "%",
                                  f"SpO2 {spo2} % is below {thresholds.spo2_warn_below_pct} %."))
    return found


def evaluate_signs(reading: Reading, thresholds: Thresholds, phase: Phase) -> list[AlertFinding]:
    """Return one finding per vital sign that breaches a threshold: the worst level, naming every breach.

    The finding keeps the worst breach's rule, value and threshold (the one
    that fired the action); its message names the others, and ``breaches``
    lists them all, worst first. Signs come in a fixed order: blood pressure,
    SpO2, heart rate, respiratory rate.
    """
    by_sign: dict[str, list[AlertFinding]] = {}
    for finding in _all_breaches(reading, thresholds, phase):
        by_sign.setdefault(SIGN_OF[finding.rule_id], []).append(finding)
    combined = []
    for sign in ("Blood pressure", "SpO2", "Heart rate", "Respiratory rate"):
        group = sorted(by_sign.get(sign, []), key=lambda f: LEVEL_ORDER.index(f.level))
        if not group:
            continue
        worst, others = group[0], group[1:]
        message = worst.message
        if others:
            message += " Also: " + " ".join(f.message for f in others)
        combined.append(replace(worst, message=message, breaches=tuple(f.message for f in group)))
    return combined


def _bp_finding(
    label: str, value: Measure | None, do_not_start: Measure, pause: Measure, phase: Phase,
    rules: tuple[RuleId, RuleId],
) -> AlertFinding | None:
    """Blood pressure: do not start at or above, pause at or above (CLINICAL.md section 3)."""
    if value is None:
        return None
    if phase is Phase.PRE_START:
        if value < do_not_start:
            return None
        return AlertFinding(rules[0], AlertLevel.DO_NOT_START, value, do_not_start, "mmHg",
                            f"{label} BP {value} mmHg is at or above {do_not_start} mmHg: do not start.")
    if value < pause:
        return None
    if phase is Phase.INFUSING:
        return AlertFinding(rules[1], AlertLevel.PAUSE, value, pause, "mmHg",
                            f"{label} BP {value} mmHg is at or above {pause} mmHg: pause the infusion.")
    return AlertFinding(rules[1], AlertLevel.WARN, value, pause, "mmHg",
                        f"{label} BP {value} mmHg is at or above {pause} mmHg after the infusion: "
                        "assess and treat.")


def _spo2_finding(value: Measure | None, t: Thresholds, phase: Phase) -> AlertFinding | None:
    """SpO2: below 92 % warn, below 90 % stop (CLINICAL.md section 3)."""
    if value is None:
        return None
    if value < t.spo2_stop_below_pct:
        level, action = {
            Phase.PRE_START: (AlertLevel.DO_NOT_START, "do not start"),
            Phase.INFUSING: (AlertLevel.STOP, "stop the infusion"),
            Phase.RECOVERING: (AlertLevel.WARN, "assess airway and breathing now"),
        }[phase]
        return AlertFinding(RuleId.SPO2_STOP, level, value, t.spo2_stop_below_pct, "%",
                            f"SpO2 {value} % is below {t.spo2_stop_below_pct} %: {action}.")
    if value < t.spo2_warn_below_pct:
        return AlertFinding(RuleId.SPO2_WARN, AlertLevel.WARN, value, t.spo2_warn_below_pct, "%",
                            f"SpO2 {value} % is below {t.spo2_warn_below_pct} %.")
    return None


def _hr_finding(value: Measure | None, t: Thresholds) -> AlertFinding | None:
    """Heart rate above 120 /min: warn (CLINICAL.md section 3)."""
    if value is None or value <= t.hr_warn_above_bpm:
        return None
    return AlertFinding(RuleId.HR_WARN, AlertLevel.WARN, value, t.hr_warn_above_bpm, "/min",
                        f"Heart rate {value} /min is above {t.hr_warn_above_bpm} /min.")


def _rr_finding(value: Measure | None, t: Thresholds) -> AlertFinding | None:
    """Respiratory rate below 10 /min: warn (CLINICAL.md section 3)."""
    if value is None or value >= t.rr_warn_below_per_min:
        return None
    return AlertFinding(RuleId.RR_WARN, AlertLevel.WARN, value, t.rr_warn_below_per_min, "/min",
                        f"Respiratory rate {value} /min is below {t.rr_warn_below_per_min} /min.")


@dataclass(frozen=True, kw_only=True)
class MonitoringSchedule:
    """How often BP is due (Policy, CLINICAL.md section 3: Riva-Posse et al. 2018)."""

    bp_every_min_infusing: int = 10
    bp_every_min_recovering: int = 15

    def __post_init__(self) -> None:
        for item in fields(self):
            value = getattr(self, item.name)
            if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
                raise ClinicalError(f"{item.name} must be a whole number of minutes above 0.")

    def interval_min(self, phase: Phase) -> int | None:
        """Return the BP interval for a phase, or None before the start (no schedule then)."""
        return {
            Phase.PRE_START: None,
            Phase.INFUSING: self.bp_every_min_infusing,
            Phase.RECOVERING: self.bp_every_min_recovering,
        }[phase]


def _require_aware(name: str, value: datetime) -> datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ClinicalError(f"{name} must be a timezone-aware datetime.")
    return value


def next_due_at(
    schedule: MonitoringSchedule, phase: Phase, phase_started_at: datetime, last_reading_at: datetime | None
) -> datetime | None:
    """Return when the next BP reading is due, or None before the start.

    The interval runs from the later of the phase start and the last BP
    reading: the clock restarts when a phase begins, so a reading taken before
    the infusion does not make the first infusing reading overdue at once.
    """
    phase_started_at = utc(phase_started_at, "phase_started_at")  # instants, never wall-clock arithmetic
    last_reading_at = utc_or_none(last_reading_at, "last_reading_at")
    interval = schedule.interval_min(phase)
    if interval is None:
        return None
    since = phase_started_at if last_reading_at is None else max(phase_started_at, last_reading_at)
    return since + timedelta(minutes=interval)


def evaluate_overdue(
    schedule: MonitoringSchedule, phase: Phase, phase_started_at: datetime,
    last_reading_at: datetime | None, now: datetime,
) -> AlertFinding | None:
    """Return an alert when the BP reading is overdue (CLINICAL.md section 3: overdue is itself an alert).

    Due exactly now is not overdue; any time past it is. The finding's value
    is the minutes elapsed, rounded up to 0.1 min, so it always exceeds the
    interval it is compared with.
    """
    now = utc(now, "now")  # instants, never wall-clock arithmetic (clinical.instants)
    phase_started_at = utc(phase_started_at, "phase_started_at")
    last_reading_at = utc_or_none(last_reading_at, "last_reading_at")
    due = next_due_at(schedule, phase, phase_started_at, last_reading_at)
    for name, moment in (("phase_started_at", phase_started_at), ("last_reading_at", last_reading_at)):
        if moment is not None and moment > now:
            raise ClinicalError(f"{name} ({moment.isoformat()}) is after now ({now.isoformat()}).")
    interval = schedule.interval_min(phase)
    if due is None or interval is None or now <= due:
        return None
    elapsed = _minutes(now - (due - timedelta(minutes=interval)))
    return AlertFinding(RuleId.BP_OVERDUE, AlertLevel.WARN, elapsed, interval, "min",
                        f"BP reading overdue: due every {interval} min, none for {elapsed} min.")


def _minutes(span: timedelta) -> Decimal:
    """Return a span in minutes, rounded up to 0.1 min."""
    microseconds = (span.days * 86_400 + span.seconds) * 1_000_000 + span.microseconds
    return (Decimal(microseconds) / Decimal(60_000_000)).quantize(Decimal("0.1"), rounding=ROUND_UP)
