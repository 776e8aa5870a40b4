"""Tutela's one settings file: every knob comes from an environment variable.

Each variable is documented in ``docs/configuration.md``. The helpers below fail loudly,
naming the variable, when a value cannot be understood: a district's deployment should not
start half-configured.
"""

from __future__ import annotations

import os
import re
import secrets
import zoneinfo
from ipaddress import IPv4Network, IPv6Network, ip_network
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from tutela.core.private import keep_files_private, private_directory, write_private


def env_str(name: str, default: str) -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {raw!r}")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {raw!r}") from None


def env_list(name: str, default: str) -> list[str]:
    """A comma-separated list; blanks are dropped."""
    return [item.strip() for item in env_str(name, default).split(",") if item.strip()]


def env_float(name: str, default: float) -> float:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return float(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a number, not {raw!r}") from None


TUTELA_ENV = env_str("TUTELA_ENV", "development")
if TUTELA_ENV not in {"development", "production"}:
    raise ImproperlyConfigured(f"TUTELA_ENV must be development or production, not {TUTELA_ENV!r}")
PRODUCTION = TUTELA_ENV == "production"

# The data directory holds the embedded database, the generated secret key and job storage:
# every family of the district, so only Tutela's own user may enter it (mode 700).
TUTELA_HOME = Path(env_str("TUTELA_HOME", "var")).resolve()
keep_files_private()


def _ensure_home() -> Path:
    return private_directory(TUTELA_HOME)


def _secret_key() -> str:
    """Production must bring its own key; the embedded default keeps a generated one on disk."""
    configured = os.environ.get("SECRET_KEY")
    if configured:
        return configured
    if PRODUCTION:
        raise ImproperlyConfigured(
            "SECRET_KEY must be set in the environment when TUTELA_ENV=production"
        )
    key_file = _ensure_home() / "secret_key"
    if not key_file.exists():
        write_private(key_file, secrets.token_urlsafe(50))
    return key_file.read_text().strip()


SECRET_KEY = _secret_key()
# Django's own deployment check asks for at least 50 characters; production refuses fewer.
SECRET_KEY_MIN_LENGTH = 50
if PRODUCTION and len(SECRET_KEY) < SECRET_KEY_MIN_LENGTH:
    raise ImproperlyConfigured(
        f"SECRET_KEY must be at least {SECRET_KEY_MIN_LENGTH} characters when "
        "TUTELA_ENV=production (for example: python3 -c 'import secrets; "
        "print(secrets.token_urlsafe(50))')"
    )
DEBUG = env_bool("DEBUG", False)
if PRODUCTION and DEBUG:
    raise ImproperlyConfigured(
        "DEBUG cannot be on when TUTELA_ENV=production: its error pages show families' data"
    )
# The host names Tutela answers to (TUTELA_ALLOWED_HOSTS; ALLOWED_HOSTS is the older name).
ALLOWED_HOSTS = env_list(
    "TUTELA_ALLOWED_HOSTS", env_str("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
)


SQLITE_BUSY_SECONDS = 20


def _database() -> dict[str, Any]:
    url = os.environ.get("DATABASE_URL") or f"sqlite:///{_ensure_home() / 'tutela.sqlite3'}"
    try:
        # Each thread keeps its connection for a minute: a new one costs a connect and, on
        # SQLite, reading the whole schema before its first query, which was half the CPU of
        # a parent's portal page.
        config: dict[str, Any] = dict(dj_database_url.parse(url, conn_max_age=60))
    except Exception as error:  # dj-database-url raises several kinds for a bad URL
        raise ImproperlyConfigured(f"DATABASE_URL is not a usable database URL: {error}") from None
    engine = str(config["ENGINE"])
    if engine == "django.db.backends.sqlite3":
        # WAL lets the web app read while an import writes; NORMAL sync is safe under WAL.
        config["OPTIONS"] = {
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            "transaction_mode": "IMMEDIATE",
            # A writer waits this long for another to finish before "database is locked".
            "timeout": SQLITE_BUSY_SECONDS,
        }
    elif engine != "django.db.backends.postgresql":
        raise ImproperlyConfigured("DATABASE_URL must name a sqlite:// or postgresql:// database")
    return config


DATABASES = {"default": _database()}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "auditlog",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "csp",
    "django_tables2",
    "django_filters",
    "oauth2_provider",
    "tutela.core",
    "tutela.web",
    "tutela.jobs",
    "tutela.people",
    "tutela.accounts",
    "tutela.imports",
    "tutela.notifications",
    "tutela.portal",
    "tutela.staff",
    "tutela.provisioning",
    "huey.contrib.djhuey",
    "tutela.sections",
    "tutela.accesscodes",
    "tutela.letters",
    "tutela.rostering",
    "tutela.privacy",
    "tutela.sampledata",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "tutela.api",
]

MIDDLEWARE = [
    # First: everything after it (the HTTPS redirect, lockout, limits, audit) sees the client's
    # own address and scheme, taken from the proxy's headers only when a trusted proxy sent them.
    "tutela.web.middleware.TrustedProxyMiddleware",
    "tutela.web.middleware.UploadLimitMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "tutela.web.middleware.NoStoreMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # The page's language: the language switch's cookie, else the browser's Accept-Language...
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # ...unless someone is signed in: a parent reads their contact's preferred language, staff
    # (whose screens are English for now) English.
    "tutela.accounts.middleware.AccountLanguageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "auditlog.middleware.AuditlogMiddleware",
    # Staff who must use two-step sign-in and have not set it up reach only its setup page.
    "tutela.accounts.middleware.TwoStepSetupRequiredMiddleware",
    # A parent on a temporary password reaches nothing but the change-password page.
    "tutela.accounts.middleware.PasswordChangeRequiredMiddleware",
    # django-axes must come last: it turns a locked-out sign-in into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "tutela.urls"
WSGI_APPLICATION = "tutela.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        # The site's own templates (the base page every app's pages extend).
        "DIRS": [Path(__file__).resolve().parent / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            # {% url %} that reverses a link with no arguments once (web.url_tag).
            "builtins": ["tutela.web.url_tag"],
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "tutela.accounts.context_processors.district",
                "tutela.accesscodes.context_processors.access_codes",
                "tutela.staff.context_processors.navigation",
            ],
        },
    },
]

