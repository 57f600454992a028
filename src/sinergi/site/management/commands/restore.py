"""`sinergi restore FILE`: restore a backup into a fresh, migrated database; `--check` only verifies it."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand

from sinergi.site.backup import BackupError, backup_check, restore_read


class Command(BaseCommand):
    help = (
        "Restore FILE (from `sinergi backup`) into a freshly migrated database, all or nothing. "
        "With --check, only verify the archive against its manifest."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--check", action="store_true", help="Verify the archive; write nothing.")

    def handle(self, *args: Any, file: Path, check: bool = False, **options: Any) -> None:
        def progress(message: str) -> None:
            if options["verbosity"] > 1:
                self.stderr.write(f"  {message}")

        try:
            manifest = backup_check(file) if check else restore_read(file, progress=progress)
        except BackupError as error:
            self.stderr.write(str(error))
            sys.exit(1)
        rows = sum(info["rows"] for info in manifest.tables.values())
        verb = "utuh" if check else "dipulihkan"
        self.stdout.write(
            f"Cadangan {file} ({manifest.created_at}) {verb}: {len(manifest.tables)} tabel, {rows} baris, "
            f"{len(manifest.media)} dokumen; setiap tabel cocok dengan checksum-nya."
        )
