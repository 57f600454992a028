"""The `sinergi` command: Django's manage.py plus Sinergi's own commands (demo, setup, serve, worker, ...)."""

from __future__ import annotations

import gc
import os
import sys
from urllib.parse import urlsplit, urlunsplit


def _safe_url(url: str) -> str:
    parts = urlsplit(url)
    if parts.password:
        netloc = parts.netloc.replace(f":{parts.password}@", ":***@")
        parts = parts._replace(netloc=netloc)
    return urlunsplit(parts)


def _database_label() -> str:
    url = os.environ.get("DATABASE_URL")
    if url:
        return _safe_url(url)
    return f"SQLite ({os.environ.get('SINERGI_VAR_DIR', 'var')}/sinergi.sqlite3)"


def main(argv: list[str] | None = None) -> None:
    """Run a management command; a database that cannot be reached is one clear line, not a traceback.

    Without argv, this is the process's own command (the `sinergi` script, `python -m sinergi`): Django
    starts without the cyclic garbage collector, and what it made is then set aside (`gc.freeze`) before
    the command runs. Start-up makes about a hundred thousand objects that live as long as the process
    (modules, classes, models); the collector would otherwise go through them again and again while they
    are made, and once more, the most costly, when the process ends (together a third of a short command's
    CPU, docs/performance.md). What start-up leaves unreachable (a few thousand objects) is not freed.
    With argv (tests, other Python code) the collector is left alone.
    """
    process = argv is None
    if process:
        gc.disable()
    try:
        _run(argv or sys.argv, process)
    finally:
        if process and not gc.isenabled():  # ended before the command ran (help, a usage or settings error)
            gc.freeze()
            gc.enable()


def _run(argv: list[str], process: bool) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sinergi.config.settings")
    from django.core.exceptions import ImproperlyConfigured
    from django.core.management import BaseCommand, ManagementUtility
    from django.db.utils import OperationalError

    class Utility(ManagementUtility):
        def fetch_command(self, subcommand: str) -> BaseCommand:
            command = super().fetch_command(subcommand)
            if process and not gc.isenabled():  # start-up is over: the command runs with the collector on
                gc.freeze()
                gc.enable()
            return command

    try:
        Utility(argv).execute()
    except ImproperlyConfigured as exc:
        print(f"sinergi: konfigurasi belum lengkap: {exc}", file=sys.stderr)
        sys.exit(1)
    except OperationalError as exc:
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else exc.__class__.__name__
        print(
            f"sinergi: basis data tidak dapat dihubungi ({_database_label()}): {reason}. "
            "Periksa DATABASE_URL dan pastikan server basis data berjalan.",
            file=sys.stderr,
        )
        sys.exit(1)


if __name__ == "__main__":
    main()