# Every django-tables2 table: in its scroll box, sortable headers said to screen readers.
DJANGO_TABLES2_TEMPLATE = "tutela/table.html"

AUTH_USER_MODEL = "accounts.Account"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
# NIST 800-63B: a minimum length and a check against common passwords, no composition rules.
PASSWORD_MIN_LENGTH = env_int("TUTELA_PASSWORD_MIN_LENGTH", 8)
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": PASSWORD_MIN_LENGTH},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
]

# Sign in by username or account email (any case); django-axes first so it can refuse a
# locked-out sign-in before any password is checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "tutela.accounts.backends.UsernameOrEmailBackend",
]
LOGIN_URL = "accounts:sign-in"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:sign-in"

# Lockout (django-axes): after AXES_FAILURE_LIMIT failures an account (whatever name it was
# typed as) is locked, and so is the address the failures came from, each on its own.
AXES_FAILURE_LIMIT = env_int("TUTELA_LOCKOUT_FAILURES", 5)
AXES_COOLOFF_TIME = env_int("TUTELA_LOCKOUT_MINUTES", 15) / 60  # hours
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_USERNAME_CALLABLE = "tutela.accounts.backends.lockout_username"
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
# Counts each attempt before its password is checked, in one locked step (accounts/lockout.py).
AXES_HANDLER = "tutela.accounts.lockout.AtomicLockoutHandler"
# The client's address as the trusted-proxy middleware found it, the one the audit records.
AXES_CLIENT_IP_CALLABLE = "tutela.accounts.signals.client_ip"
# What was typed in the username box stays out of the attempt records' copy of the form.
AXES_SENSITIVE_PARAMETERS = ["username", "password"]
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
# Two-step sign-in (docs/accounts.md): a code from an authenticator app after the password.
# required: every staff account sets it up before any staff page; optional: staff may; off:
# not offered to staff. Parents may always set it up. Production requires it by default.
TUTELA_STAFF_MFA = env_str("TUTELA_STAFF_MFA", "required" if PRODUCTION else "optional")
if TUTELA_STAFF_MFA not in {"required", "optional", "off"}:
    raise ImproperlyConfigured(
        f"TUTELA_STAFF_MFA must be required, optional or off, not {TUTELA_STAFF_MFA!r}"
    )
