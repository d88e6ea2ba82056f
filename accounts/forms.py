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
    password = forms.CharField(max_length=200, widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
                               help_text="At least 12 characters, not a common or all-digit password, not like the name.")


class TokenForm(forms.Form):
    name = forms.CharField(max_length=80, help_text="What the token is for, e.g. 'interface engine'.")


class CodeForm(forms.Form):
    code = forms.RegexField(regex=r"^\s*\d{3}\s?\d{3}\s*$", max_length=8, label="6-digit code",
                            error_messages={"invalid": "Type the 6 digits your authenticator app shows."},
                            widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code", "autofocus": True}))


class SecondStepForm(forms.Form):
    """The code asked at sign-in and at step-up: 6 digits from the app, or a recovery code."""

    code = forms.CharField(max_length=20, required=False, label="Code from your app, or a recovery code",
                           widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "autofocus": True}))
    credential = forms.CharField(max_length=20000, required=False, widget=forms.HiddenInput)


class StepUpForm(SecondStepForm):
    password = forms.CharField(max_length=200, widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}))
    field_order = ["password", "code", "credential"]


class FactorOffForm(forms.Form):
    """Turning a factor off: the password and a current code (app code or recovery code)."""

    password = forms.CharField(max_length=200, widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}))
    code = forms.CharField(max_length=20, label="Current code from your app, or a recovery code")


class PasskeyForm(forms.Form):
    name = forms.CharField(max_length=80, label="Name of the key", help_text="e.g. 'blue security key', 'work laptop'.")
    credential = forms.CharField(max_length=20000, widget=forms.HiddenInput)


class DeactivateForm(forms.Form):
    reason = forms.CharField(min_length=5, max_length=500, help_text="Why (left the clinic, lost badge, ...); audited.")


class ResetPasswordForm(forms.Form):
    password = forms.CharField(max_length=200, label="New password", widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
                               help_text="At least 12 characters, not a common or all-digit password, not like the name. "
                                         "Tell it to the person in private; their sessions and tokens end now.")
