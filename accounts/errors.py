"""The refusal of the accounts rules (a ServiceError whose message is shown to the user)."""

from ketacare.errors import ServiceError


class AccountError(ServiceError):
    """A request the accounts rules refuse; the message is shown to the user."""


class SignInEnded(AccountError):
    """The account is locked: a pending sign-in (password done, second factor not yet) ends here."""