# Wrong codes count towards the lockout above, as wrong passwords do; django-otp's own growing
# delay would also refuse the right code typed just after a typo.
OTP_TOTP_THROTTLE_FACTOR = 0
OTP_STATIC_THROTTLE_FACTOR = 0
# Recovery codes given with two-step sign-in, each usable once instead of the app's code.
TUTELA_MFA_RECOVERY_CODES = 10
# Before the lockout, each further failure holds the answer this much longer (at most 5 s).
TUTELA_SIGN_IN_SLOWDOWN_SECONDS = env_float("TUTELA_SIGN_IN_SLOWDOWN_SECONDS", 0.5)

# First sign-in and the district's account rules (see docs/configuration.md).
TUTELA_FIRST_SIGN_IN = env_str("TUTELA_FIRST_SIGN_IN", "activation")
if TUTELA_FIRST_SIGN_IN not in {"activation", "temporary-password"}:
    raise ImproperlyConfigured(
        "TUTELA_FIRST_SIGN_IN must be activation or temporary-password, "
        f"not {TUTELA_FIRST_SIGN_IN!r}"
    )
TUTELA_ACTIVATION_DAYS = env_int("TUTELA_ACTIVATION_DAYS", 7)
TUTELA_PASSWORD_RESET_HOURS = env_int("TUTELA_PASSWORD_RESET_HOURS", 2)
# How long the link confirming a parent's new account email works.
TUTELA_EMAIL_CHANGE_HOURS = env_int("TUTELA_EMAIL_CHANGE_HOURS", 24)
# How long an activation link printed on a letter home works: paper travels home in a school
# bag and waits on a kitchen table, so longer than an emailed link.
TUTELA_LETTER_LINK_DAYS = env_int("TUTELA_LETTER_LINK_DAYS", 30)
if TUTELA_LETTER_LINK_DAYS < 1:
    raise ImproperlyConfigured(
        f"TUTELA_LETTER_LINK_DAYS must be at least 1, not {TUTELA_LETTER_LINK_DAYS}"
    )
TUTELA_IMPORTED_USERS_CAN_RESET_PASSWORD = env_bool(
    "TUTELA_IMPORTED_USERS_CAN_RESET_PASSWORD", True
)
TUTELA_IMPORTED_PASSWORDS_ARE_TEMPORARY = env_bool("TUTELA_IMPORTED_PASSWORDS_ARE_TEMPORARY", True)
# PowerSchool Learning's default password for imported parents; empty: imported accounts get
# no password (the parent activates or resets). Checked against the password rules when used.
TUTELA_IMPORTED_DEFAULT_PASSWORD = env_str("TUTELA_IMPORTED_DEFAULT_PASSWORD", "")
# A big first import builds its tables' indexes (and on PostgreSQL checks their foreign keys)
# once, holding locks until it commits; off: always row by row (docs/performance.md).
TUTELA_IMPORT_BUILDS_INDEXES_AFTER = env_bool("TUTELA_IMPORT_BUILDS_INDEXES_AFTER", True)
# Where links in emails point: the address parents use to reach Tutela.
TUTELA_BASE_URL = env_str("TUTELA_BASE_URL", "http://127.0.0.1:8000").rstrip("/")

