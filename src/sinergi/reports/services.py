"""Writes of the reports app: asking for a joint report (kept with its parameters) and generating it."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable
from typing import Any, NoReturn

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sinergi.accounts.choices import Role
from sinergi.audit.services import audit_record
from sinergi.core.errors import ApplicationError, ForbiddenError, NotFoundError
from sinergi.jobs.services import job_start
from sinergi.partnerships.models import Agreement
from sinergi.programs.models import Program
from sinergi.reports import access, joint
from sinergi.reports.models import JointReport, ReportFormat, ReportLanguage

PERIOD_REVERSED = gettext_lazy("The period ends before it starts: swap the two dates.")
ONE_SUBJECT = gettext_lazy("Choose an agreement or a program (one of the two).")
AGREEMENT_MISSING = gettext_lazy("Agreement %(id)s does not exist.")
PROGRAM_MISSING = gettext_lazy("Program %(id)s does not exist.")
NO_RIGHTS = gettext_lazy(
    "You may not make this report: only administrators and the Kanwil and TJSL officers of a party to the "
    "agreement can."
)
BAD_FORMAT = gettext_lazy("The format is pdf or xlsx, the language id or en.")


def report_subject(
    *, actor: Any, agreement_id: int | None, program_id: int | None
) -> tuple[Agreement | None, Program | None]:
    """The agreement or program a report is about, checked against the actor's rights.

    A missing subject is refused as one of someone else's (403, `NO_RIGHTS`) to every actor that may not
    report on every agreement, so an id tried cannot tell whether it exists; only administrators (and the
    system) read "does not exist"."""
    if bool(agreement_id) == bool(program_id):
        raise ApplicationError(str(ONE_SUBJECT), code="subject")
    agreement = program = None
    if agreement_id:
        agreement = Agreement.objects.select_related("parent__parent").filter(pk=agreement_id).first()
        if agreement is None:
            _missing(actor, AGREEMENT_MISSING % {"id": agreement_id})
        target = agreement
    else:
        program = (
            Program.objects.select_related("agreement__parent__parent").filter(pk=program_id or 0).first()
        )
        if program is None:
            _missing(actor, PROGRAM_MISSING % {"id": program_id})
        target = program.agreement
    if not access.may_report(actor, target):
        raise ForbiddenError(str(NO_RIGHTS))
    return agreement, program


def _missing(actor: Any, message: Any) -> NoReturn:
    if actor is None or access.role_of(actor) == Role.ADMIN:
        raise NotFoundError(str(message))
    raise ForbiddenError(str(NO_RIGHTS))


DATA_ROWS = "data_rows"


def download_audit(report: JointReport) -> tuple[dict[str, Any], int]:
    """The filters and the count a download of the report is audited with: its parameters, and the number
    of participants' rows in its data sheet (reports made before the count was kept: 1)."""
    filters = {k: v for k, v in report.params.items() if k != DATA_ROWS}
    return filters, int(report.params.get(DATA_ROWS, 1))


def period_problems(start: dt.date, end: dt.date) -> list[str]:
    return [str(PERIOD_REVERSED)] if end < start else []


def report_request(
    *,
    actor: Any,
    agreement_id: int | None = None,
    program_id: int | None = None,
    start: dt.date,
    end: dt.date,
    fmt: str,
    language: str,
    notes: str = "",
) -> JointReport:
    """Keep the report's parameters and start the background job that generates it."""
    from sinergi.reports.tasks import joint_report_task

    agreement, program = report_subject(actor=actor, agreement_id=agreement_id, program_id=program_id)
    problems = period_problems(start, end)
    if problems:
        raise ApplicationError(problems[0], code="period")
    if fmt not in ReportFormat.values or language not in ReportLanguage.values:
        raise ApplicationError(str(BAD_FORMAT), code="format")
    params = {
        "agreement": agreement_id,
        "program": program_id,
        "from": start.isoformat(),
        "to": end.isoformat(),
        "format": fmt,
        "lang": language,
    }
    user = actor if getattr(actor, "is_authenticated", False) else None
    with transaction.atomic():
        report = JointReport.objects.create(
            agreement=agreement,
            program=program,
            period_start=start,
            period_end=end,
            fmt=fmt,
            language=language,
            notes=notes,
            params=params,
            created_by=user,
        )
        audit_record(actor=actor, action="report.request", target=report, changes=params)
        job = job_start(
            actor=actor,
            kind="report.joint",
            title=_("Joint report %(period)s") % {"period": f"{start.isoformat()} – {end.isoformat()}"},
            task=joint_report_task,
            params={"report": report.pk},
        )
        JointReport.objects.filter(pk=report.pk).update(job=job)
        report.job = job
    return report


def render_counted(content: joint.Content, fmt: str) -> tuple[bytes, int]:
    """The report rendered, and how many rows of its data sheet (one per participant, pseudonymised; none
    in a PDF) it holds: what the file discloses, for its audit event (web and `sinergi report` alike)."""
    written = [0]

    def counted(rows: Any) -> Any:
        for row in rows:
            written[0] += 1
            yield row

    content.data_rows = counted(content.data_rows)
    data = joint.render(content, fmt)
    return data, written[0]


def report_generate(
    *, report: JointReport, progress: Callable[[int, int, str], None] | None = None
) -> JointReport:
    """Build the report's content as its maker may see it, render it, and store the file with its checksum."""
    content = joint.build(
        actor=report.created_by,
        agreement=report.agreement,
        program=report.program,
        start=report.period_start,
        end=report.period_end,
        language=report.language,
        notes=report.notes,
        progress=progress,
    )
    # The file is written after the last section: for a PDF, WeasyPrint's layout and drawing are nearly all
    # of the job's time (profiled: ~3 s of ~3.4 s warm at load 5 on the demo; the checksum, storage, audit
    # and progress writes are milliseconds). Say so, or the page shows the last section's title meanwhile.
    if progress:
        step = len(joint.SECTION_KEYS)
        writing = (
            _("Printing the PDF (the longest step)") if report.fmt == "pdf" else _("Writing the XLSX file")
        )
        progress(step, step + 1, writing)
    data, data_rows = render_counted(content, report.fmt)
    checksum = hashlib.sha256(data).hexdigest()
    name = f"laporan-kerja-sama-{report.pk}-{checksum[:12]}.{report.fmt}"
    with transaction.atomic():
        report.file.save(name, ContentFile(data), save=False)
        report.checksum = checksum
        report.size = len(data)
        # The rows of the data sheet (a row per participant; none in a PDF): what a download discloses,
        # counted in its audit event (`download_audit`).
        report.params = {**report.params, DATA_ROWS: data_rows}
        report.save(update_fields=["file", "checksum", "size", "params"])
        audit_record(
            actor=None,
            action="report.generate",
            target=report,
            changes={"checksum": checksum, "size": len(data), "data_rows": data_rows},
        )
    if progress:
        progress(len(joint.SECTION_KEYS) + 1, len(joint.SECTION_KEYS) + 1, _("Done"))
    return report
