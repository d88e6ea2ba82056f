"""The refusal of the accounts rules (a ServiceError whose message is shown to the user)."""

from toolkit.errors import ServiceError


class AccountError(ServiceError):
    """A request the accounts rules refuse; the message is shown to the user."""


class SignInEnded(AccountError):
    """The account is locked: a pending sign-in (password done, second factor not yet) ends here."""


class AccountLocked(AccountError):
    """The account is locked. The message is the same as for a wrong password (the answer never tells);
    the type lets a caller that already knows the user (a witness check) say so."""