# Django's database sessions, their read on every request prepared once (accounts.sessions).
SESSION_ENGINE = "tutela.accounts.sessions"
SESSION_COOKIE_AGE = env_int("TUTELA_SESSION_SECONDS", 60 * 60 * 8)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env_bool("TUTELA_SECURE_COOKIES", PRODUCTION)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE


# Behind a reverse proxy (docs/deployment.md). Only a connection from one of these addresses
# or networks may say, in X-Forwarded-For and X-Forwarded-Proto, who the client is and whether
# it came over HTTPS; from anyone else those headers are ignored.
def _networks(name: str) -> list[IPv4Network | IPv6Network]:
    try:
        return [ip_network(item, strict=False) for item in env_list(name, "")]
    except ValueError as error:
        raise ImproperlyConfigured(f"{name}: {error}") from None


TUTELA_TRUSTED_PROXIES = _networks("TUTELA_TRUSTED_PROXIES")
# The HTTPS addresses whose form posts are accepted (Django's origin check), e.g.
# https://portal.district.org; TUTELA_BASE_URL's own origin is always one of them.
CSRF_TRUSTED_ORIGINS = env_list("TUTELA_CSRF_TRUSTED_ORIGINS", "")
_base = urlsplit(TUTELA_BASE_URL)
if _base.scheme == "https" and f"https://{_base.netloc}" not in CSRF_TRUSTED_ORIGINS:
    CSRF_TRUSTED_ORIGINS.append(f"https://{_base.netloc}")
SECURE_SSL_REDIRECT = env_bool("TUTELA_SSL_REDIRECT", PRODUCTION)
# The load balancer's health probe may speak plain HTTP on the private network.
SECURE_REDIRECT_EXEMPT = [r"^health/"]
SECURE_HSTS_SECONDS = env_int("TUTELA_HSTS_SECONDS", 60 * 60 * 24 * 365 if PRODUCTION else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("TUTELA_HSTS_INCLUDE_SUBDOMAINS", False)
SECURE_HSTS_PRELOAD = env_bool("TUTELA_HSTS_PRELOAD", False)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# Content-Security-Policy (django-csp): scripts and styles only from Tutela's own static files,
# never inline, so an injected <script> cannot run nor an injected <style> restyle a page.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# Uploads: a request body above TUTELA_UPLOAD_MAX_MB is refused before it is read, and a form
# field that is not a file may hold at most 2.5 MB (Django's default). A file above 2.5 MB is
# spooled to a temporary file, not held in memory. A district's contacts export is about 26 MB
# for 100,000 students. Files uploaded on the imports screen are deleted after
# TUTELA_UPLOAD_KEEP_DAYS (they hold children's data); their job records stay.
TUTELA_UPLOAD_MAX_MB = env_int("TUTELA_UPLOAD_MAX_MB", 100)
TUTELA_UPLOAD_KEEP_DAYS = env_int("TUTELA_UPLOAD_KEEP_DAYS", 30)
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
FILE_UPLOAD_PERMISSIONS = 0o600
FILE_UPLOAD_DIRECTORY_PERMISSIONS = 0o700
# An XLSX whose first sheet unpacks to more than this (or more than TUTELA_MAX_SHEET_RATIO
# times its packed size) is refused before it is read: a small "zip bomb" would fill memory.
TUTELA_MAX_SHEET_MB = env_int("TUTELA_MAX_SHEET_MB", 200)
TUTELA_MAX_SHEET_RATIO = env_int("TUTELA_MAX_SHEET_RATIO", 100)
for _name, _value in (
    ("TUTELA_HSTS_SECONDS", SECURE_HSTS_SECONDS),
    ("TUTELA_UPLOAD_MAX_MB", TUTELA_UPLOAD_MAX_MB),
    ("TUTELA_UPLOAD_KEEP_DAYS", TUTELA_UPLOAD_KEEP_DAYS),
    ("TUTELA_MAX_SHEET_MB", TUTELA_MAX_SHEET_MB),
    ("TUTELA_MAX_SHEET_RATIO", TUTELA_MAX_SHEET_RATIO),
):
    if _value < 0:
        raise ImproperlyConfigured(f"{_name} cannot be negative, not {_value}")

# The languages of the pages a parent or a registering visitor sees (people.models.Language
# names the same two); translations in src/tutela/locale/ (docs/languages.md).
LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("es", "Español")]
LOCALE_PATHS = [Path(__file__).resolve().parent / "locale"]
LANGUAGE_COOKIE_SECURE = SESSION_COOKIE_SECURE
LANGUAGE_COOKIE_SAMESITE = "Lax"
# The district's time zone: every date and time on a page is shown in it (TIME_ZONE is the
# older name). An unknown zone stops the start, naming the variable.
TIME_ZONE = env_str("TUTELA_TIME_ZONE", env_str("TIME_ZONE", "America/New_York"))
try:
    zoneinfo.ZoneInfo(TIME_ZONE)
