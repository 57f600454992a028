"""Starting background jobs and reporting their progress.

A job is enqueued after the surrounding transaction commits, so the worker never sees a job whose row
does not exist yet. The task then calls `job_run`, which records start, progress, result or failure.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from sinergi.audit.services import audit_record
from sinergi.core.errors import ApplicationError
from sinergi.jobs.choices import JobStatus
from sinergi.jobs.models import Job

logger = logging.getLogger(__name__)


def job_start(*, actor: Any, kind: str, title: str, task: Any, params: dict[str, Any] | None = None) -> Job:
    """Record a job and enqueue `task(job_id=...)` once the transaction commits."""
    user = actor if getattr(actor, "is_authenticated", False) else None
    with transaction.atomic():
        job = Job.objects.create(kind=kind, title=title, params=params or {}, created_by=user)
        audit_record(actor=actor, action="job.start", target=job, changes={"kind": kind})
        transaction.on_commit(lambda: task.enqueue(job_id=str(job.pk)))
    return job


class JobHandle:
    """What a running task uses to report progress."""

    def __init__(self, job: Job) -> None:
        self.job = job

    def progress(self, done: int, total: int | None = None, message: str = "") -> None:
        fields: dict[str, Any] = {"progress_done": done}
        if total is not None:
            fields["progress_total"] = total
        if message:
            fields["message"] = message[:500]
        Job.objects.filter(pk=self.job.pk).update(**fields)


def job_run(job_id: str, work: Callable[[JobHandle], dict[str, Any]]) -> None:
    """Run `work` for the job, marking it running, then finished with its result or failed with a message."""
    job = Job.objects.get(pk=job_id)
    Job.objects.filter(pk=job.pk).update(status=JobStatus.RUNNING, started_at=timezone.now())
    try:
        result = work(JobHandle(job))
    except ApplicationError as exc:
        Job.objects.filter(pk=job.pk).update(
            status=JobStatus.FAILED, error=str(exc.message), finished_at=timezone.now()
        )
        return
    except Exception:
        logger.exception("Job %s (%s) failed", job.pk, job.kind)
        Job.objects.filter(pk=job.pk).update(
            status=JobStatus.FAILED,
            error=_("An unexpected error stopped this job. Nothing was half-saved. Tell the administrator."),
            finished_at=timezone.now(),
        )
        return
    Job.objects.filter(pk=job.pk).update(
        status=JobStatus.SUCCEEDED, result=result, finished_at=timezone.now(), message=""
    )
