"""`sinergi tallies [--check]`: rebuild the dashboards' kept counts (programs.tallies) from the recorded data.

They are kept in the transaction of every write; a rebuild is for after writes that bypassed the
application (a restore, SQL by hand). `--check` compares first and lists the sessions and cohorts whose
kept counts differ; with `--check` alone nothing is written and the exit status is 1 when any differ.
"""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from sinergi.programs import tallies


class Command(BaseCommand):
    help = "Rebuild the dashboards' kept counts (attendance per session, funnel per cohort)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--check", action="store_true", help="Only compare the kept counts with the recorded data."
        )

    def handle(self, *args: Any, check: bool = False, **options: Any) -> None:
        if check:
            found = tallies.differences()
            for kind, label in (("sessions", _("sessions")), ("cohorts", _("cohorts"))):
                ids = found[kind]
                shown = ", ".join(str(i) for i in ids[:20]) + (" …" if len(ids) > 20 else "")
                self.stdout.write(
                    _("%(n)s %(kind)s differ from the recorded data%(ids)s")
                    % {"n": len(ids), "kind": label, "ids": f": {shown}" if ids else ""}
                )
            if found["sessions"] or found["cohorts"]:
                raise CommandError(_("The kept counts differ; run `sinergi tallies` to rebuild them."))
            return
        started = time.monotonic()
        written = tallies.rebuild()
        self.stdout.write(
            _("Rebuilt the counts of %(sessions)s sessions and %(cohorts)s cohorts in %(seconds).1f s.")
            % {**written, "seconds": time.monotonic() - started}
        )