except (zoneinfo.ZoneInfoNotFoundError, ValueError):
    raise ImproperlyConfigured(
        f"TUTELA_TIME_ZONE must name a time zone such as America/Chicago, not {TIME_ZONE!r}"
    ) from None
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = _ensure_home() / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # whitenoise expects it, even when empty
# Serve the apps' static files straight from the package, so no collectstatic step is needed
# (``tutela serve`` still collects them into STATIC_ROOT, where whitenoise serves them first).
WHITENOISE_USE_FINDERS = True

# Email: the console backend (standard error) in development; SMTP when EMAIL_HOST is set.
EMAIL_HOST = env_str("EMAIL_HOST", "")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
EMAIL_BACKEND = env_str(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if EMAIL_HOST
    else "tutela.notifications.backends.ConsoleEmailBackend",
)
# The console backend would print live activation and reset links into the server's log.
if PRODUCTION and not EMAIL_HOST and not os.environ.get("EMAIL_BACKEND"):
    raise ImproperlyConfigured(
        "EMAIL_HOST must name the district's mail server when TUTELA_ENV=production "
        "(or set EMAIL_BACKEND to the outbox you mean, such as "
        "django.core.mail.backends.filebased.EmailBackend with EMAIL_FILE_PATH)"
    )
EMAIL_FILE_PATH = env_str("EMAIL_FILE_PATH", str(TUTELA_HOME / "outbox"))
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Tutela <no-reply@localhost>")

TUTELA_DISTRICT_NAME = env_str("TUTELA_DISTRICT_NAME", "Grand Bend ISD")
# How an authenticator app names a Tutela account's entry.
OTP_TOTP_ISSUER = TUTELA_DISTRICT_NAME

# AutoCreate's eligibility rule, a district decision: a contact whose active detail on a student
# link has custody, or whose relationship is one of these, may get a portal account for it.
TUTELA_AUTOCREATE_CUSTODY = env_bool("TUTELA_AUTOCREATE_CUSTODY", True)
TUTELA_AUTOCREATE_RELATIONSHIPS = [
    r.strip()
    for r in env_str("TUTELA_AUTOCREATE_RELATIONSHIPS", "Mother,Father,Guardian").split(",")
    if r.strip()
]


# Sync targets (docs/lms.md): the hour (0-23, UTC) of the nightly delivery, the private
# key file SFTP targets authenticate with, and how often a failed delivery is tried in all.
TUTELA_SYNC_HOUR = env_int("TUTELA_SYNC_HOUR", 1)
if not 0 <= TUTELA_SYNC_HOUR <= 23:
    raise ImproperlyConfigured(f"TUTELA_SYNC_HOUR must be 0 to 23, not {TUTELA_SYNC_HOUR}")
