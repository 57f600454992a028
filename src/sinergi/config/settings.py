"""Sinergi settings: one module, driven by environment variables.

SINERGI_ENV=production turns on the deployment hardening and requires SECRET_KEY, SINERGI_FIELD_KEY and
ALLOWED_HOSTS from the environment. Locally, the two keys are generated once into var/.
"""

from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path

import dj_database_url
from cryptography.fernet import Fernet
from django.core.exceptions import ImproperlyConfigured

PACKAGE_DIR = Path(__file__).resolve().parent.parent  # src/sinergi
PROJECT_DIR = PACKAGE_DIR.parent.parent
VAR_DIR = Path(os.environ.get("SINERGI_VAR_DIR", PROJECT_DIR / "var")).resolve()

ENVIRONMENT = os.environ.get("SINERGI_ENV", "local")
PRODUCTION = ENVIRONMENT == "production"
DEBUG = os.environ.get("SINERGI_DEBUG") == "1"


def _env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def _local_secret(name: str, filename: str, generate: object) -> str:
    """Return the secret from the environment, or (locally) from var/, generating it once."""
    value = os.environ.get(name)
    if value:
        return value
    if PRODUCTION:
        raise ImproperlyConfigured(f"{name} harus diisi di lingkungan produksi.")
    path = VAR_DIR / filename
    if path.exists():
        return path.read_text().strip()
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    value = generate() if callable(generate) else str(generate)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(value)
    return value


GENERATE_SECRET_KEY = 'python3 -c "import secrets; print(secrets.token_urlsafe(50))"'  # noqa: S105 (a command)
GENERATE_FIELD_KEY = (
    'python3 -c "from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())"'
)


def secret_key_problem(value: str) -> str | None:
    """Why a SECRET_KEY is too weak for production (Django's own deploy-check bar), or None."""
    if len(value) < 50 or len(set(value)) < 5 or value.startswith("django-insecure-"):
        return (
            "SECRET_KEY terlalu pendek atau terlalu sederhana (minimal 50 karakter acak). "
            f"Buat yang baru dengan: {GENERATE_SECRET_KEY}"
        )
    return None


def field_key_problem(value: str) -> str | None:
    """Why a SINERGI_FIELD_KEY is not a usable Fernet key (32 bytes, URL-safe base64), or None."""
    try:
        Fernet(value.encode())
    except (ValueError, TypeError):
        return (
            "SINERGI_FIELD_KEY bukan kunci Fernet yang sah (32 byte dalam base64 URL-safe, 44 karakter). "
            f"Buat yang baru dengan: {GENERATE_FIELD_KEY}"
        )
    return None


SECRET_KEY = _local_secret("SECRET_KEY", "secret_key", lambda: secrets.token_urlsafe(50))
# Encrypts personal identifiers (NIK) at rest; also keys the blind index used for lookup.
# Personal data is anonymised this many years after a person's last activity (`sinergi retention apply`).
SINERGI_RETENTION_YEARS = int(os.environ.get("SINERGI_RETENTION_YEARS", "10"))
# Subject-access PDFs are kept this many days for their download, then deleted (a daily job).
SUBJECT_EXPORT_RETENTION_DAYS = int(os.environ.get("SINERGI_SUBJECT_EXPORT_RETENTION_DAYS", "30"))
# Registry import limits (beneficiaries.importing.ImportLimits), when the defaults are not wanted.
for _limit in ("MAX_BYTES", "MAX_UNPACKED_BYTES", "MAX_ROWS", "MAX_COLUMNS"):
    if os.environ.get(f"SINERGI_IMPORT_{_limit}"):
        globals()[f"SINERGI_IMPORT_{_limit}"] = int(os.environ[f"SINERGI_IMPORT_{_limit}"])
FIELD_KEY = _local_secret("SINERGI_FIELD_KEY", "field_key", lambda: Fernet.generate_key().decode())
# Production refuses weak keys with a message saying how to make good ones (locally they are generated).
for _problem in (secret_key_problem(SECRET_KEY), field_key_problem(FIELD_KEY)) if PRODUCTION else ():
    if _problem:
        raise ImproperlyConfigured(_problem)

