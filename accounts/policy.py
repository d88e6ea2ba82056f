"""Clinic policy settings: every value CLINICAL.md marks "Policy", with its default.

Each app declares its settings in `<app>/policy.py` as `SETTINGS = [Setting(...), ...]`;
this module collects them. Values are stored on `Clinic.policy` (JSON) and read with
`policy_value(clinic, key)`; a stored value always passes the setting's check.
"""

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from functools import cache
from typing import Any

from django.apps import apps


@dataclass(frozen=True)
class Setting:
    key: str
    label: str
    kind: str  # "int" | "decimal" | "text" | "list" | "choice" | "bool"
    default: Any
    help: str = ""
    min: Decimal | int | None = None
    max: Decimal | int | None = None
    choices: tuple[str, ...] = field(default_factory=tuple)
    source: str = "Clinic policy"
    unit: str = ""  # shown beside the value and the default: "minutes", "mg/kg", "%"

    def parse(self, raw: Any) -> Any:
        """Check and convert a submitted value; raise ValueError with a clear message."""
        parser = {"int": _parse_int, "decimal": _parse_decimal, "text": _parse_text,
                  "list": _parse_list, "choice": _parse_choice, "bool": _parse_bool}[self.kind]
        value: Any = parser(self, raw)
        if self.kind in {"int", "decimal"}:
            if self.min is not None and value < self.min:
                raise ValueError(f"{self.label} must be at least {self.min}.")
            if self.max is not None and value > self.max:
                raise ValueError(f"{self.label} must be at most {self.max}.")
        return value


def _parse_int(s: Setting, raw: Any) -> int:
    if isinstance(raw, bool):
        raise ValueError(f"{s.label} must be a whole number.")
    try:
        return int(str(raw).strip())
    except ValueError:
        raise ValueError(f"{s.label} must be a whole number.") from None


def _parse_decimal(s: Setting, raw: Any) -> Decimal:
    try:
        value = Decimal(str(raw).strip())
    except InvalidOperation:
        raise ValueError(f"{s.label} must be a number.") from None
    if not value.is_finite():
        raise ValueError(f"{s.label} must be a number.")
    return value


def _parse_text(s: Setting, raw: Any) -> str:
    text = str(raw).strip()
    if len(text) > 4000:
        raise ValueError(f"{s.label} is too long (4000 characters at most).")
    return text


def _parse_list(s: Setting, raw: Any) -> list[str]:
    items = raw if isinstance(raw, list) else str(raw).replace(",", "\n").splitlines()
    values = [str(i).strip() for i in items if str(i).strip()]
    unknown = [v for v in values if s.choices and v not in s.choices]
    if unknown:
        raise ValueError(f"{s.label}: {', '.join(unknown)} unknown; use any of: {', '.join(s.choices)}.")
    return list(dict.fromkeys(values))


def _parse_choice(s: Setting, raw: Any) -> str:
    if str(raw) not in s.choices:
        raise ValueError(f"{s.label} must be one of: {', '.join(s.choices)}.")
    return str(raw)


def _parse_bool(s: Setting, raw: Any) -> bool:
    if isinstance(raw, bool):
        return raw
    return str(raw).lower() in {"1", "true", "yes", "on"}


def registry() -> dict[str, Setting]:
    """Every setting the installed apps declare, by key (collected once per process; ADR 0013)."""
    return dict(_registry())


@cache
def _registry() -> dict[str, Setting]:
    from toolkit.hooks import app_modules

    found: dict[str, Setting] = {}
    for _, module in app_modules("policy", [c.name for c in apps.get_app_configs()]):
        for setting in getattr(module, "SETTINGS", []):
            found[setting.key] = setting
    return found


def check_together(clinic: Any, changes: dict[str, Any]) -> dict[str, str]:
    """Judge the clinic's settings as they would be after `changes` (parsed values) with the kernel; errors by key."""
    from clinical.settings_check import check_clinic_settings

    whole = {key: _stored_or_default(clinic, setting) for key, setting in registry().items()}
    whole.update(changes)
    found = check_clinic_settings(whole)
    # Name the changed setting where the clash is with one left alone, so the message sits beside what was typed.
    pairs = {"relative_contraindications": "absolute_contraindications", "schedule_close": "schedule_open"}
    for key, other in pairs.items():
        if key in found and key not in changes and other in changes:
            found[other] = found.pop(key)
    return found


def _stored_or_default(clinic: Any, setting: Setting) -> Any:
    stored = (clinic.policy or {}).get(setting.key)
    if stored is None:
        return setting.default
    try:
        return setting.parse(stored)
    except ValueError:
        return setting.default


def policy_value(clinic: Any, key: str) -> Any:
    """Return the clinic's value for `key`, or the setting's default."""
    setting = _registry()[key]
    stored = (clinic.policy or {}).get(key)
    if stored is None:
        return setting.default
    return setting.parse(stored)


SETTINGS = [
    Setting("idle_timeout_min", "Idle sign-out after", "int", 15, min=1, max=240, unit="minutes",
            help="Signs out a screen left alone this long (automatic logoff, HIPAA 45 CFR 164.312(a)(2)(iii))."),
    Setting("lockout_failures", "Failed sign-ins before lockout", "int", 5, min=3, max=20, unit="attempts",
            help="After this many wrong passwords in a row the account is locked for the lockout length."),
    Setting("lockout_minutes", "Lockout length", "int", 15, min=1, max=1440, unit="minutes",
            help="How long a locked account stays locked before it may try again."),
    Setting("second_factor_roles", "Roles that must use a second factor", "list",
            ["prescriber", "clinic_admin", "inventory_officer"],
            choices=("prescriber", "nurse", "therapist", "front_desk", "clinic_admin", "inventory_officer", "researcher"),
            help="A member of one of these roles sets up an authenticator app or a passkey before anything else."),
    Setting("token_days", "API tokens expire after", "int", 90, min=1, max=365, unit="days",
            help="A token stops working this many days after it was issued; issue a new one before."),
]
