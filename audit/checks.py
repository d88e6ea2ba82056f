"""Deployment checks for the audit trail's keys (ADR 0019)."""

from typing import Any

from django.conf import settings
from django.core.checks import Warning, register

from .keys import inside_data_dir, key_file, signing_key_file


@register()
def audit_keys_outside_the_data_directory(app_configs: Any = None, **kwargs: Any) -> list[Warning]:
    """In production, warn when an audit key lives beside the database it is meant to anchor."""
    if not getattr(settings, "PRODUCTION", False):
        return []
    found = []
    if not settings.KETACARE_AUDIT_KEYS and inside_data_dir(key_file()):
        found.append(Warning(f"The audit HMAC key file {key_file()} is inside KETACARE_VAR_DIR.",
                             hint="Set KETACARE_AUDIT_KEY_FILE (or KETACARE_AUDIT_KEYS) to a place the database's "
                                  "writers and backups cannot read.", id="audit.W001"))
    if inside_data_dir(signing_key_file()):
        found.append(Warning(f"The audit checkpoint signing key {signing_key_file()} is inside KETACARE_VAR_DIR.",
                             hint="Set KETACARE_AUDIT_SIGNING_KEY_FILE to a place outside the data directory.",
                             id="audit.W002"))
    return found
