"""`{{ code|words }}`: a stored code as the words a person reads (issue 10: no raw code reaches a page)."""

import re
from functools import cache

from django import template
from django.apps import apps

from clinical.instruments import INSTRUMENTS

register = template.Library()


@cache
def _labels() -> dict[str, str]:
    """Every vocabulary value of every model field with its label (the first model's label wins)."""
    found: dict[str, str] = {}
    for model in apps.get_models():
        for field in model._meta.get_fields():
            for value, label in getattr(field, "choices", None) or []:
                if isinstance(value, str) and value:
                    found.setdefault(value, str(label))
    return found


def _part(part: str) -> str:
    """An instrument id as its short name (the bracketed part of its name: 'PCL-5'), any other part as it is."""
    instrument = INSTRUMENTS.get(part)
    if instrument is None:
        return part
    short = re.search(r"\(([^)]+)\)", instrument.name)
    return short.group(1) if short else instrument.name


@register.filter
def words(code: object) -> str:
    """The label of a vocabulary value, else the code spelt as words: 'verify_dose' -> 'Verify dose'.

    Parts naming an instrument read as its short name ('baseline_0_pcl5' -> 'Baseline PCL-5'); a bare 0 is dropped.
    """
    text = "" if code is None else str(code)
    if text in _labels():
        return _labels()[text]
    parts = [_part(p) for p in text.split("_") if p and p != "0"]
    spelt = " ".join(parts)
    return spelt[:1].upper() + spelt[1:]


@register.filter
def words_each(codes: object) -> str:
    """A list of codes as words, joined with commas."""
    return ", ".join(words(c) for c in (codes if isinstance(codes, list | tuple) else []))
