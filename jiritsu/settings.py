"""Jiritsu settings: one file, driven by environment variables.

Defaults give a working development installation on an embedded SQLite database
under ``var/``; ``DATABASE_URL`` selects PostgreSQL (or anything dj-database-url knows).
"""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url

from jiritsu.operations.errors import init_error_reporting
from jiritsu.operations.logs import configure_structlog, logging_config

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("JIRITSU_VAR_DIR", BASE_DIR / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)


def _env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


DEBUG = _env_bool("JIRITSU_DEBUG", False)
# The secret key signs sessions, CSRF tokens and password-reset links. Without
# JIRITSU_SECRET_KEY a built-in development key is used, which only development may run with:
# the server (jiritsu.wsgi, for gunicorn and runserver) refuses to start with it unless DEBUG
# is on. `python3 dev.py serve` keeps a generated key in var/secret_key; tests need none.
SECRET_KEY_BUILT_IN = not os.environ.get("JIRITSU_SECRET_KEY")
SECRET_KEY = os.environ.get("JIRITSU_SECRET_KEY") or "dev-only-insecure-key-change-me-" + "x" * 20
ALLOWED_HOSTS = os.environ.get("JIRITSU_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "axes",
    "django_htmx",
    "jiritsu.core",
    "jiritsu.offices",
    "jiritsu.audit",
    "jiritsu.people",
    "jiritsu.programs",
    "jiritsu.cases",
    "jiritsu.guidance",
    "jiritsu.activities",
    "jiritsu.transfers",
    "jiritsu.reports",
    "jiritsu.casework",
    "jiritsu.documents",
    "jiritsu.merging",
    "jiritsu.operations",
    "jiritsu.retention",
    "jiritsu.api",
    "jiritsu.web",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "jiritsu.signin",
]

MIDDLEWARE = [
    "jiritsu.operations.request_context.RequestIdMiddleware",
    "jiritsu.operations.metrics.MetricsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "jiritsu.core.static.StaticFilesMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "jiritsu.core.replica.ReplicaWatermarkMiddleware",
    "jiritsu.offices.middleware.PrivateResponseMiddleware",
    "jiritsu.api.middleware.ApiMiddleware",
    "jiritsu.web.middleware.NulQueryMiddleware",
    "jiritsu.offices.middleware.IdleTimeoutMiddleware",
    "jiritsu.signin.middleware.SecondFactorMiddleware",
    "jiritsu.offices.middleware.OfficeMiddleware",
    "jiritsu.operations.request_context.LogContextMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "jiritsu.urls"
WSGI_APPLICATION = "jiritsu.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "jiritsu.offices.context_processors.membership",
                "jiritsu.operations.request_context.request_context",
            ],
        },
    }
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'jiritsu.sqlite3'}",
        conn_max_age=int(os.environ.get("JIRITSU_CONN_MAX_AGE", "0")),
    )
}
# PostgreSQL connections come from a pool in each process (Django's built-in pool on
# psycopg_pool) unless JIRITSU_DB_POOL=0, e.g. behind PgBouncer in transaction mode, where
# JIRITSU_CONN_MAX_AGE keeps connections instead. The app sends no per-connection settings
# (no startup options, no SET): `jit = off` and `timezone = 'UTC'` are set on the database by
# migration core.0001 (docs/operations.md), so PgBouncer can hand out any server connection.
if DATABASES["default"]["ENGINE"].endswith("postgresql") and _env_bool("JIRITSU_DB_POOL", True):
    DATABASES["default"]["CONN_MAX_AGE"] = 0  # the pool keeps the connections
    DATABASES["default"].setdefault("OPTIONS", {})
    DATABASES["default"]["OPTIONS"]["pool"] = {
        "min_size": int(os.environ.get("JIRITSU_DB_POOL_MIN", "1")),
        "max_size": int(os.environ.get("JIRITSU_DB_POOL_MAX", "10")),
        "timeout": int(os.environ.get("JIRITSU_DB_POOL_TIMEOUT", "10")),
    }
