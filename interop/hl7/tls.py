"""MLLP over TLS: the server context from a certificate and key file, optionally requiring client certificates."""

import ssl
from pathlib import Path

from django.conf import settings


def tls_context(cert_file: str, key_file: str, client_ca_file: str = "") -> ssl.SSLContext:
    """A TLS 1.2+ server context; with `client_ca_file`, only senders holding a certificate it signed connect."""
    for label, path in (("certificate", cert_file), ("key", key_file), ("client CA", client_ca_file)):
        if path and not Path(path).is_file():
            raise ValueError(f"The TLS {label} file {path} does not exist.")
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    try:
        context.load_cert_chain(cert_file, key_file)
        if client_ca_file:
            context.load_verify_locations(client_ca_file)
            context.verify_mode = ssl.CERT_REQUIRED
    except (ssl.SSLError, OSError) as exc:
        raise ValueError(f"The TLS certificate or key cannot be used: {exc}") from None
    return context


def tls_from_settings(cert_file: str | None = None, key_file: str | None = None,
                      client_ca_file: str | None = None) -> ssl.SSLContext | None:
    """The context the settings (KETACARE_HL7_TLS_*) or the command's flags ask for, or None for plain MLLP."""
    cert = cert_file or settings.KETACARE_HL7_TLS_CERT
    key = key_file or settings.KETACARE_HL7_TLS_KEY
    if not cert and not key:
        return None
    if not (cert and key):
        raise ValueError("MLLP over TLS needs both a certificate and a key file.")
    return tls_context(cert, key, client_ca_file or settings.KETACARE_HL7_TLS_CLIENT_CA)
