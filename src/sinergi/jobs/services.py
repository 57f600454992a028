"""Starting background jobs, reporting their progress, noticing jobs whose worker died, and retrying.

A job is enqueued after the surrounding transaction commits, so the worker never sees a job whose row
does not exist yet. The task then calls `job_run`, which records start, progress, result or failure, and
keeps a heartbeat while the work runs. A running job whose heartbeat stops (the worker was killed, ran out
of memory or lost its machine) is marked failed by `jobs_fail_stale`, and `job_retry` enqueues it again.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db import DatabaseError, OperationalError, close_old_connections, connections, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sinergi.accounts.choices import Role
from sinergi.audit.services import audit_record
from sinergi.core.errors import ApplicationError, ForbiddenError
from sinergi.jobs.choices import JobStatus
from sinergi.jobs.models import Job

logger = logging.getLogger(__name__)

JOB_STALE = gettext_lazy(
    "The background worker stopped while running this job (it was stopped or its machine failed). "
    "Nothing was half-saved. You can run the job again."
)
JOB_CANNOT_RETRY = gettext_lazy("This job cannot be run again from here. Start it again from its page.")


def _task_path(task: Any) -> str:
    return str(getattr(task, "module_path", "") or "")


def job_start(*, actor: Any, kind: str, title: str, task: Any, params: dict[str, Any] | None = None) -> Job:
    """Record a job and enqueue `task(job_id=...)` once the transaction commits."""
    user = actor if getattr(actor, "is_authenticated", False) else None
    with transaction.atomic():
        job = Job.objects.create(
            kind=kind,
            title=title,
            params=params or {},
            created_by=user,
            task_path=_task_path(task),
            queue_name=str(getattr(task, "queue_name", "") or ""),
        )
        audit_record(actor=actor, action="job.start", target=job, changes={"kind": kind})
        transaction.on_commit(lambda: task.enqueue(job_id=str(job.pk)))
    return job


class JobHandle:
    """What a running task uses to report progress."""

    def __init__(self, job: Job) -> None:
        self.job = job

    def progress(self, done: int, total: int | None = None, message: str = "") -> None:
        fields: dict[str, Any] = {"progress_done": done, "heartbeat_at": timezone.now()}
        if total is not None:
            fields["progress_total"] = total
        if message:
            fields["message"] = message[:500]
        Job.objects.filter(pk=self.job.pk, attempt=self.job.attempt).update(**fields)


class _Heartbeat:
    """A thread that touches the job's heartbeat every JOB_HEARTBEAT_SECONDS while the work runs.

    It uses its own database connection (the work may hold a long transaction on the task's), and it
    sleeps first, so a short job never writes a heartbeat at all. It is a daemon and is not waited for:
    a heartbeat stuck behind a lock must not keep a finished job from reporting its result.
    """

    def __init__(self, job: Job) -> None:
        self.job_id, self.attempt = job.pk, job.attempt
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._beat, name=f"sinergi-heartbeat-{job.pk}", daemon=True)

    def _beat(self) -> None:
        try:
            while not self.stop.wait(settings.JOB_HEARTBEAT_SECONDS):
                try:
                    Job.objects.filter(pk=self.job_id, attempt=self.attempt, status=JobStatus.RUNNING).update(
                        heartbeat_at=timezone.now()
                    )
                except DatabaseError:
                    # A table locked for a moment (SQLite) or a dropped connection: this beat is missed, the
                    # next one tries again. Stopping here would let a living job be failed as stale.
                    logger.warning("Job %s: heartbeat missed", self.job_id, exc_info=True)
                    close_old_connections()
        except Exception:
            logger.exception("Job %s: heartbeat stopped", self.job_id)
        finally:
            connections.close_all()

    def __enter__(self) -> _Heartbeat:
        self.thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.stop.set()


def job_run(job_id: str, work: Callable[[JobHandle], dict[str, Any]]) -> None:
    """Run `work` for the job, marking it running, then finished with its result or failed with a message.

    Every write names the attempt it belongs to, so a worker that was given up for dead (and whose job was
    retried) cannot overwrite what the new attempt reports.
    """
    job = Job.objects.get(pk=job_id)
    now = timezone.now()
    Job.objects.filter(pk=job.pk, attempt=job.attempt).update(
        status=JobStatus.RUNNING, started_at=now, heartbeat_at=now
    )
    this_attempt = Job.objects.filter(pk=job.pk, attempt=job.attempt)
    try:
        with _Heartbeat(job):
            result = work(JobHandle(job))
    except ApplicationError as exc:
        this_attempt.update(status=JobStatus.FAILED, error=str(exc.message), finished_at=timezone.now())
        return
    except Exception:
        logger.exception("Job %s (%s) failed", job.pk, job.kind)
        this_attempt.update(
            status=JobStatus.FAILED,
            error=_("An unexpected error stopped this job. Nothing was half-saved. Tell the administrator."),
            finished_at=timezone.now(),
        )
        return
    this_attempt.update(status=JobStatus.SUCCEEDED, result=result, finished_at=timezone.now(), message="")


def _stale(now: dt.datetime) -> Q:
    cutoff = now - dt.timedelta(seconds=settings.JOB_LEASE_SECONDS)
    return Q(status=JobStatus.RUNNING) & (
        Q(heartbeat_at__lt=cutoff)
        | Q(heartbeat_at__isnull=True, started_at__lt=cutoff)
        | Q(heartbeat_at__isnull=True, started_at__isnull=True, created_at__lt=cutoff)
    )


def jobs_fail_stale(*, job_id: Any = None, now: dt.datetime | None = None) -> int:
    """Mark failed every running job (or the one given) whose worker has shown no sign of life for the
    lease (settings.JOB_LEASE_SECONDS); return how many. The worker calls this every few seconds, and the
    job page calls it for the job it shows, so a dead worker's job is reported even when no worker runs."""
    now = now or timezone.now()
    jobs = Job.objects.all()
    if job_id is not None:
        jobs = jobs.filter(pk=job_id)
    stale = list(jobs.filter(_stale(now)).values_list("pk", "attempt"))
    failed = 0
    for pk, attempt in stale:
        # A job whose row is locked is alive: its work holds the row in its own transaction (the import
        # writes its progress there), and its heartbeat lands when that commits. Skip it rather than wait
        # for it: this runs on every poll of the job page. SQLite has no row locks; a busy database there
        # raises "database is locked" after its timeout, and the job is looked at again on the next poll.
        try:
            with transaction.atomic():
                alive = not Job.objects.select_for_update(skip_locked=True).filter(pk=pk).exists()
                if alive:
                    continue
                # The same condition again in the UPDATE: a heartbeat that arrived meanwhile wins.
                marked = Job.objects.filter(_stale(now), pk=pk, attempt=attempt).update(
                    status=JobStatus.FAILED, error=str(JOB_STALE), finished_at=now
                )
        except OperationalError:
            continue
        failed += marked
        if marked:
            logger.warning("Job %s: no heartbeat for %ss, marked failed", pk, settings.JOB_LEASE_SECONDS)
    return failed


def job_can_retry(*, actor: Any, job: Job) -> bool:
    """Whether the actor may run this job again now: it failed, its task is known, and the actor started it
    (or is an administrator)."""
    if job.status != JobStatus.FAILED or not job.task_path:
        return False
    return getattr(actor, "role", None) == Role.ADMIN or (
        job.created_by_id is not None and job.created_by_id == getattr(actor, "pk", None)
    )


def job_retry(*, actor: Any, job: Job) -> tuple[Job, bool]:
    """Enqueue a failed job again, with the same parameters, as its next attempt. Returns the job and whether
    this call retried it: a job that is no longer failed (someone retried it already) is left alone, so
    retrying twice runs it once. Only the user who started the job, or an administrator, may retry."""
    is_admin = getattr(actor, "role", None) == Role.ADMIN
    if not is_admin and (job.created_by_id is None or job.created_by_id != getattr(actor, "pk", None)):
        raise ForbiddenError()
    if job.status != JobStatus.FAILED:
        return job, False
    if not job.task_path:
        raise ApplicationError(JOB_CANNOT_RETRY, code="invalid")
    task = import_string(job.task_path)
    if job.queue_name:
        task = task.using(queue_name=job.queue_name)
    with transaction.atomic():
        retried = Job.objects.filter(pk=job.pk, status=JobStatus.FAILED).update(
            status=JobStatus.QUEUED,
            attempt=F("attempt") + 1,
            progress_done=0,
            message="",
            result={},
            error="",
            started_at=None,
            heartbeat_at=None,
            finished_at=None,
        )
        if retried:
            job.refresh_from_db()
            audit_record(
                actor=actor,
                action="job.retry",
                target=job,
                changes={"kind": job.kind, "attempt": job.attempt},
            )
            job_id = str(job.pk)
            transaction.on_commit(lambda: task.enqueue(job_id=job_id))
    if not retried:
        job.refresh_from_db()
    return job, bool(retried)