# Behind PgBouncer in transaction mode (JIRITSU_PGBOUNCER=1; docs/scaling.md): a server
# connection belongs to a client only for one transaction, so no app-side pool, no
# server-side cursors (they live across transactions) and no prepared statements (psycopg
# prepares a query after five runs on one connection; PgBouncer 1.18 cannot carry them).
if DATABASES["default"]["ENGINE"].endswith("postgresql") and _env_bool("JIRITSU_PGBOUNCER", False):
    DATABASES["default"]["OPTIONS"] = {**DATABASES["default"].get("OPTIONS", {}),
                                       "prepare_threshold": None}
    DATABASES["default"]["OPTIONS"].pop("pool", None)
    DATABASES["default"]["CONN_MAX_AGE"] = int(os.environ.get("JIRITSU_CONN_MAX_AGE", "60"))
    DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = True
# Statements written once per process (jiritsu.core.rows, jiritsu.core.compiled) are bound by
# the server on PostgreSQL, so psycopg prepares each after its fifth run on a connection and
# PostgreSQL no longer plans it every time (JIRITSU_PREPARED_STATEMENTS=0 turns this off).
# Behind PgBouncer in transaction mode nothing is prepared (prepare_threshold None above).
JIRITSU_PREPARED_STATEMENTS = (DATABASES["default"]["ENGINE"].endswith("postgresql")
                               and _env_bool("JIRITSU_PREPARED_STATEMENTS", True)
                               and not _env_bool("JIRITSU_PGBOUNCER", False))
if JIRITSU_PREPARED_STATEMENTS:  # Django turns psycopg's preparing off unless asked
    DATABASES["default"].setdefault("OPTIONS", {})["prepare_threshold"] = 5
# A streaming replica of the primary for reports, exports and the national roll-up
# (jiritsu/core/replica.py; docs/scaling.md). One connection per request that uses it, with a
# short connect timeout, so a stopped replica is noticed quickly and reads fall back.
if os.environ.get("JIRITSU_REPLICA_URL"):
    DATABASES["replica"] = dj_database_url.parse(os.environ["JIRITSU_REPLICA_URL"], conn_max_age=0)
    DATABASES["replica"].setdefault("OPTIONS", {})["connect_timeout"] = 2
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
DATABASE_ROUTERS = ["jiritsu.core.replica.ReplicaRouter"]
REPLICA_MAX_LAG_BYTES = int(os.environ.get("JIRITSU_REPLICA_MAX_LAG_BYTES", str(16 * 1024 * 1024)))
REPLICA_WATERMARK_SECONDS = 300
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    DATABASES["default"].setdefault("OPTIONS", {})
    DATABASES["default"]["OPTIONS"].update(
        {
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
        }
    )

AUTH_USER_MODEL = "offices.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    # Django's ModelBackend with the per-request user read written once (signin.backends).
    "jiritsu.signin.backends.PasswordBackend",
    # Single sign-on (OpenID Connect): answers nothing unless JIRITSU_OIDC_CLIENT_ID is set.
    "jiritsu.signin.oidc.Backend",
]

# Single sign-on with the municipality's identity provider (docs/signin.md). The endpoints are
# the provider's (its /.well-known/openid-configuration lists them).
if os.environ.get("JIRITSU_OIDC_CLIENT_ID"):
    OIDC_RP_CLIENT_ID = os.environ["JIRITSU_OIDC_CLIENT_ID"]
    OIDC_RP_CLIENT_SECRET = os.environ.get("JIRITSU_OIDC_CLIENT_SECRET", "")
    OIDC_OP_AUTHORIZATION_ENDPOINT = os.environ["JIRITSU_OIDC_AUTHORIZATION_ENDPOINT"]
    OIDC_OP_TOKEN_ENDPOINT = os.environ["JIRITSU_OIDC_TOKEN_ENDPOINT"]
    OIDC_OP_USER_ENDPOINT = os.environ["JIRITSU_OIDC_USERINFO_ENDPOINT"]
    OIDC_OP_JWKS_ENDPOINT = os.environ["JIRITSU_OIDC_JWKS_ENDPOINT"]
    JIRITSU_OIDC_ISSUER = os.environ.get("JIRITSU_OIDC_ISSUER", "")
