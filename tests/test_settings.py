"""The settings read the environment strictly, and a production start refuses what is unsafe.

Start-up behaviour runs in a subprocess with exactly the environment under test, the way a
service manager would start the app.
"""

import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.contrib.auth.hashers import check_password, make_password
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.db import connection

from documents import pki
from processes.demo_county import DEMO_PASSWORD
from qiyue import settings as qiyue_settings

from . import factories as f

STRONG_KEY = "k7Qz-3vX_9pLmN2rT8sW4yB6cD1eF5gH0jK-7qR3uV9xZ2aC4bE6dG8hJ0"

# The production environment the README's "Deployment" section documents, behind a TLS proxy.
PRODUCTION = {
    "QIYUE_SECRET_KEY": STRONG_KEY,
    "QIYUE_ALLOWED_HOSTS": "qiyue.example.gov.cn",
    "QIYUE_PUBLIC_URL": "https://qiyue.example.gov.cn",
    "QIYUE_CSRF_TRUSTED_ORIGINS": "https://qiyue.example.gov.cn",
    "QIYUE_BEHIND_TLS_PROXY": "1",
    "QIYUE_PROXY_COUNT": "1",
    "QIYUE_SSL_REDIRECT": "1",
    "QIYUE_HSTS_SECONDS": "31536000",
    "QIYUE_HSTS_INCLUDE_SUBDOMAINS": "1",
    "QIYUE_HSTS_PRELOAD": "1",
    "QIYUE_SECURE_COOKIES": "1",
    "QIYUE_KEY_DIR": "/var/lib/qiyue/keys",
    "DATABASE_URL": "postgres://qiyue:secret@127.0.0.1:5432/qiyue",
    "QIYUE_EMAIL_HOST": "smtp.example.gov.cn",
    "QIYUE_EMAIL_PORT": "587",
    "QIYUE_EMAIL_USE_TLS": "1",
    "QIYUE_DEFAULT_FROM_EMAIL": "qiyue@example.gov.cn",
}


def run_python(code: str, env: dict, tmp_path) -> subprocess.CompletedProcess:
    """Python in the checkout with only the given Qiyue variables set (plus a private var dir)."""
    base = {k: v for k, v in os.environ.items() if not k.startswith(("QIYUE_", "DJANGO_"))}
    base.pop("DATABASE_URL", None)
    base.update(QIYUE_VAR_DIR=str(tmp_path / "var"), **env)
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=settings.BASE_DIR,
        env=base,
        capture_output=True,
        text=True,
        timeout=120,
    )


def start_wsgi(env, tmp_path):
    return run_python("import qiyue.wsgi; print('serving')", env, tmp_path)


# ---------------------------------------------------------------- environment helpers


@pytest.mark.parametrize(
    ("spelling", "value"),
    [("1", True), ("TRUE", True), ("Yes", True), (" on ", True), ("0", False), ("false", False)]
    + [("NO", False), ("off", False), ("", True)],  # empty: the default
)
def test_booleans_accept_the_documented_spellings(monkeypatch, spelling, value):
    monkeypatch.setenv("QIYUE_TEST_FLAG", spelling)
    assert qiyue_settings.env_bool("QIYUE_TEST_FLAG", True) is value


@pytest.mark.parametrize("typo", ["ture", "flase", "y", "enabled", "2"])
def test_a_typo_in_a_boolean_is_refused_not_read_as_false(monkeypatch, typo):
    monkeypatch.setenv("QIYUE_SSL_REDIRECT", typo)
    with pytest.raises(ImproperlyConfigured, match="QIYUE_SSL_REDIRECT.*not a boolean"):
        qiyue_settings.env_bool("QIYUE_SSL_REDIRECT", False)


def test_a_typo_in_a_boolean_stops_the_start(tmp_path):
    result = start_wsgi({"QIYUE_DEBUG": "1", "QIYUE_SECURE_COOKIES": "ture"}, tmp_path)
    assert result.returncode != 0
    assert "QIYUE_SECURE_COOKIES='ture' is not a boolean" in result.stderr


