"""`sinergi screen --rule FILE.json --as-of YYYY-MM-DD [--format json]`: evaluate a rule; saves nothing.

The JSON is written as the rows arrive from one query (eligible first, then the others, each by unit and
registration number), so memory stays flat however large the registry; "evaluated" comes last because it
is known only at the end. Eligibility is decided in SQL; the reasons are worked out from the facts the
same query returns.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from sinergi.programs import domain, selectors

CHUNK = 2000


class Command(BaseCommand):
    help = "Evaluate an eligibility rule file over the whole registry as of a date. Nothing is saved."

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
        text = json.JSONEncoder(ensure_ascii=False).encode
        out: list[str] = [f'{{"as_of": "{on.isoformat()}", "eligible": [']
        evaluated = 0
        in_eligible = True
        first = True
        for registration, unit, eligible, reasons in rows:
            if in_eligible and not eligible:
                out.append('], "ineligible": [')
                in_eligible, first = False, True
            item = f'{{"no_registrasi": {text(registration)}, "upt": {text(unit)}'
            if not eligible:
                item += f', "reasons": {text(reasons)}'
            out.append(("" if first else ", ") + item + "}")
            first = False
            evaluated += 1
            if len(out) >= CHUNK:
                write("".join(out), ending="")
                out.clear()
        if in_eligible:
            out.append('], "ineligible": [')
        out.append(f'], "evaluated": {evaluated}}}')
        write("".join(out))

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
