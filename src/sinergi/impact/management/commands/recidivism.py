"""`sinergi recidivism (--program ID | --agreement ID) --window MONTHS --as-of YYYY-MM-DD [--format json]`."""

from __future__ import annotations

import datetime as dt
import sys
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, NoReturn

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from django.utils.translation import gettext as _

from sinergi.impact import access, domain, selectors
from sinergi.partnerships.models import Agreement
from sinergi.programs.models import Program


def _percent(value: Decimal | None) -> str:
    if value is None:
        return "–"
    return str((value * 100).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)).replace(".", ",") + "%"


def _interval(interval: domain.Interval | None) -> str:
    if interval is None:
        return ""
    return f" (95% CI {_percent(interval.low)} – {_percent(interval.high)})"


class Command(BaseCommand):
    help = (
        "Recidivism of a program's (or an agreement's) participants against a matched comparison group "
        "from the registry: people released since the program started whose follow-up window has closed."
    )

    def create_parser(self, prog_name: str, subcommand: str, **kwargs: Any) -> CommandParser:
        parser = super().create_parser(prog_name, subcommand, **kwargs)

        def error(message: str) -> NoReturn:
            # One line, never the usage block or a traceback.
            sys.stderr.write(f"{subcommand}: {message}\n")
            sys.exit(2)

        parser.error = error  # type: ignore[method-assign]
        return parser

    def add_arguments(self, parser: Any) -> None:
        which = parser.add_mutually_exclusive_group(required=True)
        which.add_argument("--program", type=int, help="The program's id.")
        which.add_argument(
            "--agreement", type=int, help="The agreement's id (its programs and those of its PKS)."
        )
        parser.add_argument(
            "--window", type=int, required=True, help="Follow-up window F: 12, 24 or 60 months."
        )
        parser.add_argument("--as-of", required=True, help="The day the figure is computed for, YYYY-MM-DD.")
        parser.add_argument("--format", choices=["text", "json"], default="text")

    def handle(self, *args: Any, **options: Any) -> None:
        problems = domain.window_problems(options["window"])
        if problems:
            raise CommandError(problems[0])
        try:
            as_of = dt.date.fromisoformat(options["as_of"])
        except ValueError as exc:
            raise CommandError(
                _("--as-of must be a date written YYYY-MM-DD, not %(value)s.") % {"value": options["as_of"]}
            ) from exc
        problems = access.as_of_problems(None, as_of, today=timezone.localdate())
        if problems:  # a future day would count planned releases as releases
            raise CommandError(problems[0])
        if options["program"] is not None:
            programs = Program.objects.filter(pk=options["program"])
            if not programs.exists():
                raise CommandError(_("There is no program %(id)s.") % {"id": options["program"]})
        else:
            agreement = Agreement.objects.filter(pk=options["agreement"]).first()
            if agreement is None:
                raise CommandError(_("There is no agreement %(id)s.") % {"id": options["agreement"]})
            programs = selectors.programs_of_agreement(agreement)
        result = selectors.recidivism(programs=programs, months=options["window"], as_of=as_of)
        if options["format"] == "json":
            self.stdout.write(domain.to_json(domain.recidivism_summary(result)))
            return
        p, c = result.participants, result.comparison
        lines = [
            _("Released %(start)s to %(end)s, %(months)s months of follow-up, as of %(as_of)s")
            % {"start": result.start, "end": result.end, "months": result.months, "as_of": result.as_of},
            _("Participants: %(k)s of %(n)s re-offended, %(rate)s%(ci)s; %(waiting)s still waiting")
            % {
                "k": p.reoffended,
                "n": p.n,
                "rate": _percent(p.rate),
                "ci": _interval(p.interval),
                "waiting": p.waiting,
            },
            _(
                "Comparison group: %(k)s of %(n)s re-offended, reweighted %(rate)s%(ci)s; "
                "%(unmatched)s participants unmatched"
            )
            % {
                "k": c.reoffended,
                "n": c.comparison_n,
                "rate": _percent(c.rate),
                "ci": _interval(c.interval),
                "unmatched": c.unmatched_participants,
            },
            _("Difference (matched participants − comparison): %(diff)s%(ci)s")
            % {"diff": _percent(result.difference), "ci": _interval(result.difference_interval)},
        ]
        self.stdout.write("\n".join(lines))