OIDC_RP_SIGN_ALGO = os.environ.get("JIRITSU_OIDC_SIGN_ALGO", "RS256")
OIDC_RP_SCOPES = "openid profile email"
OIDC_USE_PKCE = True
OIDC_CREATE_USER = False
OIDC_TIMEOUT = 10
JIRITSU_OIDC_USERNAME_CLAIM = os.environ.get("JIRITSU_OIDC_USERNAME_CLAIM", "preferred_username")

# 移管 between installations (docs/transfers.md): the person file is signed with this
# installation's Ed25519 private key (a PEM file, `manage.py transfer_keys`) and files signed by
# the public keys in the trusted folder (one PEM file per installation) are taken in.
JIRITSU_INSTALLATION_NAME = os.environ.get("JIRITSU_INSTALLATION_NAME", "")
JIRITSU_TRANSFER_SIGNING_KEY = os.environ.get("JIRITSU_TRANSFER_SIGNING_KEY", "")
JIRITSU_TRANSFER_TRUSTED_KEYS = os.environ.get("JIRITSU_TRANSFER_TRUSTED_KEYS", "")
JIRITSU_OIDC_LABEL = os.environ.get("JIRITSU_OIDC_LABEL", "庁内の認証でログイン")
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
if _env_bool("JIRITSU_FAST_HASHER", False):
    # Tests only: argon2 is deliberately slow.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher", *PASSWORD_HASHERS]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
     "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Lock-out after repeated failures (django-axes).