ALLOWED_HOSTS = _env_list("ALLOWED_HOSTS", "" if PRODUCTION else "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = _env_list("CSRF_TRUSTED_ORIGINS", "")

# Background jobs go through the Django Tasks API. The embedded default is the database queue; "redis"
# puts them on RQ queues in Redis (REDIS_URL) so workers can run on their own hosts. Jobs that take long
# (reports, imports) go to their own queue, so a worker can be given to them alone.
TASK_QUEUES = ["default", "long"]
TASK_BACKENDS = {
    "database": "django_tasks_db.DatabaseBackend",
    "redis": "django_tasks_rq.RQBackend",
    "immediate": "django_tasks.backends.immediate.ImmediateBackend",
}
_task_backend = os.environ.get("SINERGI_TASK_BACKEND", "database")
_task_backend = TASK_BACKENDS.get(_task_backend, _task_backend)
TASKS = {"default": {"BACKEND": _task_backend, "QUEUES": TASK_QUEUES}}
# RQ's apps (its commands and the RQ backend's checks) only when Redis is the queue: importing them imports
# redis and rq, a tenth of every process's start-up, in installations that never use them. `sinergi worker`
# runs RQ's worker without them (jobs/management/commands/worker.py).
RQ_APPS = ["django_rq", "django_tasks_rq"] if _task_backend.endswith("RQBackend") else []

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_filters",
    # django-ninja's templates and static files, without importing ninja at start-up (config/ninja_app).
    "sinergi.config.ninja_app",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "django_tasks",
    "django_tasks_db",
    *RQ_APPS,
    "sinergi.core",
    "sinergi.events",
    "sinergi.regions",
    "sinergi.accounts",
    "sinergi.audit",
    "sinergi.jobs",
    "sinergi.notifications",
    "sinergi.partnerships",
    "sinergi.beneficiaries",
    "sinergi.programs",
    "sinergi.aftercare",
    "sinergi.impact",
    "sinergi.reports",
    "sinergi.site",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "sinergi.core.middleware.SecurityHeadersMiddleware",
    "sinergi.core.sessions.SessionRefreshMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "sinergi.core.middleware.LanguageMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "sinergi.core.access.AccessMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "sinergi.accounts.middleware.TwoFactorRequiredMiddleware",
    "sinergi.accounts.middleware.PasswordChangeRequiredMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "sinergi.core.middleware.ApplicationErrorMiddleware",
    "sinergi.core.middleware.DataErrorMiddleware",
    "sinergi.core.middleware.NulByteMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "sinergi.config.urls"
WSGI_APPLICATION = "sinergi.config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "sinergi.core.context_processors.navigation",
                "sinergi.notifications.context_processors.unread",
            ],
            "builtins": ["sinergi.core.templatetags.sinergi", "sinergi.audit.templatetags.audit_tags"],
        },
    }
]

# SQLite under var/ by default; PostgreSQL (psycopg 3) when DATABASE_URL is set.
DATABASE_URL = os.environ.get("DATABASE_URL", "")
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60, conn_health_checks=True)}
    if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
        # PostgreSQL's JIT compiles the plan of every large query; on the dashboards' aggregates the
        # compiling cost more than it saved (up to 7 of 8 s measured, docs/performance.md). Off for the
        # app's sessions; a server setting or DATABASE_URL's own `options` can still say otherwise.
        DATABASES["default"].setdefault("OPTIONS", {}).setdefault("options", "-c jit=off")
else:
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(VAR_DIR / "sinergi.sqlite3"),
            "OPTIONS": {
                "timeout": 20,
                "transaction_mode": "IMMEDIATE",
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
            },
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "django.contrib.auth.backends.ModelBackend"]
PASSWORD_HASHERS = [
    "sinergi.accounts.hashers.SinergiArgon2PasswordHasher",
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "reports:dashboard"
LOGOUT_REDIRECT_URL = "accounts:login"

# Lockout after repeated failed logins (django-axes): a username from one address after 5 failures, an
# address for every username after 30 failures across usernames (sinergi.accounts.throttling).
AXES_FAILURE_LIMIT = 5
SINERGI_LOGIN_ADDRESS_LIMIT = int(os.environ.get("SINERGI_LOGIN_ADDRESS_LIMIT", 30))
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], "ip_address"]
AXES_HANDLER = "sinergi.accounts.throttling.SinergiAxesHandler"
AXES_CLIENT_STR_CALLABLE = "sinergi.accounts.throttling.client_str"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "sinergi.accounts.views.locked_out"
AXES_VERBOSE = False
# Behind a reverse proxy the client address is the first X-Forwarded-For entry (SINERGI_PROXY_COUNT proxies).
if os.environ.get("SINERGI_PROXY_COUNT"):
    AXES_IPWARE_PROXY_COUNT = int(os.environ["SINERGI_PROXY_COUNT"])
    AXES_IPWARE_META_PRECEDENCE_ORDER = ["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"]

