"""The `sinergi` command: Django's manage.py plus Sinergi's own commands (demo, setup, serve, worker, ...)."""

from __future__ import annotations

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
    """Run a management command; a database that cannot be reached is one clear line, not a traceback."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sinergi.config.settings")
    from django.core.exceptions import ImproperlyConfigured
    from django.core.management import execute_from_command_line
    from django.db.utils import OperationalError

    try:
        execute_from_command_line(argv or sys.argv)
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