AXES_FAILURE_LIMIT = int(os.environ.get("JIRITSU_LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = 0.5  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_VERBOSE = False

# Second factor (TOTP, django-otp): required of managers and administrators, and of everyone
# in an office that says so (signin.SignInPolicy). "off" only for a closed demonstration or a
# benchmark; docs/signin.md.
JIRITSU_TWO_FACTOR = os.environ.get("JIRITSU_TWO_FACTOR", "on")
OTP_TOTP_ISSUER = "Jiritsu"
OTP_TOTP_THROTTLE_FACTOR = 1

# Sessions: idle timeout (default 30 minutes), enforced by IdleTimeoutMiddleware.
SESSION_IDLE_TIMEOUT_SECONDS = int(os.environ.get("JIRITSU_IDLE_TIMEOUT_MINUTES", "30")) * 60

# API tokens expire: the default validity when none is chosen, and the longest allowed (days).
API_TOKEN_DAYS = int(os.environ.get("JIRITSU_API_TOKEN_DAYS", "365"))
API_TOKEN_MAX_DAYS = int(os.environ.get("JIRITSU_API_TOKEN_MAX_DAYS", "730"))
# Idempotency-Key answers are replayed for this long, then purged (hours); a key whose request
# has been running longer than the lease (seconds) is taken as abandoned and may run again.
IDEMPOTENCY_RETENTION_HOURS = int(os.environ.get("JIRITSU_IDEMPOTENCY_RETENTION_HOURS", "24"))
IDEMPOTENCY_LEASE_SECONDS = int(os.environ.get("JIRITSU_IDEMPOTENCY_LEASE_SECONDS", "300"))
# Django's database sessions; the read each signed-in request makes is written once per
# process (jiritsu.core.sessions).
SESSION_ENGINE = "jiritsu.core.sessions"
SESSION_COOKIE_AGE = 12 * 3600
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SECURE_COOKIES = _env_bool("JIRITSU_SECURE_COOKIES", not DEBUG)
SESSION_COOKIE_SECURE = SECURE_COOKIES
CSRF_COOKIE_SECURE = SECURE_COOKIES
SESSION_COOKIE_NAME = "jiritsu_session"
CSRF_COOKIE_NAME = "jiritsu_csrftoken"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# HSTS is only sent over HTTPS, so it is harmless on a plain-HTTP development server.
SECURE_HSTS_SECONDS = int(os.environ.get("JIRITSU_HSTS_SECONDS", "31536000" if SECURE_COOKIES else "0"))


def proxy_ssl_header(raw: str) -> tuple[str, str] | None:
    """``JIRITSU_PROXY_SSL_HEADER`` → Django's ``SECURE_PROXY_SSL_HEADER``.

    ``"X-Forwarded-Proto: https"`` (or ``HTTP_X_FORWARDED_PROTO=https``): the header a
    reverse proxy that ends TLS sets, and the value that means the client used HTTPS.
    Empty: no proxy header is trusted (the default)."""
    raw = raw.strip()
    if not raw:
        return None
    for sep in (":", "=", ","):
        name, found, value = raw.partition(sep)
        if found:
            break
    name, value = name.strip(), value.strip()
    if not found or not name or not value:
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured(
            "JIRITSU_PROXY_SSL_HEADER must look like 'X-Forwarded-Proto: https'")
    meta = name.upper().replace("-", "_")
    return (meta if meta.startswith("HTTP_") else f"HTTP_{meta}", value)


# Behind a reverse proxy that ends TLS (see docs/architecture.md, Security defaults). Set
# only when every request comes through that proxy and it overwrites the header.
SECURE_PROXY_SSL_HEADER = proxy_ssl_header(os.environ.get("JIRITSU_PROXY_SSL_HEADER", ""))
USE_X_FORWARDED_HOST = _env_bool("JIRITSU_USE_X_FORWARDED_HOST", False)
SECURE_SSL_REDIRECT = _env_bool("JIRITSU_SSL_REDIRECT", False)
CSRF_TRUSTED_ORIGINS = [o.strip() for o in
                        os.environ.get("JIRITSU_CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()]

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}

LANGUAGE_CODE = "ja"
TIME_ZONE = "Asia/Tokyo"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(os.environ.get("JIRITSU_STATIC_ROOT", VAR_DIR / "static"))
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
# A server serves the files `manage.py collectstatic` wrote: names carrying a hash of the
# content, gzip and Brotli copies, cached by browsers for a year (jiritsu.core.static).
# Debug mode and the tests (pytest sets PYTEST_VERSION) read the sources under static/ as
# they are, so that they need no collectstatic; JIRITSU_STATIC_MANIFEST overrides either way.
# Uploaded files (attachments): back them up with the database (docs/operations.md).
MEDIA_ROOT = Path(os.environ.get("JIRITSU_MEDIA_ROOT", VAR_DIR / "media"))
# Backups (manage.py backup / check_backup, docs/operations.md): where they are written, and
# how many are kept. With a folder set, the nightly jobs `backup` and `check_backup` are
# registered (and watched by /health/ready); without one, backups are made by other means.
BACKUP_DIR = Path(os.environ["JIRITSU_BACKUP_DIR"]) if os.environ.get("JIRITSU_BACKUP_DIR") else None
BACKUP_KEEP = int(os.environ.get("JIRITSU_BACKUP_KEEP", "14"))
STATIC_MANIFEST = _env_bool("JIRITSU_STATIC_MANIFEST",
                            not DEBUG and "PYTEST_VERSION" not in os.environ)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
                    if STATIC_MANIFEST else "django.contrib.staticfiles.storage.StaticFilesStorage"},
    # Attached documents (jiritsu.documents): the file system under var/ by default; an
    # S3-compatible object store when JIRITSU_ATTACHMENT_S3_BUCKET is set (django-storages,
    # which then needs boto3). The database keeps only each file's name, checksum, size and type.
    "attachments": (
        {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": {
            "bucket_name": os.environ["JIRITSU_ATTACHMENT_S3_BUCKET"],
            "endpoint_url": os.environ.get("JIRITSU_ATTACHMENT_S3_ENDPOINT") or None,
            "region_name": os.environ.get("JIRITSU_ATTACHMENT_S3_REGION") or None,
            "default_acl": None, "querystring_auth": True, "file_overwrite": False}}
        if os.environ.get("JIRITSU_ATTACHMENT_S3_BUCKET") else
        {"BACKEND": "django.core.files.storage.FileSystemStorage",
         "OPTIONS": {"location": str(VAR_DIR / "attachments"), "base_url": None,
                     "file_permissions_mode": 0o600, "directory_permissions_mode": 0o700}}
    ),
}
# Attachments: the largest file accepted, and all of one office's files together. How long
# a deleted attachment's bytes are kept is the office's own record retention period.
ATTACHMENT_MAX_BYTES = int(os.environ.get("JIRITSU_ATTACHMENT_MAX_BYTES", 10 * 1024 * 1024))
ATTACHMENT_OFFICE_QUOTA_BYTES = int(os.environ.get("JIRITSU_ATTACHMENT_OFFICE_QUOTA_BYTES",
                                                   5 * 1024 * 1024 * 1024))
