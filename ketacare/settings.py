"""Django settings, read from the environment (see README "Configuration")."""

import os
import sys
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlparse

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("KETACARE_VAR_DIR", BASE_DIR / "var"))


def _env_bool(name: str, default: bool) -> bool:
    return os.environ.get(name, str(default)).lower() in {"1", "true", "yes", "on"}


# Persistent database connections, per server thread (seconds; 0 closes after every request).
CONN_MAX_AGE = int(os.environ.get("KETACARE_CONN_MAX_AGE", "600"))


def _database(url: str) -> dict:
    """Turn DATABASE_URL into a Django DATABASES entry (sqlite:/// or postgres://)."""
    parts = urlparse(url)
    if parts.scheme in {"postgres", "postgresql"}:
        options = {k: v[0] for k, v in parse_qs(parts.query).items()}
        return {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": unquote(parts.path.lstrip("/")),
            "USER": unquote(parts.username or ""),
            "PASSWORD": unquote(parts.password or ""),
            "HOST": parts.hostname or "",
            "PORT": str(parts.port or ""),
            "CONN_MAX_AGE": CONN_MAX_AGE,
            "CONN_HEALTH_CHECKS": True,
            "OPTIONS": options,
            "TEST": {"NAME": os.environ.get("KETACARE_TEST_DB_NAME")} if os.environ.get("KETACARE_TEST_DB_NAME") else {},
        }
    if parts.scheme == "sqlite":
        path = unquote(parts.path) if parts.path not in {"", "/"} else str(VAR_DIR / "ketacare.sqlite3")
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        return _sqlite(path)
    raise ValueError(f"DATABASE_URL scheme {parts.scheme!r} is not supported (use sqlite:/// or postgres://)")


def _sqlite(path: str) -> dict:
    # WAL lets readers work while the monitor feed writes; IMMEDIATE avoids lock upgrades mid-transaction.
    # Tests use a file too (not shared in-memory), so the live server's threads lock as production does.
    # Connections persist (a close by the last connection checkpoints and deletes the WAL, 4 fsyncs);
    # journal_size_limit then truncates the WAL after each checkpoint so it cannot grow without bound,
    # and Django opens no transaction between requests, so no idle connection holds a checkpoint back.
    return {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": path,
        "CONN_MAX_AGE": CONN_MAX_AGE,
        "CONN_HEALTH_CHECKS": True,
        "TEST": {"NAME": str(Path(path).with_name("test-" + Path(path).name))},
        "OPTIONS": {
            "timeout": 20,
            "transaction_mode": "IMMEDIATE",
            "init_command": ("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON; "
                             "PRAGMA journal_size_limit=67108864;"),
        },
    }


DEBUG = _env_bool("KETACARE_DEBUG", False)
PRODUCTION = _env_bool("KETACARE_PRODUCTION", False)
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if PRODUCTION:
        raise RuntimeError("SECRET_KEY must be set in production")
    SECRET_KEY = "insecure-development-key-change-me-" + "k" * 20  # noqa: S105 - dev/demo only
ALLOWED_HOSTS = [h for h in os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",") if h]
CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",") if o]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "ninja",  # serves its own Swagger UI files at /api/docs (no CDN)
    "ketacare",
    "accounts",
    "audit",
    "patients",
    "courses",
    "infusions",
    "measures",
    "therapy",
    "inventory",
    "outcomes",
    "interop",
    "interop.fhir",  # the FHIR API's own tables (SMART clients, export jobs): label "fhir"
    "alerts",
    "scheduling",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "ketacare.middleware.SecurityHeadersMiddleware",
    "ketacare.middleware.BodySizeMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "toolkit.rls.ClinicScopeMiddleware",  # KETACARE_DB_RLS: one transaction per request, scoped to its clinic
    "accounts.middleware.ClinicMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "ketacare.urls"
WSGI_APPLICATION = "ketacare.wsgi.application"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "ketacare" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "ketacare.context.navigation",
            ],
        },
    }
]

DATABASES = {"default": _database(os.environ.get("DATABASE_URL", "sqlite:///"))}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
if _env_bool("KETACARE_FAST_HASHER", "pytest" in sys.modules):  # test suites only: Argon2 is slow on purpose
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher", *PASSWORD_HASHERS]
# Checked wherever a password is set: the staff form and API, a clinic admin's reset, the CLI (accounts/passwords.py).
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "accounts.passwords.VarietyValidator"},  # 'aaaaaaaaaaaa' is long enough but no password
]
# WebAuthn relying party: the host name users type (no port); empty means the request's own host.
KETACARE_WEBAUTHN_RP_ID = os.environ.get("KETACARE_WEBAUTHN_RP_ID", "")
# Sign-in throttle by client address (accounts/signin.py): failures before a lockout, and its first length
# (doubled at each repeated lockout, at most a day). Behind a proxy, REMOTE_ADDR must be the client's address.
KETACARE_ADDRESS_LOCKOUT_FAILURES = int(os.environ.get("KETACARE_ADDRESS_LOCKOUT_FAILURES", 20))
KETACARE_ADDRESS_LOCKOUT_MINUTES = int(os.environ.get("KETACARE_ADDRESS_LOCKOUT_MINUTES", 15))

