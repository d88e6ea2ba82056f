"""Template helpers of the measures app."""

from typing import Any

from django import template

from measures.choices import short_name

register = template.Library()


@register.filter
def instrument_short(instrument_id: str) -> str:
    """PCL-5 for pcl5."""
    return short_name(instrument_id)


@register.filter
def band_badge(result: Any) -> str:
    """The css badge class for a scored result: bad with a risk flag, warn when incomplete."""
    if not isinstance(result, dict):
        return ""
    if "suicide_risk" in (result.get("flags") or []):
        return "bad"
    return "warn" if not result.get("complete") else "info"
