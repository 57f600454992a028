"""A job for the queue tests: it counts how many times it ran, in its own row."""

from __future__ import annotations

from typing import Any

from django.db.models import F
from django_tasks import task

from sinergi.jobs.models import Job
from sinergi.jobs.services import JobHandle, job_run


def _count(handle: JobHandle) -> dict[str, Any]:
    Job.objects.filter(pk=handle.job.pk).update(progress_done=F("progress_done") + 1)
    return {"ok": True}


@task(queue_name="default")
def count_task(job_id: str) -> None:
    job_run(job_id, _count)