def test_a_number_that_is_not_a_number_is_refused(monkeypatch):
    monkeypatch.setenv("QIYUE_HSTS_SECONDS", "1 year")
    with pytest.raises(ImproperlyConfigured, match="QIYUE_HSTS_SECONDS='1 year' is not a whole"):
        qiyue_settings.env_int("QIYUE_HSTS_SECONDS", 0)


def test_a_rate_is_read_as_requests_per_seconds(monkeypatch):
    monkeypatch.setenv("QIYUE_RATE_LIMIT_REPORT", "10/3600")
    assert qiyue_settings.env_rate("QIYUE_RATE_LIMIT_REPORT", "1/1") == (10, 3600)
    monkeypatch.setenv("QIYUE_RATE_LIMIT_REPORT", "ten an hour")
    with pytest.raises(ImproperlyConfigured, match="not a rate like 10/3600"):
        qiyue_settings.env_rate("QIYUE_RATE_LIMIT_REPORT", "1/1")


def test_a_secret_is_read_from_its_file(monkeypatch, tmp_path):
    secret = tmp_path / "secret_key"
    secret.write_text(STRONG_KEY + "\n")
    monkeypatch.delenv("QIYUE_SECRET_KEY", raising=False)
    monkeypatch.setenv("QIYUE_SECRET_KEY_FILE", str(secret))
    assert qiyue_settings.env_secret("QIYUE_SECRET_KEY") == STRONG_KEY
    monkeypatch.setenv("QIYUE_SECRET_KEY", "another")
    with pytest.raises(ImproperlyConfigured, match="either QIYUE_SECRET_KEY or"):
        qiyue_settings.env_secret("QIYUE_SECRET_KEY")


# ---------------------------------------------------------------- the production start


def test_the_server_refuses_to_start_on_the_default_secret_key(tmp_path):
    result = start_wsgi({}, tmp_path)
    assert result.returncode != 0
    assert "QIYUE_SECRET_KEY is not set: refusing to serve" in result.stderr
    assert "serving" not in result.stdout


def test_the_server_refuses_to_start_on_a_short_secret_key(tmp_path):
    result = start_wsgi({"QIYUE_SECRET_KEY": "x7" * 24}, tmp_path)  # 48 characters
    assert result.returncode != 0
    assert "QIYUE_SECRET_KEY is too weak (48 characters)" in result.stderr


def test_the_server_starts_with_a_strong_key_read_from_a_file(tmp_path):
    (tmp_path / "key").write_text(STRONG_KEY)
    result = start_wsgi({"QIYUE_SECRET_KEY_FILE": str(tmp_path / "key")}, tmp_path)
    assert result.returncode == 0, result.stderr
    assert "serving" in result.stdout


def test_the_demo_still_starts_in_debug_mode_without_a_key(tmp_path):
    result = start_wsgi({"QIYUE_DEBUG": "1"}, tmp_path)
    assert result.returncode == 0, result.stderr


def test_check_deploy_finds_no_issue_in_the_documented_production_environment(tmp_path):
    code = "import sys; from django.core.management import execute_from_command_line; "
    code += (
        "execute_from_command_line(['manage.py', 'check', '--deploy', '--fail-level', 'WARNING'])"
    )
    code = "import os; os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'qiyue.settings'); " + code
    result = run_python(code, PRODUCTION, tmp_path)
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