TUTELA_SYNC_SSH_KEY = env_str("TUTELA_SYNC_SSH_KEY", "")
TUTELA_SYNC_ATTEMPTS = env_int("TUTELA_SYNC_ATTEMPTS", 3)
if TUTELA_SYNC_ATTEMPTS < 1:
    raise ImproperlyConfigured(
        f"TUTELA_SYNC_ATTEMPTS must be at least 1, not {TUTELA_SYNC_ATTEMPTS}"
    )
TUTELA_SYNC_RETRY_SECONDS = env_int("TUTELA_SYNC_RETRY_SECONDS", 30)


# ``tutela serve``: where gunicorn listens and how many processes answer. Two processes of two
# threads per core: a page is Python holding its process's lock, so processes, not threads,
# share the cores, and with only one process per core, one that took most of the open
# connections left the other core idle (docs/performance.md, "A parent's portal page").
TUTELA_BIND = env_str("TUTELA_BIND", "127.0.0.1:8000")
TUTELA_WEB_WORKERS = env_int("TUTELA_WEB_WORKERS", 2 * (os.cpu_count() or 1))
TUTELA_WEB_THREADS = env_int("TUTELA_WEB_THREADS", 2)


def _huey() -> dict[str, Any]:
    """Background jobs: Huey on an SQLite file in TUTELA_HOME (no server), or on Redis."""
    url = env_str("TUTELA_QUEUE_URL", "")
    immediate = env_bool("TUTELA_QUEUE_IMMEDIATE", False)
    if not url:
        return {
            "huey_class": "huey.SqliteHuey",
            "name": "tutela",
            "filename": str(_ensure_home() / "queue.sqlite3"),
            "immediate": immediate,
            # Immediate mode keeps the store on disk too: job heartbeats and progress must be
            # readable by every process (another web worker, a command), not this one alone.
            "immediate_use_memory": False,
            "consumer": {"workers": env_int("TUTELA_QUEUE_WORKERS", 1)},
        }
    if not url.startswith(("redis://", "rediss://", "unix://")):
        raise ImproperlyConfigured("TUTELA_QUEUE_URL must be a redis:// URL")
    return {
        "huey_class": "huey.RedisHuey",
        "name": "tutela",
        "url": url,
        "immediate": immediate,
        "immediate_use_memory": False,
        "consumer": {"workers": env_int("TUTELA_QUEUE_WORKERS", 1)},
    }


HUEY = _huey()

# A running job beats several times within this; silent for longer, it is marked failed.
TUTELA_JOB_STALE_SECONDS = env_int("TUTELA_JOB_STALE_SECONDS", 120)
if TUTELA_JOB_STALE_SECONDS < 1:
    raise ImproperlyConfigured("TUTELA_JOB_STALE_SECONDS must be at least 1")

