"""`sinergi demo`: one account per role, passwords shown once, and a server that answers with its worker."""

import os
import socket
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest
from django.core.management import call_command

from sinergi.accounts.choices import Role
from sinergi.accounts.demo import demo_accounts
from sinergi.accounts.models import User
from tests.waiting import wait_until


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


def test_the_demo_command_prepares_everything_without_serving(db, capsys, monkeypatch) -> None:
    # The test database already holds the small reference data; the full region load is tested in
    # tests/regions/test_load.py, so `setup` here does not load all 83,762 villages again.
    from tests.conftest import regions_load_small

    monkeypatch.setattr(
        "sinergi.site.management.commands.setup.regions_load", lambda **kwargs: regions_load_small()
    )
    call_command("demo", "--no-serve")
    out = capsys.readouterr().out
    assert "demo.admin" in out and "data sintetis" in out


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _get(url: str) -> str | None:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310
            return str(response.read().decode())
    except OSError:
        return None


@pytest.mark.skipif(bool(os.environ.get("DATABASE_URL")), reason="the served demo uses its own SQLite file")
def test_sinergi_demo_serves_the_app_with_its_worker(tmp_path: Path) -> None:
    """The demo migrates, loads every region and seeds before it serves: on a busy machine that takes a
    while, so the test waits for the health page (not a fixed time) and gives up early if `demo` exits."""
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DJANGO_ALLOW_ASYNC_UNSAFE")}
    env["SINERGI_VAR_DIR"] = str(tmp_path)
    log_path = tmp_path / "demo.log"
    with log_path.open("w") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "sinergi", "demo", "--addr", f"127.0.0.1:{port}"],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            text=True,
        )

    def exited() -> str | None:
        if process.poll() is None:
            return None
        return f"`sinergi demo` exited with {process.returncode}:\n{log_path.read_text()[-3000:]}"

    try:
        body = wait_until(lambda: _get(f"http://127.0.0.1:{port}/healthz"), "the demo answers", gone=exited)
        assert body == '{"status": "ok"}'
        assert "Masuk" in (_get(f"http://127.0.0.1:{port}/masuk/") or "")
        children = subprocess.run(
            ["ps", "-o", "args=", "--ppid", str(process.pid)], capture_output=True, text=True
        )
        assert "sinergi worker" in children.stdout
        assert "gunicorn" in children.stdout
    finally:
        process.terminate()
        process.wait(timeout=60)
    assert "demo.admin" in log_path.read_text()