LANGUAGE_CODE = "en-us"
TIME_ZONE = os.environ.get("KETACARE_TIME_ZONE", "America/New_York")
USE_I18N = False
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG  # production serves the files found at start-up, without a scan per request

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = PRODUCTION
CSRF_COOKIE_SECURE = PRODUCTION
SECURE_SSL_REDIRECT = PRODUCTION and _env_bool("KETACARE_SSL_REDIRECT", True)
SECURE_HSTS_SECONDS = 31536000 if PRODUCTION else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = PRODUCTION  # every subdomain of the clinic's host is HTTPS-only too
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if PRODUCTION else None
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_AGE = 12 * 3600  # hard cap; the clinic's idle timeout logs out sooner
DATA_UPLOAD_MAX_MEMORY_SIZE = 1_000_000
KETACARE_MAX_BODY_BYTES = int(os.environ.get("KETACARE_MAX_BODY_BYTES", 1_000_000))

EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "ketacare@localhost")
KETACARE_SMS_BACKEND = os.environ.get("KETACARE_SMS_BACKEND", "toolkit.sms.ConsoleSmsBackend")
KETACARE_PHONE_REGION = os.environ.get("KETACARE_PHONE_REGION", "US")  # numbering plan for numbers without +country
KETACARE_BASE_URL = os.environ.get("KETACARE_BASE_URL", "http://127.0.0.1:8000")

# The HL7 MLLP listener (interop/hl7/limits.py; docs/adr/0011-hl7-group-commit.md).
KETACARE_HL7_MAX_CONNECTIONS = int(os.environ.get("KETACARE_HL7_MAX_CONNECTIONS", 200))
KETACARE_HL7_IDLE_TIMEOUT_S = float(os.environ.get("KETACARE_HL7_IDLE_TIMEOUT_S", 300))
KETACARE_HL7_RATE_PER_S = float(os.environ.get("KETACARE_HL7_RATE_PER_S", 2000))  # messages a second, per connection
KETACARE_HL7_BATCH_MAX = int(os.environ.get("KETACARE_HL7_BATCH_MAX", 200))
KETACARE_HL7_BATCH_WAIT_MS = float(os.environ.get("KETACARE_HL7_BATCH_WAIT_MS", 2))
# The monitor port (docs/adr/0014-monitor-port.md): localhost unless configured; MLLP over TLS with both files set.
KETACARE_HL7_HOST = os.environ.get("KETACARE_HL7_HOST", "127.0.0.1")
KETACARE_HL7_TLS_CERT = os.environ.get("KETACARE_HL7_TLS_CERT", "")
KETACARE_HL7_TLS_KEY = os.environ.get("KETACARE_HL7_TLS_KEY", "")
KETACARE_HL7_TLS_CLIENT_CA = os.environ.get("KETACARE_HL7_TLS_CLIENT_CA", "")  # set: senders need a certificate it signed

# The audit trail's keys, kept outside the database (audit/keys.py, docs/adr/0019-anchored-audit-and-rls.md).
# Unset, they are created on first use under KETACARE_VAR_DIR/keys (dev, tests); production keeps them
# elsewhere (every management command warns, audit.W001/W002, when they sit in the data directory).
KETACARE_AUDIT_KEYS = os.environ.get("KETACARE_AUDIT_KEYS", "")  # "id:base64secret,id:base64secret", last = current
KETACARE_AUDIT_KEY_FILE = os.environ.get("KETACARE_AUDIT_KEY_FILE", str(VAR_DIR / "keys" / "audit-hmac.keys"))
KETACARE_AUDIT_SIGNING_KEY_FILE = os.environ.get("KETACARE_AUDIT_SIGNING_KEY_FILE",
                                                 str(VAR_DIR / "keys" / "audit-checkpoint.pem"))
KETACARE_AUDIT_CHECKPOINT_PUBLIC_KEY_FILE = os.environ.get("KETACARE_AUDIT_CHECKPOINT_PUBLIC_KEY_FILE", "")
KETACARE_AUDIT_CLOCK_SKEW_S = float(os.environ.get("KETACARE_AUDIT_CLOCK_SKEW_S", 300))  # allowed backwards step in `at`

# PostgreSQL row-level security, a second guard behind every query's clinic filter (toolkit/rls.py,
# docs/security.md). On: policies are installed after every migrate (run as the tables' owner), the
# app role below gets its grants, and each request runs in one transaction scoped to its clinic.
KETACARE_DB_RLS = _env_bool("KETACARE_DB_RLS", False)
KETACARE_DB_APP_ROLE = os.environ.get("KETACARE_DB_APP_ROLE", "")  # the non-owner role `ketacare serve` connects as
KETACARE_DB_SYSTEM_ROLE = os.environ.get("KETACARE_DB_SYSTEM_ROLE", "")  # BYPASSRLS role of the system processes

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "loggers": {
        "ketacare": {"handlers": ["console"], "level": os.environ.get("KETACARE_LOG_LEVEL", "INFO")},
        "django.request": {"handlers": ["console"], "level": "ERROR"},
    },
}