# Parent access codes (docs/configuration.md, "Parent access codes").
ACCESS_CODES_ENABLED = env_bool("TUTELA_ACCESS_CODES_ENABLED", True)
# The relationship (a RelationshipType code) given to a parent who registers with a code.
ACCESS_CODE_RELATIONSHIP = env_str("TUTELA_ACCESS_CODE_RELATIONSHIP", "Guardian")
# 0: codes never expire; N: a new code is valid for N days.
ACCESS_CODE_VALID_DAYS = env_int("TUTELA_ACCESS_CODE_VALID_DAYS", 0)
# Canvas-style codes: each code links one guardian, then stops working.
ACCESS_CODE_SINGLE_USE = env_bool("TUTELA_ACCESS_CODE_SINGLE_USE", False)
# Failed entries allowed per address and per account within the window; the next is refused.
ACCESS_CODE_MAX_FAILURES = env_int("TUTELA_ACCESS_CODE_MAX_FAILURES", 10)
ACCESS_CODE_FAILURE_WINDOW = env_int("TUTELA_ACCESS_CODE_FAILURE_WINDOW", 3600)
# This many different codes tried from one address within the burst window (wrong ones and
# ones refused by the limit above) block that address for the block time: the signature of
# someone walking the code space. Above MAX_FAILURES + 1, so the hourly limit alone still lifts.
ACCESS_CODE_BURST_CODES = env_int("TUTELA_ACCESS_CODE_BURST_CODES", 20)
ACCESS_CODE_BURST_WINDOW = env_int("TUTELA_ACCESS_CODE_BURST_WINDOW", 600)
ACCESS_CODE_BLOCK_SECONDS = env_int("TUTELA_ACCESS_CODE_BLOCK_SECONDS", 86400)
# How long the emailed link of a self-registration stays valid.
REGISTRATION_LINK_HOURS = env_int("TUTELA_REGISTRATION_LINK_HOURS", 24)
for _name, _value in (
    ("TUTELA_ACCESS_CODE_VALID_DAYS", ACCESS_CODE_VALID_DAYS),
    ("TUTELA_ACCESS_CODE_MAX_FAILURES", ACCESS_CODE_MAX_FAILURES),
    ("TUTELA_ACCESS_CODE_FAILURE_WINDOW", ACCESS_CODE_FAILURE_WINDOW),
    ("TUTELA_ACCESS_CODE_BURST_CODES", ACCESS_CODE_BURST_CODES),
    ("TUTELA_ACCESS_CODE_BURST_WINDOW", ACCESS_CODE_BURST_WINDOW),
    ("TUTELA_ACCESS_CODE_BLOCK_SECONDS", ACCESS_CODE_BLOCK_SECONDS),
    ("TUTELA_REGISTRATION_LINK_HOURS", REGISTRATION_LINK_HOURS),
):
    if _value < 0:
        raise ImproperlyConfigured(f"{_name} cannot be negative, not {_value}")

# The OneRoster API (docs/oneroster-api.md): OAuth 2.0 client credentials (django-oauth-toolkit)
# and nothing else, with RFC 9700's protections on: client secrets and tokens kept only as
# hashes, tokens never read from a query string, no implicit or password grant.
ONEROSTER_SCOPES = {
    "https://purl.imsglobal.org/spec/or/v1p2/scope/roster.readonly": (
        "Read every rostering collection and object (demographics aside)"
    ),
    "https://purl.imsglobal.org/spec/or/v1p2/scope/roster-core.readonly": (
        "Read the core rostering collections and objects"
    ),
    "https://purl.imsglobal.org/spec/or/v1p2/scope/roster-demographics.readonly": (
        "Read demographics (Tutela serves none)"
    ),
}
TUTELA_ONEROSTER_TOKEN_SECONDS = env_int("TUTELA_ONEROSTER_TOKEN_SECONDS", 3600)
# Requests one client may make per minute; the next is answered 429 with Retry-After.
TUTELA_ONEROSTER_RATE_LIMIT = env_int("TUTELA_ONEROSTER_RATE_LIMIT", 600)
for _name, _value in (
    ("TUTELA_ONEROSTER_TOKEN_SECONDS", TUTELA_ONEROSTER_TOKEN_SECONDS),
    ("TUTELA_ONEROSTER_RATE_LIMIT", TUTELA_ONEROSTER_RATE_LIMIT),
):
    if _value < 1:
        raise ImproperlyConfigured(f"{_name} must be at least 1, not {_value}")
