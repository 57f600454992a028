"""sinergi report (--agreement ID | --program ID) --from YYYY-MM-DD --to YYYY-MM-DD --format pdf|xlsx
[--lang id|en] --output FILE: the joint periodic report, written as the system (no suppression)."""

from __future__ import annotations

import datetime as dt
import getpass
import hashlib
import os
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext_lazy

from sinergi.audit.services import audit_record
from sinergi.core.errors import ApplicationError
from sinergi.reports import joint, services

NOT_A_DATE = gettext_lazy(
    "%(flag)s “%(value)s” is not a date: write it as YYYY-MM-DD, for example 2022-12-31."
)


def _os_user() -> str:
    """Who ran the command: the login name, or the user id when the process has none (a container under an
    arbitrary uid, cron with an empty environment: `getpass.getuser()` then raises)."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return f"uid {os.getuid()}"


def _date(value: str, flag: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        # In the user's language (Bahasa Indonesia: the settings' language, which commands run in).
        raise CommandError(str(NOT_A_DATE % {"flag": flag, "value": value})) from exc


class Command(BaseCommand):
    help = "Write the joint periodic report (Laporan Pelaksanaan Kerja Sama) of an agreement or a program."

    def add_arguments(self, parser: CommandParser) -> None:
        subject = parser.add_mutually_exclusive_group(required=True)
        subject.add_argument("--agreement", type=int, help="agreement id")
        subject.add_argument("--program", type=int, help="program id")
        parser.add_argument("--from", dest="start", required=True, help="first day, YYYY-MM-DD")
        parser.add_argument("--to", dest="end", required=True, help="last day, YYYY-MM-DD")
        parser.add_argument("--format", dest="fmt", choices=("pdf", "xlsx"), required=True)
        parser.add_argument("--lang", choices=("id", "en"), default="id")
        parser.add_argument("--output", required=True, help="file to write")

    def handle(self, *args: Any, **options: Any) -> None:
        start = _date(options["start"], "--from")
        end = _date(options["end"], "--to")
        for problem in services.period_problems(start, end):
            raise CommandError(f"{problem} (--from {start}, --to {end})")
        os_user = _os_user()  # before anything is written: the pseudonyms and the audit event need it
        try:
            agreement, program = services.report_subject(
                actor=None, agreement_id=options["agreement"], program_id=options["program"]
            )
            content = joint.build(
                actor=None,
                agreement=agreement,
                program=program,
                start=start,
                end=end,
                language=options["lang"],
                # The data sheet's pseudonyms are keyed by who ran the command (docs/security.md).
                requester=f"cli:{os_user}",
            )
            data, data_rows = services.render_counted(content, options["fmt"])
        except ApplicationError as exc:
            raise CommandError(str(exc.message)) from exc
        output = Path(options["output"])
        checksum = hashlib.sha256(data).hexdigest()
        # The report goes to a hidden file beside the output, is audited, and only then takes the output's
        # name: an audit that fails (a read-only database, a lost connection) leaves no report behind that
        # nobody can trace.
        partial = output.with_name(f".{output.name}.{os.getpid()}.partial")
        try:
            partial.write_bytes(data)
            audit_record(
                actor=None,
                action="report.generate",
                target=agreement or program,
                changes={
                    "from": str(start),
                    "to": str(end),
                    "format": options["fmt"],
                    "checksum": checksum,
                    "size": len(data),
                    "data_rows": data_rows,
                    "output": str(output.resolve()),
                    "os_user": os_user,
                },
            )
            partial.replace(output)
        except OSError as exc:
            raise CommandError(f"Laporan tidak ditulis ke {output}: {exc.strerror or exc}.") from exc
        finally:
            partial.unlink(missing_ok=True)
        self.stdout.write(f"{output} ({len(data)} bytes, SHA-256 {checksum})")
