"""Qiyue settings: one module, read from the environment.

Defaults make the embedded run work (SQLite, eager background work, console email);
production differs only by environment variables, listed in ``.env.example``.
"""

import datetime as dt
import importlib.util
import json
import os
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured  # a wrong variable is named, never guessed

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("QIYUE_VAR_DIR", BASE_DIR / "var"))


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_secret(name: str, default: str = "") -> str:
    """``NAME``, or the contents of the file named by ``NAME_FILE`` (for secrets kept out of
    the environment, e.g. systemd credentials or Docker secrets); both at once is an error."""
    value, path = os.environ.get(name), os.environ.get(f"{name}_FILE")
    if value and path:
        raise ImproperlyConfigured(f"Set either {name} or {name}_FILE, not both.")
    if path:
        try:
            return Path(path).read_text(encoding="utf-8").strip()
        except OSError as error:
            raise ImproperlyConfigured(f"{name}_FILE={path}: {error.strerror}.") from error
    return value if value else default


_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


def env_bool(name: str, default: bool = False) -> bool:
    """A boolean, strictly: a typo is refused rather than read as False."""
    value = os.environ.get(name, "").strip().lower()
    if not value:
        return default
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(
        f"{name}={os.environ[name]!r} is not a boolean: use 1/0, true/false, yes/no or on/off."
    )


def env_int(name: str, default: int, minimum: int = 0) -> int:
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    try:
        number = int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={value!r} is not a whole number.") from None
    if number < minimum:
        raise ImproperlyConfigured(f"{name}={number} is below the minimum of {minimum}.")
    return number


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if not value:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


def env_rate(name: str, default: str) -> tuple[int, int]:
    """A rate written ``requests/seconds`` (``10/3600``: ten per hour); ``0/...`` switches it off."""
    value = os.environ.get(name, "").strip() or default
    count, _, seconds = value.partition("/")
    if not (count.isascii() and count.isdigit() and seconds.isascii() and seconds.isdigit()):
        raise ImproperlyConfigured(f"{name}={value!r} is not a rate like 10/3600.")
    if int(seconds) < 1:
        raise ImproperlyConfigured(f"{name}={value!r}: the window must be at least 1 second.")
    return int(count), int(seconds)


DEBUG = env_bool("QIYUE_DEBUG", False)
# The default key is public: qiyue/wsgi.py refuses to serve with it (or any key shorter
# than 50 characters) unless QIYUE_DEBUG is on (workflow/security.py).
DEVELOPMENT_SECRET_KEY = "insecure-development-key-change-me"
SECRET_KEY = env_secret("QIYUE_SECRET_KEY", DEVELOPMENT_SECRET_KEY)
ALLOWED_HOSTS = env_list("QIYUE_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "testserver"])

# HTTPS, usually terminated by a reverse proxy in front of gunicorn (README "Deployment").
if env_bool("QIYUE_BEHIND_TLS_PROXY", False):  # the proxy sets X-Forwarded-Proto: https
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("QIYUE_SSL_REDIRECT", False)
SECURE_HSTS_SECONDS = env_int("QIYUE_HSTS_SECONDS", 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("QIYUE_HSTS_INCLUDE_SUBDOMAINS", False)
SECURE_HSTS_PRELOAD = env_bool("QIYUE_HSTS_PRELOAD", False)
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = env_bool("QIYUE_SECURE_COOKIES", False)
CSRF_TRUSTED_ORIGINS = env_list("QIYUE_CSRF_TRUSTED_ORIGINS", [])
# How many reverse proxies stand in front of the app; only then is X-Forwarded-For believed,
# and the client is the address the outermost of them saw (workflow/security.py).
QIYUE_PROXY_COUNT = env_int("QIYUE_PROXY_COUNT", 0)

INSTALLED_APPS = [
    # First: its templates (viewflow's page frame, sign-in, admin header, error pages) override
    # those of the apps below, each found once (no DIRS: a template found twice renders twice).
    "workflow",
    "django.contrib.admin",  # administrators edit reference data, e.g. stage time limits
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_filters",
    # The exact string "guardian": viewflow looks for it literally (VIEWFLOW-NOTES §8.10).
    "guardian",
    "permissions",
    "processes",
    "documents",
    "ground",  # the audit chain
    "qiyue",  # the shell: backup and restore
    "viewflow",
    "viewflow.workflow",
    "axes",  # login throttling: failed sign-ins per user name and address
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Every answer carries the policy, the 413/429 refusals below included (== CSP == block).
    "csp.middleware.CSPMiddleware",
    # Before anything reads the body or touches the database (workflow/security.py).
    "workflow.security.RequestSizeLimitMiddleware",
    "workflow.security.RateLimitMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "workflow.i18n.LanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "workflow.middleware.FlowLockMiddleware",
    "workflow.middleware.ProcessScopeMiddleware",  # another jurisdiction's process: 404
    "axes.middleware.AxesMiddleware",
    # viewflow's own middleware, listed here rather than appended at start-up.
    "viewflow.middleware.SiteMiddleware",
    "viewflow.middleware.HotwireTurboMiddleware",
]

VIEWFLOW = {
    "AUTOREGISTER": False,
    # Material has no element for CheckboxSelectMultiple: draw choice tables as plain HTML.
    "WIDGET_RENDERERS": {"workflow.widgets.ChoiceTable": "workflow.widgets.ChoiceTableRenderer"},
}

ROOT_URLCONF = "qiyue.urls"
WSGI_APPLICATION = "qiyue.wsgi.application"

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
                "django.template.context_processors.i18n",
            ],
        },
    },
]

