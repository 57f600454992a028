"""Settings from the environment, the deployment check, and the CLI's handling of a missing database."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.fernet import Fernet


def _run(args: list[str], env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    inherited = ("DATABASE_URL", "DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE")
    base = {k: v for k, v in os.environ.items() if k not in inherited}
    return subprocess.run(
        [sys.executable, "-m", "sinergi", *args],
        env=base | env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_settings_pass_the_deployment_check(tmp_path: Path) -> None:
    env = {
        "SINERGI_ENV": "production",
        "SECRET_KEY": "x" * 20 + "Production-Secret-Key-For-The-Deploy-Check-0123456789",
        "SINERGI_FIELD_KEY": Fernet.generate_key().decode(),
        "ALLOWED_HOSTS": "sinergi.example.org",
        "SINERGI_VAR_DIR": str(tmp_path),
    }
    result = _run(["check", "--deploy", "--fail-level", "WARNING"], env, tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr


def test_production_refuses_to_start_without_its_keys(tmp_path: Path) -> None:
    result = _run(["check"], {"SINERGI_ENV": "production", "SINERGI_VAR_DIR": str(tmp_path)}, tmp_path)
    assert result.returncode != 0
    assert "SECRET_KEY harus diisi" in result.stderr


def test_local_keys_are_generated_once_into_var(tmp_path: Path) -> None:
    env = {"SINERGI_VAR_DIR": str(tmp_path)}
    assert _run(["check"], env, tmp_path).returncode == 0
    secret, field_key = (tmp_path / "secret_key").read_text(), (tmp_path / "field_key").read_text()
    assert _run(["check"], env, tmp_path).returncode == 0
    assert (tmp_path / "secret_key").read_text() == secret
    assert (tmp_path / "field_key").read_text() == field_key
    assert oct((tmp_path / "field_key").stat().st_mode & 0o777) == "0o600"
    Fernet(field_key.encode())  # a valid key


def test_debug_is_off_unless_asked_for() -> None:
    from django.conf import settings

    assert settings.DEBUG is False


def test_an_unreachable_database_gives_one_clear_line(tmp_path: Path) -> None:
    env = {
        "DATABASE_URL": "postgresql://postgres:rahasia@127.0.0.1:1/tidakada",
        "SINERGI_VAR_DIR": str(tmp_path),
    }
    result = _run(["migrate"], env, tmp_path)
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "basis data tidak dapat dihubungi" in lines[0]
    assert "rahasia" not in lines[0]
    assert "Traceback" not in result.stderr


@pytest.mark.django_db
def test_postgresql_sessions_run_without_jit() -> None:
    """The app's PostgreSQL sessions turn JIT compilation off (settings: it cost more than it saved on the
    dashboards' aggregates); SQLite has nothing to turn off."""
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only")
    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone()[0] == "off"
