"""`sinergi retention apply`: anonymise the people past the retention period (see services/retention.py)."""

from __future__ import annotations

import datetime as dt
import json
import sys
from typing import Any

from django.core.management.base import BaseCommand
from django.utils import timezone

from sinergi.beneficiaries.services.retention import retention_apply


class Command(BaseCommand):
    help = (
        "Anonymise every person whose last activity (custody, integration, consent) is older than the "
        "retention period (SINERGI_RETENTION_YEARS, default 10) and who is in no open custody or guidance."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("action", choices=["apply"])
        parser.add_argument("--as-of", default="", help="Date to count from (YYYY-MM-DD); default today.")
        parser.add_argument("--years", type=int, default=None, help="Retention in years (default: setting).")
        parser.add_argument("--dry-run", action="store_true", help="Count who is due; change nothing.")
        parser.add_argument("--format", choices=["text", "json"], default="text")

    def handle(self, *args: Any, **options: Any) -> None:
        as_of = timezone.localdate()
        if options["as_of"]:
            try:
                as_of = dt.date.fromisoformat(options["as_of"])
            except ValueError:
                self.stderr.write(f"Tanggal --as-of tidak dikenali: {options['as_of']!r} (pakai YYYY-MM-DD).")
                sys.exit(2)
        years = options["years"]
        if years is not None and not 1 <= years <= 100:
            self.stderr.write("--years harus antara 1 dan 100.")
            sys.exit(2)
        result = retention_apply(actor=None, as_of=as_of, years=years, dry_run=options["dry_run"])
        if options["format"] == "json":
            self.stdout.write(
                json.dumps(
                    {
                        "as_of": result.as_of.isoformat(),
                        "years": result.years,
                        "cutoff": result.cutoff.isoformat(),
                        "due": result.due,
                        "anonymised": result.anonymised,
                    }
                )
            )
            return
        verb = "akan dianonimkan (uji coba, tidak ada yang diubah)" if options["dry_run"] else "dianonimkan"
        count = result.due if options["dry_run"] else result.anonymised
        self.stdout.write(
            f"{count} orang {verb}: aktivitas terakhir sebelum {result.cutoff.isoformat()} "
            f"(retensi {result.years} tahun dari {result.as_of.isoformat()})."
        )
