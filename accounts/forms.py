"""Forms of the accounts app."""

from django import forms

from .choices import Role


class SignInForm(forms.Form):
    username = forms.CharField(max_length=150, widget=forms.TextInput(attrs={"autocomplete": "username", "autofocus": True}))
    password = forms.CharField(max_length=200, widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}))


class StaffForm(forms.Form):
    username = forms.RegexField(regex=r"^[\w.@+-]{3,150}$", max_length=150,
                                error_messages={"invalid": "Use 3-150 letters, digits and . @ + - _ only."})
    first_name = forms.CharField(max_length=150, required=False)
    last_name = forms.CharField(max_length=150, required=False)
    email = forms.EmailField(required=False)
    role = forms.ChoiceField(choices=Role.choices)
    password = forms.CharField(min_length=10, max_length=200, widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))


class TokenForm(forms.Form):
    name = forms.CharField(max_length=80, help_text="What the token is for, e.g. 'interface engine'.")


class CodeForm(forms.Form):
    code = forms.RegexField(regex=r"^\s*\d{3}\s?\d{3}\s*$", max_length=8, label="6-digit code",
                            error_messages={"invalid": "Type the 6 digits your authenticator app shows."},
                            widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code", "autofocus": True}))