WHITENOISE_USE_FINDERS = not STATIC_MANIFEST
WHITENOISE_KEEP_ONLY_HASHED_FILES = True

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
DATA_UPLOAD_MAX_MEMORY_SIZE = 20 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 20 * 1024 * 1024

MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"

# E-mail (the morning digest, jiritsu.casework.digest): Django's SMTP backend to the office's
# mail server. Without JIRITSU_EMAIL_HOST nothing leaves the machine (the console backend).
EMAIL_HOST = os.environ.get("JIRITSU_EMAIL_HOST", "")
EMAIL_BACKEND = os.environ.get("JIRITSU_EMAIL_BACKEND") or (
    "django.core.mail.backends.smtp.EmailBackend" if EMAIL_HOST
    else "django.core.mail.backends.console.EmailBackend")
EMAIL_PORT = int(os.environ.get("JIRITSU_EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("JIRITSU_EMAIL_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("JIRITSU_EMAIL_PASSWORD", "")
EMAIL_USE_TLS = _env_bool("JIRITSU_EMAIL_STARTTLS", False)
EMAIL_TIMEOUT = int(os.environ.get("JIRITSU_EMAIL_TIMEOUT", "20"))
DEFAULT_FROM_EMAIL = os.environ.get("JIRITSU_EMAIL_FROM", "jiritsu@localhost")
# The address the digest's links start with when an office has not set its own.
JIRITSU_BASE_URL = os.environ.get("JIRITSU_BASE_URL", "http://127.0.0.1:8000")

# Logs: one JSON object a line on standard error (the journal), with the request id, user id
# and office code (jiritsu.operations.logs); JIRITSU_LOG_FORMAT=text for reading by eye.
# JIRITSU_LOG_LEVEL=INFO adds a line per request.
configure_structlog()
LOGGING = logging_config(os.environ.get("JIRITSU_LOG_LEVEL", "WARNING"),
                         json_lines=os.environ.get("JIRITSU_LOG_FORMAT", "json") != "text")

# Error reports to a Sentry-compatible server (personal data scrubbed; docs/operations.md).
SENTRY_DSN = os.environ.get("JIRITSU_SENTRY_DSN", "")
if SENTRY_DSN:
    init_error_reporting(SENTRY_DSN, environment=os.environ.get("JIRITSU_SENTRY_ENVIRONMENT",
                                                                "production"))

# /metrics answers only "Authorization: Bearer <this token>"; unset, the endpoint is absent.
METRICS_TOKEN = os.environ.get("JIRITSU_METRICS_TOKEN", "")
# A load balancer polls the health endpoints over plain HTTP on the internal network.
SECURE_REDIRECT_EXEMPT = [r"^health/"]
