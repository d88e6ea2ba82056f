"""Forms of the alerts app."""

from django import forms


class AckForm(forms.Form):
    action_note = forms.CharField(label="Action taken", max_length=4000, widget=forms.TextInput())
