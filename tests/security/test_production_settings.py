"""Production settings: strong keys or a refusal that says how to make them, the deployment check clean,
HSTS, secure host-only cookies, X-Frame-Options and a CSP without inline scripts."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

GOOD_SECRET = "Zq8-" + "k3Jx7_Pm2VbW9rTy5NcL4hGd6FsA1eQo0uIi8OpLkJhGfDsA" + "xY"


def _run(args: list[str], env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    inherited = ("DATABASE_URL", "DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE")
    base = {k: v for k, v in os.environ.items() if k not in inherited and not k.startswith("SINERGI_")}
    return subprocess.run(
        [sys.executable, *args], env=base | env, cwd=cwd, capture_output=True, text=True, timeout=120
    )


def _production(tmp_path: Path, **overrides: str) -> dict[str, str]:
    return {
        "SINERGI_ENV": "production",
        "SECRET_KEY": GOOD_SECRET,
        "SINERGI_FIELD_KEY": Fernet.generate_key().decode(),
        "ALLOWED_HOSTS": "sinergi.example.org",
        "SINERGI_VAR_DIR": str(tmp_path),
    } | overrides


@pytest.mark.parametrize(
    ("variable", "value", "hint"),
    [
        ("SECRET_KEY", "pendek", "secrets.token_urlsafe(50)"),
        ("SECRET_KEY", "a" * 60, "secrets.token_urlsafe(50)"),
        ("SECRET_KEY", "django-insecure-" + "x1y2z3w4v5" * 5, "secrets.token_urlsafe(50)"),
        ("SINERGI_FIELD_KEY", "k", "Fernet.generate_key()"),
        ("SINERGI_FIELD_KEY", "bukan-kunci-fernet-yang-sah-sama-sekali-1234", "Fernet.generate_key()"),
    ],
)
def test_production_refuses_weak_keys_and_says_how_to_make_one(
    tmp_path: Path, variable: str, value: str, hint: str
) -> None:
    result = _run(["-m", "sinergi", "check"], _production(tmp_path, **{variable: value}), tmp_path)
    assert result.returncode != 0
    assert variable in result.stderr and hint in result.stderr
    assert value not in result.stderr or len(value) < 8  # the rejected key itself is not echoed


def test_the_deployment_check_is_clean_with_production_settings(tmp_path: Path) -> None:
    result = _run(
        ["-m", "sinergi", "check", "--deploy", "--fail-level", "WARNING"], _production(tmp_path), tmp_path
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_production_turns_on_hsts_secure_cookies_and_frame_denial(tmp_path: Path) -> None:
    script = (
        "import django, json; django.setup(); from django.conf import settings as s; "
        "from sinergi.core.middleware import CONTENT_SECURITY_POLICY as csp; "
        "print(json.dumps({k: getattr(s, k) for k in ('SECURE_HSTS_SECONDS', "
        "'SECURE_HSTS_INCLUDE_SUBDOMAINS', 'SESSION_COOKIE_SECURE', 'CSRF_COOKIE_SECURE', "
        "'SESSION_COOKIE_HTTPONLY', 'X_FRAME_OPTIONS', "
        "'SECURE_SSL_REDIRECT', 'SESSION_COOKIE_NAME')} | {'csp': csp}))"
    )
    env = _production(tmp_path, DJANGO_SETTINGS_MODULE="sinergi.config.settings")
    result = _run(["-c", script], env, tmp_path)
    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout)
    assert values["SECURE_HSTS_SECONDS"] >= 31536000 and values["SECURE_HSTS_INCLUDE_SUBDOMAINS"]
    assert (
        values["SESSION_COOKIE_SECURE"] and values["CSRF_COOKIE_SECURE"] and values["SESSION_COOKIE_HTTPONLY"]
    )
    assert values["SESSION_COOKIE_NAME"].startswith("__Host-")
    assert values["X_FRAME_OPTIONS"] == "DENY" and values["SECURE_SSL_REDIRECT"]
    script_src = next(part for part in values["csp"].split(";") if part.strip().startswith("script-src"))
    assert "unsafe-inline" not in script_src and "unsafe-eval" not in script_src


def test_every_page_sends_the_security_headers(client, db) -> None:
    response = client.get("/masuk/")
    assert response["X-Frame-Options"] == "DENY"
    assert "script-src 'self'" in response["Content-Security-Policy"]
    assert "unsafe-inline" not in response["Content-Security-Policy"]
    assert response["X-Content-Type-Options"] == "nosniff"


def test_the_session_key_changes_at_login(client, db) -> None:
    """Session fixation: a session id planted before login is worthless after it."""
    from tests.factories import TEST_PASSWORD, UserFactory

    UserFactory(username="fiksasi")
    client.get("/masuk/")
    session = client.session
    session["planted"] = "ya"
    session.save()
    before = session.session_key
    response = client.post("/masuk/", {"username": "fiksasi", "password": TEST_PASSWORD})
    assert response.status_code == 302
    after = client.cookies["sessionid"].value
    assert after and after != before
    from django.contrib.sessions.backends.db import SessionStore

    assert not SessionStore().exists(before)