if not os.environ.get("DATABASE_URL"):
    VAR_DIR.mkdir(parents=True, exist_ok=True)  # the embedded SQLite database lives here
DATABASES = {
    "default": dj_database_url.parse(
        env_secret("DATABASE_URL", f"sqlite:///{VAR_DIR / 'qiyue.sqlite3'}"),
        conn_max_age=env_int("QIYUE_DB_CONN_MAX_AGE", 0),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A busy SQLite database makes a writer wait this many seconds before "database is
    # locked" (which then answers 409, workflow/middleware.py) instead of failing at once.
    DATABASES["default"].setdefault("OPTIONS", {})["timeout"] = env_int("QIYUE_SQLITE_TIMEOUT", 20)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# SQLite cannot enforce "one document per kind and party" when the party is NULL; PostgreSQL,
# the production database, does, and documents.production.issue() locks the row either way.
SILENCED_SYSTEM_CHECKS = ["models.W047"]

AUTH_USER_MODEL = "permissions.User"
# What papers are for, named like AUTH_USER_MODEL so documents/ knows no domain model; the
# project model's manager answers visible_to(user), which scopes its papers.
QIYUE_PAPER_PROJECT_MODEL = "processes.Project"
QIYUE_PAPER_HOUSEHOLD_MODEL = "processes.Household"
AUTHENTICATION_BACKENDS = [
    "workflow.security.LoginThrottleBackend",  # first: refuses a locked-out sign-in
    "django.contrib.auth.backends.ModelBackend",
    "guardian.backends.ObjectPermissionBackend",
]
GUARDIAN_RAISE_403 = False
ANONYMOUS_USER_NAME = None  # no guardian anonymous user: anonymous visitors hold no grants

LOGIN_URL = "/accounts/login/"
LOGIN_REDIRECT_URL = "/"  # the desk (工作台, processes/home.py)
LOGOUT_REDIRECT_URL = "/accounts/login/"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": env_int("QIYUE_PASSWORD_MIN_LENGTH", 10, minimum=8)},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Argon2 for new and changed passwords; older hashes still verify and are upgraded at sign-in.
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]

# Login throttling (django-axes): this many failures for one user name from one address lock
# that pair out for the cool-off time; the login page says so (workflow/security.py).
AXES_FAILURE_LIMIT = env_int("QIYUE_LOGIN_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = dt.timedelta(minutes=env_int("QIYUE_LOGIN_LOCKOUT_MINUTES", 15, minimum=1))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_IP_CALLABLE = "workflow.security.client_address"
AXES_LOCKOUT_CALLABLE = "workflow.security.login_locked_out"
AXES_ENABLE_ADMIN = False

# Requests from one client address (workflow/security.py), as requests/seconds; 0/... = off.
QIYUE_RATE_LIMITS = {
    "report": env_rate("QIYUE_RATE_LIMIT_REPORT", "20/3600"),  # public report POSTs
    "verify": env_rate("QIYUE_RATE_LIMIT_VERIFY", "60/600"),  # verification uploads and look-ups
    "login": env_rate("QIYUE_RATE_LIMIT_LOGIN", "30/600"),  # sign-in POSTs, any user name
}
# Request bodies above this answer 413 before they are read; small form data and uploaded files
# beyond Django's in-memory sizes go to a temporary file instead of memory.
QIYUE_MAX_REQUEST_BYTES = env_int("QIYUE_MAX_UPLOAD_MB", 20, minimum=1) * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440  # Django's default, stated: non-file form fields
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440

# == public pages & PDF parsing ==
# An uploaded PDF is opened in a child process under these limits (documents/parsing.py): address
# space in MB, CPU seconds; the wall clock allows three times the CPU seconds.
QIYUE_PDF_PARSE_MEMORY_MB = env_int("QIYUE_PDF_PARSE_MEMORY_MB", 512, minimum=256)
QIYUE_PDF_PARSE_SECONDS = env_int("QIYUE_PDF_PARSE_SECONDS", 5, minimum=1)

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "staticfiles"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "workflow.storage.ManifestStaticStorage"
            if env_bool("QIYUE_MANIFEST_STATIC", False)
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = True
MEDIA_ROOT = VAR_DIR / "media"

# == storage ==
# Uploaded and generated files (the signed papers) go through Django's storage API only, so a
# county may keep them elsewhere, e.g. S3-compatible object storage (README "Deployment: several
# machines"); the default is the local directory MEDIA_ROOT. The options may hold the storage's
# credentials, so they can come from a file too (QIYUE_STORAGE_OPTIONS_FILE).
_STORAGE_BACKEND = env_str("QIYUE_STORAGE_BACKEND", "").strip() or (
    "django.core.files.storage.FileSystemStorage"
)
_module, _, _class = _STORAGE_BACKEND.rpartition(".")
if not (_module and _class) or importlib.util.find_spec(_module.split(".")[0]) is None:
    raise ImproperlyConfigured(
        f"QIYUE_STORAGE_BACKEND={_STORAGE_BACKEND!r} is not an importable dotted class path."
    )
try:
    _STORAGE_OPTIONS = json.loads(env_secret("QIYUE_STORAGE_OPTIONS", "").strip() or "{}")
except ValueError as _error:
    raise ImproperlyConfigured(f"QIYUE_STORAGE_OPTIONS is not JSON: {_error}.") from None
if not isinstance(_STORAGE_OPTIONS, dict):
    raise ImproperlyConfigured(
        'QIYUE_STORAGE_OPTIONS must be a JSON object, e.g. {"bucket_name": "qiyue"}.'
    )
STORAGES["default"] = {"BACKEND": _STORAGE_BACKEND, "OPTIONS": _STORAGE_OPTIONS}

# Mail: console by default; with QIYUE_EMAIL_HOST set, SMTP unless a backend is named.
EMAIL_HOST = env_str("QIYUE_EMAIL_HOST") or "localhost"
EMAIL_BACKEND = env_str(
    "QIYUE_EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if os.environ.get("QIYUE_EMAIL_HOST")
    else "django.core.mail.backends.console.EmailBackend",
)
EMAIL_PORT = env_int("QIYUE_EMAIL_PORT", 25, minimum=1)
EMAIL_HOST_USER = env_str("QIYUE_EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_secret("QIYUE_EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("QIYUE_EMAIL_USE_TLS", False)  # STARTTLS, usually port 587
EMAIL_USE_SSL = env_bool("QIYUE_EMAIL_USE_SSL", False)  # implicit TLS, usually port 465
if EMAIL_USE_TLS and EMAIL_USE_SSL:
    raise ImproperlyConfigured("Set QIYUE_EMAIL_USE_TLS or QIYUE_EMAIL_USE_SSL, not both.")
EMAIL_TIMEOUT = env_int("QIYUE_EMAIL_TIMEOUT", 10, minimum=1)
DEFAULT_FROM_EMAIL = env_str("QIYUE_DEFAULT_FROM_EMAIL", "qiyue@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# The cache holds the per-address rate-limit counters: shared by all gunicorn workers only when
# it is a file directory or Redis (file:///var/lib/qiyue/cache, redis://127.0.0.1:6379/1).
_CACHE_URL = env_str("QIYUE_CACHE_URL", "locmem://")
if _CACHE_URL.startswith("file://"):
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": _CACHE_URL.removeprefix("file://"),
        }
    }
elif _CACHE_URL.startswith(("redis://", "rediss://")):
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": _CACHE_URL,
        }
    }
