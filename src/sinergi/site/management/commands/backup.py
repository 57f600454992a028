"""`sinergi backup FILE`: every table and uploaded document in one zip archive (see sinergi.site.backup)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand

from sinergi.site.backup import BackupError, backup_write


class Command(BaseCommand):
    help = "Write a backup of the whole database and the uploaded documents to FILE (a zip archive)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--force", action="store_true", help="Overwrite FILE if it exists.")

    def handle(self, *args: Any, file: Path, force: bool = False, **options: Any) -> None:
        if file.exists() and not force:
            self.stderr.write(f"{file} sudah ada; pakai --force untuk menimpanya.")
            sys.exit(2)
        try:
            manifest = backup_write(
                file, progress=lambda msg: self.stderr.write(f"  {msg}") if options["verbosity"] > 1 else None
            )
        except (BackupError, OSError) as error:
            file.unlink(missing_ok=True)
            self.stderr.write(str(error))
            sys.exit(1)
        rows = sum(info["rows"] for info in manifest.tables.values())
        self.stdout.write(
            f"Cadangan ditulis ke {file}: {len(manifest.tables)} tabel, {rows} baris, "
            f"{len(manifest.media)} dokumen. Simpan bersama kunci SINERGI_FIELD_KEY yang sama."
        )
