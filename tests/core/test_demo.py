"""`sinergi demo`: one account per role, passwords shown once, and a server that answers with its worker."""

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from django.core.management import call_command

from sinergi.accounts.choices import Role
from sinergi.accounts.demo import demo_accounts
from sinergi.accounts.models import User


def test_demo_creates_one_account_per_role_and_shows_passwords_once(db) -> None:
    first = demo_accounts()
    assert {a.role for a in first} == set(Role.values)
    assert all(a.password for a in first)
    again = demo_accounts()
    assert all(a.password is None for a in again)
    reset = demo_accounts(reset_passwords=True)
    user = User.objects.get(username="demo.upt")
    assert user.check_password(next(a.password for a in reset if a.username == "demo.upt"))
    assert user.organisation.code == "LAPAS-PLG-I"
    assert User.objects.filter(is_synthetic=True).count() == len(Role.values)


def test_the_demo_command_prepares_everything_without_serving(db, capsys) -> None:
    call_command("demo", "--no-serve")
    out = capsys.readouterr().out
    assert "demo.admin" in out and "data sintetis" in out


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.mark.skipif(bool(os.environ.get("DATABASE_URL")), reason="the served demo uses its own SQLite file")
def test_sinergi_demo_serves_the_app_with_its_worker(tmp_path: Path) -> None:
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DJANGO_ALLOW_ASYNC_UNSAFE")}
    env["SINERGI_VAR_DIR"] = str(tmp_path)
    process = subprocess.Popen(
        [sys.executable, "-m", "sinergi", "demo", "--addr", f"127.0.0.1:{port}"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 90
        body = ""
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as response:  # noqa: S310
                    body = response.read().decode()
                    break
            except OSError:
                time.sleep(0.5)
        assert body == '{"status": "ok"}'
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/masuk/", timeout=5) as response:  # noqa: S310
            assert "Masuk" in response.read().decode()
        children = subprocess.run(
            ["ps", "-o", "args=", "--ppid", str(process.pid)], capture_output=True, text=True
        )
        assert "sinergi worker" in children.stdout
        assert "gunicorn" in children.stdout
    finally:
        process.terminate()
        output, _ = process.communicate(timeout=30)
    assert "demo.admin" in output
