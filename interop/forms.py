"""Forms of the interop pages: assigning a held monitor message, importing instrument wording."""

from typing import Any

from django import forms


class AssignForm(forms.Form):
    session = forms.ChoiceField(label="Session in progress")

    def __init__(self, *args: Any, sessions: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["session"].choices = [("", "—")] + [
            (str(s.pk), f"{s.chair} · {s.patient.full_name} ({s.patient.mrn})") for s in sessions]


class WordingForm(forms.Form):
    file = forms.FileField(label="FHIR Questionnaire (JSON)")
    instrument = forms.ChoiceField(label="Instrument", required=False)

    def __init__(self, *args: Any, instruments: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["instrument"].choices = [("", "Tell from the file"), *instruments]
