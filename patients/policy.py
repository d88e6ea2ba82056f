"""Eligibility settings of a clinic (issue: eligibility screening; Policy defaults)."""

from accounts.policy import Setting
from clinical.eligibility import DEFAULT_ABSOLUTE, DEFAULT_RELATIVE, Contraindication, EligibilityPolicy

SETTINGS = [
    Setting("min_failed_trials", "Failed adequate trials needed", "int", 2, min=0, max=10, unit="trials",
            help="Treatment resistance: at least this many adequate trials without response."),
    Setting("absolute_contraindications", "Absolute contraindications", "list",
            [f"{c.code}: {c.label}" for c in DEFAULT_ABSOLUTE], help="One per line as 'code: label'. Any one makes a patient ineligible."),
    Setting("relative_contraindications", "Relative contraindications", "list",
            [f"{c.code}: {c.label}" for c in DEFAULT_RELATIVE], help="One per line as 'code: label'. Each needs the prescriber's written justification."),
]


def _parse(lines: list[str]) -> tuple[Contraindication, ...]:
    found = []
    for line in lines:
        code, _, label = line.partition(":")
        found.append(Contraindication(code.strip(), (label or code).strip()))
    return tuple(found)


def eligibility_policy(clinic: object) -> EligibilityPolicy:
    """Build the kernel policy from the clinic's settings."""
    from accounts.policy import policy_value

    return EligibilityPolicy(
        min_failed_trials=policy_value(clinic, "min_failed_trials"),
        absolute=_parse(policy_value(clinic, "absolute_contraindications")),
        relative=_parse(policy_value(clinic, "relative_contraindications")),
    )
