"""Background jobs for the web import: check (a dry run) and import."""

from __future__ import annotations

from typing import Any

from django.utils.translation import ngettext
from django_tasks import task

from sinergi.jobs.models import Job
from sinergi.jobs.services import JobHandle, job_run


def _run(job_id: str, *, dry_run: bool) -> None:
    from sinergi.beneficiaries.services import import_batch_run

    batch_id = int(Job.objects.get(pk=job_id).params["batch"])

    def work(handle: JobHandle) -> dict[str, Any]:
        return import_batch_run(
            batch_id=batch_id,
            dry_run=dry_run,
            progress=lambda rows: handle.progress(
                rows, message=ngettext("%(rows)s row", "%(rows)s rows", rows) % {"rows": rows}
            ),
        )

    job_run(job_id, work)


@task()
def import_check_task(job_id: str) -> None:
    _run(job_id, dry_run=True)


@task()
def import_run_task(job_id: str) -> None:
    _run(job_id, dry_run=False)