def test_the_production_environment_reaches_the_settings(tmp_path):
    names = "SECURE_PROXY_SSL_HEADER SECURE_SSL_REDIRECT SECURE_HSTS_SECONDS SESSION_COOKIE_SECURE"
    names += " CSRF_COOKIE_SECURE CSRF_TRUSTED_ORIGINS EMAIL_BACKEND EMAIL_HOST EMAIL_PORT"
    names += " EMAIL_USE_TLS EMAIL_HOST_PASSWORD QIYUE_KEY_DIR"
    (tmp_path / "smtp").write_text("mail-secret\n")
    env = PRODUCTION | {
        "QIYUE_EMAIL_USE_TLS": "yes",
        "QIYUE_EMAIL_HOST_PASSWORD_FILE": str(tmp_path / "smtp"),
    }
    code = f"from qiyue import settings as s; print([getattr(s, n) for n in {names.split()!r}])"
    result = run_python(code, env, tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == repr(
        [
            ("HTTP_X_FORWARDED_PROTO", "https"),
            True,
            31536000,
            True,
            True,
            ["https://qiyue.example.gov.cn"],
            "django.core.mail.backends.smtp.EmailBackend",
            "smtp.example.gov.cn",
            587,
            True,
            "mail-secret",
            "/var/lib/qiyue/keys",
        ]
    )


def test_sqlite_waits_for_a_busy_database_instead_of_failing_at_once():
    if connection.vendor != "sqlite":
        pytest.skip("the busy timeout is SQLite's")
    assert connection.settings_dict["OPTIONS"]["timeout"] == 20


def test_the_configured_key_directory_is_the_one_used(settings, monkeypatch, tmp_path):
    monkeypatch.delenv(pki.KEY_DIR_ENV)
    settings.QIYUE_KEY_DIR = str(tmp_path / "county-keys")
    assert pki.resolve_key_dir() == (tmp_path / "county-keys").resolve()
    pki.create_county_ca("织金县")
    assert (tmp_path / "county-keys" / "ca" / "ca.cert.pem").exists()


def test_a_relative_key_directory_starts_at_the_checkout_not_the_working_directory(
    settings, monkeypatch, tmp_path
):
    monkeypatch.delenv(pki.KEY_DIR_ENV)
    monkeypatch.chdir(tmp_path)
    settings.QIYUE_KEY_DIR = "var/county-keys"
    assert pki.resolve_key_dir() == (settings.BASE_DIR / "var" / "county-keys").resolve()


# ---------------------------------------------------------------- passwords


def refusals(password, username="township_lead_A"):
    with pytest.raises(ValidationError) as refused:
        validate_password(password, f.UserFactory.build(username=username))
    return {error.code for error in refused.value.error_list}


def test_common_short_and_numeric_passwords_are_refused(db):
    assert refusals("password") == {"password_too_short", "password_too_common"}
    assert refusals("12345678") == {
        "password_too_short",
        "password_too_common",
        "password_entirely_numeric",
    }
    assert refusals("1234567890123") == {"password_too_common", "password_entirely_numeric"}
    assert refusals("qiyue2026") == {"password_too_short"}


def test_the_username_as_password_is_refused(db):
    assert "password_too_similar" in refusals("zhuzang_lead_wang", username="zhuzang_lead_wang")


def test_the_demo_password_passes_the_validators(db):
    validate_password(DEMO_PASSWORD, f.UserFactory.build(username="admin"))


def test_passwords_are_hashed_with_argon2(settings):
    # tests swap in MD5 for speed (tests/conftest.py); the settings module says what runs.
    assert qiyue_settings.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")
    settings.PASSWORD_HASHERS = qiyue_settings.PASSWORD_HASHERS
    encoded = make_password(DEMO_PASSWORD, hasher="argon2")
    assert encoded.startswith("argon2$argon2id$")
    assert check_password(DEMO_PASSWORD, encoded)


def test_env_example_lists_every_variable_the_settings_read():
    import re

    source = (settings.BASE_DIR / "qiyue" / "settings.py").read_text()
    read = set(re.findall(r'env_\w+\(\s*"([A-Z_]+)"', source))
    read |= {f"{name}_FILE" for name in re.findall(r'env_secret\(\s*"([A-Z_]+)"', source)}
    example = (settings.BASE_DIR / ".env.example").read_text()
    listed = set(re.findall(r"^#? ?([A-Z][A-Z_]+)=", example, re.MULTILINE))
    assert read - listed == set()
