"""`sinergi screen --rule FILE.json --as-of YYYY-MM-DD [--format json]`: evaluate a rule; saves nothing.

The JSON is written as the rows arrive from one query (in no particular order; the people not eligible are
spooled until the eligible list is closed), so memory stays flat however large the registry; "evaluated"
comes last because it is known only at the end. Eligibility is decided in SQL; on PostgreSQL the query
also writes each person's JSON object, reasons included (selectors.screened_json), so no Python runs per
person.
"""

from __future__ import annotations

import datetime as dt
import json
import tempfile
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from sinergi.core.dates import long_date
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
            raise CommandError(
                _("--as-of must be in the form YYYY-MM-DD, not “{value}”.").format(value=as_of), returncode=2
            ) from exc
        path = Path(rule)
        try:
            data = json.loads(path.read_text(encoding="utf-8-sig"))
        except FileNotFoundError as exc:
            raise CommandError(_("Rule file not found: {path}").format(path=rule), returncode=2) from exc
        except json.JSONDecodeError as exc:
            raise CommandError(
                _("The rule file is not valid JSON: {reason}").format(reason=exc), returncode=2
            ) from exc
        try:
            parsed = domain.parse_rule(data)
        except domain.RuleError as exc:
            raise CommandError(str(exc), returncode=2) from exc
        if format == "json":
            self._json(on, selectors.screened_json(rule=parsed, as_of=on, chunk_size=CHUNK))
        else:
            self._text(on, selectors.screened_rows_with_reasons(rule=parsed, as_of=on, chunk_size=CHUNK))

    def _json(self, on: dt.date, rows: Any) -> None:
        write = self.stdout.write
        # Rows come in any order, each person's JSON object already written (selectors.screened_json); the
        # eligible go straight out, the others wait in a spool (memory, then disk past a few megabytes)
        # until the eligible list is closed.
        write(f'{{"as_of": "{on.isoformat()}", "eligible": [', ending="")
        spool = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024, mode="w+", encoding="utf-8")
        shown: list[str] = []
        held: list[str] = []
        wrote = spooled = False
        evaluated = 0
        for eligible, item in rows:
            evaluated += 1
            if eligible:
                shown.append(item)
                if len(shown) >= CHUNK:
                    write((", " if wrote else "") + ", ".join(shown), ending="")
                    wrote = True
                    shown.clear()
            else:
                held.append(item)
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
        summary = _("As of {date}: {eligible} of {evaluated} people are eligible.")
        self.stdout.write(summary.format(date=long_date(on), eligible=eligible_count, evaluated=evaluated))
        for line in lines:
            self.stdout.write(line)
