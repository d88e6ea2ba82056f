"""Forms of the measures app (the item radio groups are built in questionnaire.py)."""

import zoneinfo
from datetime import datetime
from typing import Any

from django import forms

from clinical.assessment_schedule import Anchor

from .choices import Channel


def point_choices(points: Any, instrument: str, n_infusions: int) -> list[tuple[str, str]]:
    """Choices "key:occurrence" for the course points that list the instrument."""
    choices = [("", "Not tied to an assessment point")]
    for p in points:
        if instrument not in p.instruments:
            continue
        if p.anchor is Anchor.EACH_INFUSION:
            choices += [(f"{p.key}:{n}", f"{p.label} (infusion {n})") for n in range(1, n_infusions + 1)]
        else:
            choices.append((f"{p.key}:0", p.label))
    return choices


def split_point(value: str) -> tuple[str, int]:
    key, _, occurrence = (value or "").partition(":")
    return key, int(occurrence) if occurrence.isdigit() else 0


class EntryForm(forms.Form):
    """When and for which point a staff-entered questionnaire was taken."""

    assessed_at = forms.DateTimeField(label="Taken at", widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
                                      input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
                                      help_text="In the clinic's time zone.")
    point = forms.ChoiceField(label="Assessment point", required=False)
    quick = forms.CharField(label="Or type the answers", required=False, max_length=200,
                            help_text="Item values in order, separated by commas; leave a gap for a missing item "
                                      "(e.g. 1,2,,3). Use either this or the buttons, not both.")

    def __init__(self, *args: Any, choices: list[tuple[str, str]], tz: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["point"].choices = choices
        self.tz = zoneinfo.ZoneInfo(tz)

    def clean_assessed_at(self) -> datetime:
        value: datetime = self.cleaned_data["assessed_at"]
        # The browser sends local wall time; read it in the clinic's zone, not the server's.
        return value.replace(tzinfo=None).replace(tzinfo=self.tz)


class LinkForm(forms.Form):
    point = forms.ChoiceField(label="Assessment point", required=False)
    channels = forms.MultipleChoiceField(label="Send by", required=False, choices=Channel.choices,
                                         widget=forms.CheckboxSelectMultiple,
                                         help_text="Leave both unticked to copy the link yourself.")

    def __init__(self, *args: Any, choices: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["point"].choices = choices
