"""Qiyue settings: one module, read from the environment.

Defaults make the embedded run work (SQLite, eager background work, console email);
production differs only by environment variables, listed in ``.env.example``.
"""

import os
from pathlib import Path

import dj_database_url
from celery.schedules import crontab

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("QIYUE_VAR_DIR", BASE_DIR / "var"))


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value not in (None, "") else default


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if not value:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


DEBUG = env_bool("QIYUE_DEBUG", False)
SECRET_KEY = env_str("QIYUE_SECRET_KEY", "insecure-development-key-change-me")
ALLOWED_HOSTS = env_list("QIYUE_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "testserver"])

INSTALLED_APPS = [
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
    "workflow",
    "processes",
    "documents",
    "viewflow",
    "viewflow.workflow",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "workflow.i18n.LanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "workflow.middleware.FlowLockMiddleware",
    # viewflow's own middleware, listed here rather than appended at start-up.
    "viewflow.middleware.SiteMiddleware",
    "viewflow.middleware.HotwireTurboMiddleware",
]

VIEWFLOW = {
    "AUTOREGISTER": False,
    # Material has no element for CheckboxSelectMultiple: draw choice tables as plain HTML.
    "WIDGET_RENDERERS": {"workflow.widgets.ChoiceTable": "workflow.widgets.ChoiceTableRenderer"},
}

ROOT_URLCONF = "workflow.urls"
WSGI_APPLICATION = "workflow.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "workflow" / "templates"],
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
        env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'qiyue.sqlite3'}"),
        conn_max_age=env_int("QIYUE_DB_CONN_MAX_AGE", 0),
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# SQLite cannot enforce "one document per kind and party" when the party is NULL; PostgreSQL,
# the production database, does, and documents.production.issue() locks the row either way.
SILENCED_SYSTEM_CHECKS = ["models.W047"]

AUTH_USER_MODEL = "permissions.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "guardian.backends.ObjectPermissionBackend",
]
GUARDIAN_RAISE_403 = False
ANONYMOUS_USER_NAME = None  # no guardian anonymous user: anonymous visitors hold no grants

LOGIN_URL = "/accounts/login/"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/accounts/login/"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
]

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
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if env_bool("QIYUE_MANIFEST_STATIC", False)
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = True
MEDIA_ROOT = VAR_DIR / "media"

EMAIL_BACKEND = env_str("QIYUE_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env_str("QIYUE_DEFAULT_FROM_EMAIL", "qiyue@localhost")

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
QIYUE_KEY_DIR = env_str("QIYUE_KEY_DIR", str(VAR_DIR / "keys"))
QIYUE_PUBLIC_URL = env_str("QIYUE_PUBLIC_URL", "http://127.0.0.1:8000")
# Fonts prepared once from the Debian CJK fonts (manage.py build_fonts).
QIYUE_FONT_CACHE_DIR = env_str("QIYUE_FONT_CACHE_DIR", str(VAR_DIR / "fonts"))

# Business configuration (DOMAIN.md §3): public notice period per level, in days.
QIYUE_NOTICE_MIN_DAYS = env_int("QIYUE_NOTICE_MIN_DAYS", 7)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("QIYUE_LOG_LEVEL", "WARNING")},
    # pyHanko logs a traceback for every tampered file it is shown; the verdict says enough.
    "loggers": {"pyhanko": {"level": "CRITICAL"}, "fontTools": {"level": "ERROR"}},
}
