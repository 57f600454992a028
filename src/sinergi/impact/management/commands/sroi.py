"""`sinergi sroi FILE.json [--format json]`: compute a value-map file (the format value maps export to)."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from sinergi.impact.domain import (
    ValueMapError,
    loads_value_map,
    parse_value_map,
    sroi,
    sroi_summary,
    to_json,
)


def _rupiah(value: Decimal) -> str:
    amount = value.quantize(Decimal(1), rounding=ROUND_HALF_UP)
    sign = "-" if amount < 0 else ""
    return f"{sign}Rp {abs(int(amount)):,}".replace(",", ".")


def _plain(value: Decimal, places: str = "0.01") -> str:
    return str(value.quantize(Decimal(places), rounding=ROUND_HALF_UP)).replace(".", ",")


class Command(BaseCommand):
    help = (
        "Compute SROI from a value-map file: present value, net present value, ratio and net ratio. "
        "Exit 1 for a value map with problems, 2 for a file that cannot be read."
    )
    # Pure arithmetic on a file: no database needed.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("file", help="A value-map JSON file (the format a value map exports).")
        parser.add_argument("--format", choices=["text", "json"], default="text")

    def handle(self, *args: Any, file: str, format: str = "text", **options: Any) -> None:
        path = Path(file)
        try:
            text = path.read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as exc:
            message = _("%(file)s cannot be read: %(reason)s") % {
                "file": file,
                "reason": getattr(exc, "strerror", None) or exc.__class__.__name__,
            }
            raise CommandError(message, returncode=2) from exc
        try:
            data = loads_value_map(text)
        except ValueError as exc:
            line = getattr(exc, "lineno", "?")
            column = getattr(exc, "colno", "?")
            message = _("%(file)s is not valid JSON (line %(line)s, column %(column)s).") % {
                "file": file,
                "line": line,
                "column": column,
            }
            raise CommandError(message, returncode=2) from exc
        try:
            result = sroi(parse_value_map(data))
        except ValueMapError as exc:
            raise CommandError(
                _("%(file)s: %(problems)s") % {"file": file, "problems": "; ".join(map(str, exc.problems))},
                returncode=1,
            ) from exc
        if format == "json":
            self.stdout.write(to_json(sroi_summary(result)))
            return
        lines = [
            _("Present value: %(value)s") % {"value": _rupiah(result.present_value)},
            _("Inputs: %(value)s") % {"value": _rupiah(result.inputs)},
            _("Net present value: %(value)s") % {"value": _rupiah(result.net_present_value)},
            _("SROI ratio: %(value)s : 1") % {"value": _plain(result.ratio)},
            _("Net ratio: %(value)s") % {"value": _plain(result.net_ratio)},
            (
                _("Payback period: %(months)s months") % {"months": _plain(result.payback_months, "0.1")}
                if result.payback_months is not None
                else _("Payback period: the value does not cover the inputs")
            ),
        ]
        for outcome in result.outcomes:
            lines.append(
                _("- %(name)s: impact in year 1 %(impact)s, present value %(pv)s")
                % {
                    "name": outcome.name,
                    "impact": _rupiah(outcome.impact),
                    "pv": _rupiah(outcome.present_value),
                }
            )
        self.stdout.write("\n".join(lines))
