"""`sinergi import wbp FILE [--dry-run] [--skip-invalid] [--format json]`: import the registry export."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from sinergi.beneficiaries.importing import ImportFileError
from sinergi.beneficiaries.services import wbp_import


class Command(BaseCommand):
    # The system checks import every URL configuration and view: seconds of start-up an import (often a
    # scheduled one, often of an unchanged file) does not need. `sinergi check` runs them.
    requires_system_checks: list[str] = []
    help = (
        "Import WBP from a CSV (comma or semicolon, UTF-8, BOM allowed) or XLSX file. All rows or none, "
        "unless --skip-invalid. Exit status: 0 written or dry run clean, 1 invalid rows, 2 usage error."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("kind", choices=["wbp"], help="What to import (wbp: the registry of people).")
        parser.add_argument("file", help="CSV or XLSX file.")
        parser.add_argument("--dry-run", action="store_true", help="Check and report, write nothing.")
        parser.add_argument(
            "--skip-invalid", action="store_true", help="Write the valid rows, report the others."
        )
        parser.add_argument("--format", choices=["text", "json"], default="text")

    def handle(
        self,
        *args: Any,
        kind: str,
        file: str,
        dry_run: bool = False,
        skip_invalid: bool = False,
        format: str = "text",
        **options: Any,
    ) -> None:
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"Berkas tidak ditemukan: {file}", returncode=2)

        def progress(rows: int) -> None:
            print(f"{rows} baris diperiksa", file=sys.stderr, flush=True)

        try:
            summary = wbp_import(
                actor=None,
                path=path,
                dry_run=dry_run,
                skip_invalid=skip_invalid,
                progress=progress,
                source=path.name,
            )
        except ImportFileError as exc:
            raise CommandError(str(exc.message), returncode=2) from exc
        if format == "json":
            self.stdout.write(json.dumps(summary.as_dict(), ensure_ascii=False))
        else:
            self._text(summary.as_dict(), dry_run=dry_run)
        if summary.invalid and not skip_invalid:
            sys.exit(1)

    def _text(self, data: dict[str, Any], *, dry_run: bool) -> None:
        state = (
            "uji coba, tidak ada yang ditulis"
            if dry_run
            else ("ditulis" if data["written"] else "TIDAK ditulis")
        )
        self.stdout.write(
            f"{data['rows']} baris: {data['created']} baru, {data['updated']} diperbarui, "
            f"{data['unchanged']} tetap, {data['invalid']} tidak valid ({state})."
        )
        for kind, items in (("GALAT", data["errors"]), ("PERINGATAN", data["warnings"])):
            for item in items:
                self.stdout.write(f"{kind} baris {item['line']}, kolom {item['column']}: {item['message']}")