elif _CACHE_URL == "locmem://":
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
else:
    raise ImproperlyConfigured(
        f"QIYUE_CACHE_URL={_CACHE_URL!r}: use locmem://, file:///a/directory or redis://host:port/db."
    )

# Background work: Celery when a broker is configured, otherwise after commit, in-process.
CELERY_BROKER_URL = env_str("QIYUE_CELERY_BROKER_URL", "")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TIMEZONE = TIME_ZONE
# The deadline sweep (workflow/supervision.py): daily by Celery beat when a broker is
# configured, else by cron running `manage.py sweep_deadlines`.
QIYUE_SWEEP_HOUR = env_int("QIYUE_SWEEP_HOUR", 7)
# The supervisor dashboard calls a project stalled when its open task has not moved
# (arrived or been claimed) for this many working days.
QIYUE_STALL_WORKING_DAYS = env_int("QIYUE_STALL_WORKING_DAYS", 10)
CELERY_BEAT_SCHEDULE = (
    {
        "sweep-deadlines": {
            "task": "qiyue.sweep_deadlines",
            "schedule": crontab(hour=QIYUE_SWEEP_HOUR, minute=0),
        }
    }
    if CELERY_BROKER_URL
    else {}
)

# Documents: where keys live (never in git), and the address printed in verification QR codes.
# Signed papers are produced off the request: by Celery with a broker, else by this many
# threads of the web process; inline (right after commit, in the request) when set (tests).
QIYUE_PAPERS_INLINE = env_bool("QIYUE_PAPERS_INLINE", False)
QIYUE_PAPER_THREADS = env_int("QIYUE_PAPER_THREADS", 1)
QIYUE_KEY_DIR = env_str("QIYUE_KEY_DIR", str(VAR_DIR / "keys"))
QIYUE_PUBLIC_URL = env_str("QIYUE_PUBLIC_URL", "http://127.0.0.1:8000")
if not QIYUE_PUBLIC_URL.startswith(("http://", "https://")):
    raise ImproperlyConfigured(
        f"QIYUE_PUBLIC_URL={QIYUE_PUBLIC_URL!r} must start with https:// or http://."
    )
