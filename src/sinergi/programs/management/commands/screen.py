"""`sinergi screen --rule FILE.json --as-of YYYY-MM-DD [--format json]`: evaluate a rule; saves nothing."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from sinergi.programs import domain
from sinergi.programs.selectors import screen


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
        evaluated, eligible, ineligible = screen(actor=None, rule=parsed, as_of=on)
        payload: dict[str, Any] = {
            "as_of": on.isoformat(),
            "evaluated": evaluated,
            "eligible": [{"no_registrasi": e.registration_number, "upt": e.unit.code} for e in eligible],
            "ineligible": [
                {"no_registrasi": e.registration_number, "upt": e.unit.code, "reasons": reasons}
                for e, reasons in ineligible
            ],
        }
        if format == "json":
            self.stdout.write(json.dumps(payload, ensure_ascii=False))
            return
        self.stdout.write(f"Per {on:%d-%m-%Y}: {len(eligible)} memenuhi syarat dari {evaluated} orang.")
        for item in payload["ineligible"]:
            self.stdout.write(f"  {item['upt']} {item['no_registrasi']}: {'; '.join(item['reasons'])}")