# Sessions end after two idle hours and when the browser closes. The idle expiry moves at most once a
# minute (sinergi.core.sessions), not with a database write on every request.
SESSION_ENGINE = "sinergi.core.sessions"
SESSION_COOKIE_AGE = int(os.environ.get("SINERGI_SESSION_SECONDS", 2 * 60 * 60))
SESSION_SAVE_EVERY_REQUEST = False
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = False  # HTMX reads the token from the page, not the cookie.
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

if PRODUCTION:
    if DEBUG:
        raise ImproperlyConfigured("SINERGI_DEBUG=1 tidak boleh dipakai di lingkungan produksi.")
    if not ALLOWED_HOSTS:
        raise ImproperlyConfigured("ALLOWED_HOSTS harus diisi di lingkungan produksi.")
    SECURE_SSL_REDIRECT = os.environ.get("SINERGI_SSL_REDIRECT", "1") == "1"
    SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^livez$"]  # load balancers probe over plain HTTP
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = 31536000
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_NAME = "__Host-sessionid"  # host-only, secure, path=/: no subdomain can set it
    CSRF_COOKIE_NAME = "__Host-csrftoken"

LANGUAGE_CODE = "id"
LANGUAGES = [("id", "Bahasa Indonesia"), ("en", "English")]
# Our catalogues (the project's and each app's) come before Django's own, whatever the app order: a msgid
# such as "Password" must read as we translated it, not as django.contrib.auth does.
LOCALE_PATHS = [PACKAGE_DIR / "locale", *sorted(PACKAGE_DIR.glob("*/locale"))]
FORMAT_MODULE_PATH = ["sinergi.formats"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = os.environ.get("SINERGI_TIME_ZONE", "Asia/Jakarta")

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
if not PRODUCTION:
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STATICFILES_DIRS = [PACKAGE_DIR / "static"]
# Serve straight from the package when collectstatic has not run (local use); compress when it has.
WHITENOISE_USE_FINDERS = not PRODUCTION
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
MEDIA_ROOT = Path(os.environ.get("SINERGI_MEDIA_ROOT", VAR_DIR / "media"))
MEDIA_URL = "/media/"

# A running job's worker writes a heartbeat every JOB_HEARTBEAT_SECONDS; a running job with no heartbeat for
# JOB_LEASE_SECONDS has lost its worker (killed, out of memory, machine gone) and is marked failed, with a
# retry. The lease must be several heartbeats long, so a busy database does not fail a living job.
JOB_HEARTBEAT_SECONDS = float(os.environ.get("SINERGI_JOB_HEARTBEAT_SECONDS", "15"))
JOB_LEASE_SECONDS = float(os.environ.get("SINERGI_JOB_LEASE_SECONDS", "120"))
RQ_QUEUES = {
    queue: {"URL": os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"), "DEFAULT_TIMEOUT": 3600}
    for queue in TASK_QUEUES
}

CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
if os.environ.get("REDIS_URL"):
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": os.environ["REDIS_URL"],
        }
    }

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"stderr": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["stderr"], "level": os.environ.get("SINERGI_LOG_LEVEL", "WARNING")},
    # WeasyPrint's font subsetting warns about font tables it drops ("FFTM NOT subset") on every PDF: noise
    # on the console of `sinergi report`, nothing the user can act on.
    "loggers": {"fontTools": {"level": "ERROR"}},
}

# Two-factor login (TOTP) for administrators and Kanwil officers: the issuer shown in authenticator apps.
OTP_TOTP_ISSUER = os.environ.get("SINERGI_OTP_ISSUER", "Sinergi")
# Admin-issued password reset links work for one day.
PASSWORD_RESET_TIMEOUT = 24 * 60 * 60

# API tokens expire after this many days unless revoked earlier.
SINERGI_TOKEN_DAYS = int(os.environ.get("SINERGI_TOKEN_DAYS", 90))

# Small cells in aggregates are suppressed for roles that see aggregates only.
SINERGI_MIN_CELL = 5

# axes.W006 warns about user-agent or cookie rotation, which plays no part in a username+address lock.
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
