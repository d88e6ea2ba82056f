"""Plan a dose as if overridden, only to show which protocol limits a prescriber would be overriding (CLINICAL.md section 2)."""

from __future__ import annotations

from dataclasses import replace

from clinical.dosing import DoseInputs, DoseLimits, DosePlan, plan_dose

# Stands in for a reason only inside preview_dose; never stored or shown as one.
_PREVIEW = "preview: not an override"


def preview_dose(inputs: DoseInputs, limits: DoseLimits) -> DosePlan:
    """Plan a dose even above the limits, so the limits passed can be shown; never give it as an order.

    The plan's ``exceeded_limits`` lists what a prescriber would override
    (CLINICAL.md section 2); ``overridden`` and ``override_reason`` are
    cleared so the preview cannot pass for an overridden order.
    """
    plan = plan_dose(inputs, limits, override_reason=_PREVIEW)
    notes = tuple(n for n in plan.notes if "override reason was given" not in n)
    return replace(plan, overridden=False, override_reason=None, notes=notes)