# Where the signing keys live: "files" (the key directory; the demo) or "pkcs11" (a token,
# documents/token.py: the web process never reads a private key file).
QIYUE_KEY_STORE = env_str("QIYUE_KEY_STORE", "files")
if QIYUE_KEY_STORE not in ("files", "pkcs11"):
    raise ImproperlyConfigured(f"QIYUE_KEY_STORE={QIYUE_KEY_STORE!r}: use files or pkcs11.")
QIYUE_PKCS11_MODULE = env_str("QIYUE_PKCS11_MODULE", "/usr/lib/softhsm/libsofthsm2.so")
QIYUE_PKCS11_TOKEN = env_str("QIYUE_PKCS11_TOKEN", "qiyue")
QIYUE_PKCS11_PIN = env_secret("QIYUE_PKCS11_PIN", "")
# The county's RFC 3161 time-stamping authority: when set, every signature gets a trusted
# time-stamp (PAdES B-T, and B-LT with the CRL in the DSS); empty: the act's time only.
QIYUE_TSA_URL = env_str("QIYUE_TSA_URL", "")
if QIYUE_TSA_URL and not QIYUE_TSA_URL.startswith(("http://", "https://")):
    raise ImproperlyConfigured(
        f"QIYUE_TSA_URL={QIYUE_TSA_URL!r} must start with https:// or http://."
    )
# Fonts prepared once from the Debian CJK fonts (manage.py build_fonts).
QIYUE_FONT_CACHE_DIR = env_str("QIYUE_FONT_CACHE_DIR", str(VAR_DIR / "fonts"))

