"""`sinergi screen --rule FILE.json --as-of YYYY-MM-DD [--format json]`: evaluate a rule; saves nothing.

The JSON is written as the rows arrive from one query (in no particular order; the people not eligible are
spooled until the eligible list is closed), so memory stays flat however large the registry; "evaluated"
comes last because it is known only at the end. Eligibility is decided in SQL; the reasons are worked out
from the facts the same query returns.
"""

from __future__ import annotations

import datetime as dt
import json
import tempfile
from json.encoder import encode_basestring
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from sinergi.programs import domain, selectors

CHUNK = 2000


class Command(BaseCommand):
    help = "Evaluate an eligibility rule file over the whole registry as of a date. Nothing is saved."
    requires_system_checks: list[str] = []  # reads the registry only; start-up stays short

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--rule", required=True, help="JSON rule file.")
        parser.add_argument("--as-of", required=True, help="YYYY-MM-DD")
        parser.add_argument("--format", choices=["text", "json"], default="text")

    def handle(self, *args: Any, rule: str, as_of: str, format: str = "text", **options: Any) -> None:
        try:
            on = dt.date.fromisoformat(as_of)
        except ValueError as exc:
            raise CommandError(f"--as-of harus berbentuk YYYY-MM-DD, bukan “{as_of}”.", returncode=2) from exc
        path = Path(rule)
        try:
            data = json.loads(path.read_text(encoding="utf-8-sig"))
        except FileNotFoundError as exc:
            raise CommandError(f"Berkas aturan tidak ditemukan: {rule}", returncode=2) from exc
        except json.JSONDecodeError as exc:
            raise CommandError(f"Berkas aturan bukan JSON yang sah: {exc}", returncode=2) from exc
        try:
            parsed = domain.parse_rule(data)
        except domain.RuleError as exc:
            raise CommandError(str(exc), returncode=2) from exc
        rows = selectors.screened_rows_with_reasons(rule=parsed, as_of=on, chunk_size=CHUNK)
        if format == "json":
            self._json(on, rows)
        else:
            self._text(on, rows)

    def _json(self, on: dt.date, rows: Any) -> None:
        write = self.stdout.write
        text = encode_basestring  # a JSON string, as json.dumps(..., ensure_ascii=False) writes it
        encoded: dict[str, str] = {}  # the same reason recurs for thousands of people: encode it once

        def reasons_json(reasons: list[str]) -> str:
            parts = []
            for reason in reasons:
                part = encoded.get(reason)
                if part is None:
                    part = encoded[reason] = text(reason)
                parts.append(part)
            return "[" + ", ".join(parts) + "]"

        # Rows come in any order; the eligible go straight out, the others wait in a spool (memory, then
        # disk past a few megabytes) until the eligible list is closed.
        write(f'{{"as_of": "{on.isoformat()}", "eligible": [', ending="")
        spool = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024, mode="w+", encoding="utf-8")
        shown: list[str] = []
        held: list[str] = []
        wrote = spooled = False
        evaluated = 0
        for registration, unit, eligible, reasons in rows:
            evaluated += 1
            if eligible:
                shown.append(f'{{"no_registrasi": {text(registration)}, "upt": {text(unit)}}}')
                if len(shown) >= CHUNK:
                    write((", " if wrote else "") + ", ".join(shown), ending="")
                    wrote = True
                    shown.clear()
            else:
                held.append(
                    f'{{"no_registrasi": {text(registration)}, "upt": {text(unit)}, '
                    f'"reasons": {reasons_json(reasons)}}}'
                )
                if len(held) >= CHUNK:
                    spool.write((", " if spooled else "") + ", ".join(held))
                    spooled = True
                    held.clear()
        if shown:
            write((", " if wrote else "") + ", ".join(shown), ending="")
        write('], "ineligible": [', ending="")
        spool.seek(0)
        while block := spool.read(1024 * 1024):
            write(block, ending="")
        spool.close()
        if held:
            write((", " if spooled else "") + ", ".join(held), ending="")
        write(f'], "evaluated": {evaluated}}}')

    def _text(self, on: dt.date, rows: Any) -> None:
        evaluated = eligible_count = 0
        lines = []
        for registration, unit, eligible, reasons in rows:
            evaluated += 1
            if eligible:
                eligible_count += 1
            else:
                lines.append(f"  {unit} {registration}: {'; '.join(reasons)}")
        self.stdout.write(f"Per {on:%d-%m-%Y}: {eligible_count} memenuhi syarat dari {evaluated} orang.")
        for line in lines:
            self.stdout.write(line)