# The toolkit's client model is swappable: a model pointing at it names it by this setting.
OAUTH2_PROVIDER_APPLICATION_MODEL = "oauth2_provider.Application"
OAUTH2_PROVIDER = {
    "SCOPES": ONEROSTER_SCOPES,
    "DEFAULT_SCOPES": [
        "https://purl.imsglobal.org/spec/or/v1p2/scope/roster.readonly",
        "https://purl.imsglobal.org/spec/or/v1p2/scope/roster-core.readonly",
    ],
    "ACCESS_TOKEN_EXPIRE_SECONDS": TUTELA_ONEROSTER_TOKEN_SECONDS,
    "OAUTH2_VALIDATOR_CLASS": "tutela.rostering.api.oauth.BasicClientValidator",
    "OAUTH2_GRANT_TYPES_SUPPORTED": ["client_credentials"],
    "OIDC_TOKEN_ENDPOINT_AUTH_METHODS_SUPPORTED": ["client_secret_basic"],
    "PKCE_REQUIRED": True,
    "REFRESH_TOKEN_REUSE_PROTECTION": True,
    "REFRESH_TOKEN_GRACE_PERIOD_SECONDS": 0,
    "ALLOWED_REDIRECT_URI_SCHEMES": ["https"],
    "ALLOW_URI_WILDCARDS": False,
    "COMPLIANT_BCP_RFC9700_IMPLICIT_GRANT": True,
    "COMPLIANT_BCP_RFC9700_PASSWORD_GRANT": True,
    "COMPLIANT_BCP_RFC9700_PKCE_METHOD": True,
    "COMPLIANT_BCP_RFC9700_ACCESS_TOKEN_TRANSPORT": True,
    "COMPLIANT_BCP_RFC9700_AUTHZ_RESPONSE_ISS": True,
    "COMPLIANT_BCP_RFC9700_TOKEN_STORAGE": True,
    "COMPLIANT_BCP_RFC9700_REFRESH_TOKEN": True,
    "COMPLIANT_BCP_RFC9700_REDIRECT_URI_SCHEME": True,
    "COMPLIANT_BCP_RFC9700_REDIRECT_URI_MATCHING": True,
    "COMPLIANT_BCP_RFC9700_PKCE_REQUIRED": True,
}

# The REST API (docs/api.md): personal API tokens, staff only, every list paged, each token
# held to TUTELA_API_RATE requests (a number per second, minute, hour or day).
TUTELA_API_RATE = env_str("TUTELA_API_RATE", "600/minute")
if not re.fullmatch(r"[1-9][0-9]*/(s|sec|second|m|min|minute|h|hour|d|day)", TUTELA_API_RATE):
    raise ImproperlyConfigured(
        f"TUTELA_API_RATE must be a number of requests per second, minute, hour or day "
        f"such as 600/minute, not {TUTELA_API_RATE!r}"
    )
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["tutela.api.authentication.ApiTokenAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["tutela.api.permissions.IsStaff"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": [
        "rest_framework.parsers.JSONParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_PAGINATION_CLASS": "tutela.api.pagination.Pagination",
    "DEFAULT_THROTTLE_CLASSES": ["tutela.api.throttling.TokenRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {"token": TUTELA_API_RATE},
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "tutela.api.errors.handle",
    "UNAUTHENTICATED_USER": None,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Tutela API",
    "DESCRIPTION": "Students, contacts, their links and accounts, imports and AutoCreate jobs, "
    "as a staff member's screens reach them.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SERVE_AUTHENTICATION": [],
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    # Swagger UI from the project's own static files, asking no outside validator.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "SWAGGER_UI_SETTINGS": {"validatorUrl": None},
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "WARNING")},
    # Access codes, two-step sign-in's secrets, what was typed to sign in, the tokens of
    # emailed links and the OAuth tokens issued to learning systems never reach a log, not
    # even DEBUG's SQL with its parameters.
    "filters": {
        "hide_secrets": {"()": "tutela.core.log_filters.HideSecretQueries"},
        "hide_tokens": {"()": "tutela.core.log_filters.HideTokensInPaths"},
        "hide_issued_tokens": {"()": "tutela.core.log_filters.HideIssuedTokens"},
    },
    "loggers": {
        "django.db.backends": {"filters": ["hide_secrets"]},
        "django.request": {"filters": ["hide_tokens"]},
        "django.server": {"filters": ["hide_tokens"]},
        **{
            f"oauthlib.oauth2.rfc6749.grant_types.{grant}": {"filters": ["hide_issued_tokens"]}
            for grant in (
                "client_credentials",
                "refresh_token",
                "resource_owner_password_credentials",
            )
        },
    },
}
