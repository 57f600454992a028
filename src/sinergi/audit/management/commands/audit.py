"""`sinergi audit verify`: check the audit hash chain; exits 1 at the first broken link.
`sinergi audit fingerprint TEXT`: what the trail recorded for a search for TEXT."""

from __future__ import annotations

import json
import sys
from typing import Any

from django.core.management.base import BaseCommand

from sinergi.audit.services import audit_search_fingerprint, audit_verify


class Command(BaseCommand):
    help = "Audit trail tools. `verify` recomputes the hash chain and reports OK or the first broken link."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("action", choices=["verify", "fingerprint"])
        parser.add_argument("text", nargs="?", default="", help="fingerprint: the search text to look for")
        parser.add_argument("--format", choices=["text", "json"], default="text")

    def handle(self, *args: Any, action: str, text: str = "", format: str = "text", **options: Any) -> None:
        if action == "fingerprint":
            # Searches are recorded as fingerprints (never the text): this prints the one to look for.
            self.stdout.write(audit_search_fingerprint(text))
            return
        result = audit_verify()
        if format == "json":
            self.stdout.write(json.dumps(result.as_dict()))
        elif result.ok:
            self.stdout.write(f"OK: {result.checked} peristiwa audit, rantai hash utuh.")
            self.stdout.write(f"Kepala rantai: #{result.checked} {result.head_hash}")
        else:
            self.stdout.write(
                f"RUSAK: peristiwa #{result.broken_seq}: {result.reason} "
                f"({result.checked} peristiwa sebelumnya utuh)."
            )
        if not result.ok:
            sys.exit(1)
