"""Daily jobs. `sinergi worker` checks every few minutes which are due; `sinergi schedule` checks once.

Each entry is a job name, its title and the dotted path of a function that takes no arguments and returns a
JSON-able result. A run is recorded per name and day, so however many workers check, each runs once a day.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _
from django_tasks import task

from sinergi.jobs.models import ScheduledRun
from sinergi.jobs.services import JobHandle, job_run, job_start

SCHEDULE: dict[str, tuple[Any, str]] = {
    "agreements.expiry_alerts": (
        _("Agreement expiry warnings (90, 60 and 30 days)"),
        "sinergi.partnerships.services.expiry_alerts_send",
    ),
    "programs.handovers": (
        _("Releases recorded without a release event (safety net for the handover)"),
        "sinergi.programs.services.handovers_due",
    ),
    "aftercare.reminders": (
        _("Overdue follow-ups and missed reports, to the PK"),
        "sinergi.aftercare.services.reminders_send",
    ),
    "impact.budget_thresholds": (
        _("Budget lines that reached 90% or 100% through aid recorded in aftercare"),
        "sinergi.impact.services.budget_thresholds_check",
    ),
    "beneficiaries.registry_log_prune": (
        _("Registry change log kept short (for the import's unchanged-file check)"),
        "sinergi.beneficiaries.services.registry_log_prune",
    ),
    "impact.recidivism_log_prune": (
        _("Recidivism change log kept short (for the kept recidivism figures)"),
        "sinergi.impact.kept.prune",
    ),
    "reports.subject_exports_expire": (
        _("Subject-access PDFs deleted after their retention"),
        "sinergi.reports.subject_jobs.subject_exports_expire",
    ),
}


@task()
def scheduled_job_task(job_id: str) -> None:
    from sinergi.jobs.models import Job

    name = Job.objects.get(pk=job_id).kind
    function = import_string(SCHEDULE[name][1])

    def work(handle: JobHandle) -> dict[str, Any]:
        result = function()
        return result if isinstance(result, dict) else {"result": result}

    job_run(job_id, work)


def schedule_due(*, today: dt.date | None = None) -> list[str]:
    """Start every scheduled job that has not run today; return the names started."""
    today = today or timezone.localdate()
    started: list[str] = []
    for name, (title, _path) in SCHEDULE.items():
        try:
            with transaction.atomic():
                run = ScheduledRun.objects.create(name=name, run_on=today)
                job = job_start(actor=None, kind=name, title=str(title), task=scheduled_job_task)
                ScheduledRun.objects.filter(pk=run.pk).update(job=job)
        except IntegrityError:
            continue
        started.append(name)
    return started