# Business configuration (DOMAIN.md §3): public notice period per level, in days.
QIYUE_NOTICE_MIN_DAYS = env_int("QIYUE_NOTICE_MIN_DAYS", 7)

# The flows the workflow machinery serves, and what its deadline sweep does besides its own
# acts (name → a function returning counts: result.<name>_<key>). Dotted paths, read with
# import_string: the machinery imports no domain or documents module (workflow/subjects.py).
QIYUE_FLOWS = ["processes.flows.ProjectFlow"]
# What those flows' processes are about, named like AUTH_USER_MODEL (a notification's subject).
QIYUE_SUBJECT_MODEL = "processes.Project"
QIYUE_SWEEP_HOOKS = {"stale": "documents.production.pick_up_stale"}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("QIYUE_LOG_LEVEL", "WARNING")},
    # pyHanko logs a traceback for every tampered file it is shown; the verdict says enough.
    "loggers": {"pyhanko": {"level": "CRITICAL"}, "fontTools": {"level": "ERROR"}},
}

# == broker ==
# Papers and household-agreement batches still pending this many minutes after their act (or
# their batch's last progress) are produced again by the deadline sweep, the beat's pick-up
# task and `manage.py produce_documents`: the process that was producing them stopped.
QIYUE_STALE_PAPER_MINUTES = env_int("QIYUE_STALE_PAPER_MINUTES", 10, minimum=1)
# A job a worker took but never finished (the worker was killed) goes back to the queue after
# this many seconds (Redis visibility timeout; jobs are acknowledged only when done).
QIYUE_CELERY_VISIBILITY_TIMEOUT = env_int("QIYUE_CELERY_VISIBILITY_TIMEOUT", 3600, minimum=1)
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": QIYUE_CELERY_VISIBILITY_TIMEOUT,
    # Look for such jobs every few seconds, not only every 100 s (kombu's default).
    "unacked_restore_interval": max(1, min(10, QIYUE_CELERY_VISIBILITY_TIMEOUT // 4)),
    "unacked_restore_throttle": 1,
}
# Sites (or test runs) sharing one Redis keep their jobs apart by queue name.
CELERY_TASK_DEFAULT_QUEUE = env_str("QIYUE_CELERY_QUEUE", "celery")
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True  # a worker process killed mid-job: the job is redone
CELERY_WORKER_PREFETCH_MULTIPLIER = 1  # a long batch never holds other jobs back
if CELERY_BROKER_URL:
    CELERY_BEAT_SCHEDULE["produce-stale-papers"] = {
        "task": "qiyue.produce_stale_papers",
        "schedule": QIYUE_STALE_PAPER_MINUTES * 60.0,
    }

# == CSP ==
# A Content-Security-Policy on every answer, in every mode (DEBUG too, so tests see it; Django's
# own debug pages are the exception: their inline script and style are refused). Scripts come
# only from our static files: no template has an inline script or handler (the template scan in
# tests/workflow/test_csp.py keeps it so), and viewflow's bundled JS needs no eval. Styles also
# come only from static files, except three pieces of inline CSS that viewflow's bundled scripts
# write at run time, allowed by their hashes ('unsafe-hashes' lets a hash match a style attribute):
CSP_INLINE_STYLES_OF_VIEWFLOW = [
    # Turbo 7.3's progress bar <style> (turbo.es2017-umd.js, ProgressBar.defaultCSS).
    "'sha256-WAyOw4V+FqDc35lQPyRADLBWbuNK8ahvYEaQIYF1+Ps='",
    # The blank span Material's snackbar adds to announce a message to screen readers
    # (viewflow.min.js: setAttribute("style", "display: inline-block; width: 0; height: 1px;")).
    "'sha256-1Kungmqi0WhaYRDmBdTUngGa5h+T+yrG9t/gL5x5lEI='",
    # The file field's row (viewflow.min.js, vf-field-file: style=position:relative), which
    # lays the transparent file input over the visible box.
    "'sha256-KpSV7LuPYEu58+3u9LJr9v5Drm0uIKEv0h3u/+NVNm8='",
]
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-hashes'", *CSP_INLINE_STYLES_OF_VIEWFLOW],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}
