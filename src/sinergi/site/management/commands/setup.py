"""`sinergi setup`: migrate the database and load the reference data. Safe to run again."""

from __future__ import annotations

import sys
import time
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand

from sinergi.accounts.services import units_load
from sinergi.regions.services import regions_load


class Command(BaseCommand):
    help = "Migrate the database and load reference data (regions, correctional units). Idempotent."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--force", action="store_true", help="Reload region files even if already loaded."
        )

    def handle(self, *args: Any, force: bool = False, **options: Any) -> None:
        started = time.monotonic()
        call_command("migrate", interactive=False, verbosity=0)
        counts = regions_load(force=force, progress=lambda msg: print(f"  {msg}", file=sys.stderr))
        created = units_load()
        self.stdout.write(
            f"Basis data siap. Wilayah: {counts['provinces']} provinsi, "
            f"{counts['regencies']} kabupaten/kota, "
            f"{counts['districts']} kecamatan, {counts['villages']} kelurahan/desa. "
            f"Organisasi referensi baru (Kanwil dan UPT): {created}. ({time.monotonic() - started:.1f} dtk)"
        )
