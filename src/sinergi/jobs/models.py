"""Persisted background jobs: status, progress and result, for pages to poll."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from sinergi.jobs.choices import JobStatus


class Job(models.Model):
    """One piece of long work (an import, a report, a check) run by `sinergi worker`."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(_("kind"), max_length=60, db_index=True)
    title = models.CharField(_("title"), max_length=200)
    status = models.CharField(
        _("status"), max_length=10, choices=JobStatus.choices, default=JobStatus.QUEUED, db_index=True
    )
    progress_done = models.PositiveIntegerField(_("done"), default=0)
    progress_total = models.PositiveIntegerField(_("total"), default=0)
    message = models.CharField(_("message"), max_length=500, blank=True)
    params = models.JSONField(_("parameters"), default=dict, blank=True)
    result = models.JSONField(_("result"), default=dict, blank=True)
    error = models.TextField(_("error"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="jobs",
        verbose_name=_("started by"),
    )
    # What to enqueue again on a retry: the task's dotted path and queue (the task reads `params` itself).
    task_path = models.CharField(_("task"), max_length=200, blank=True)
    queue_name = models.CharField(_("queue"), max_length=60, blank=True)
    attempt = models.PositiveIntegerField(_("attempt"), default=1)
    # A running job's worker touches this every few seconds; a job whose heartbeat is older than the lease
    # has lost its worker (killed, machine gone) and is marked failed so it can be retried.
    heartbeat_at = models.DateTimeField(_("last sign of life"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True, db_index=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("background job")
        verbose_name_plural = _("background jobs")

    def __str__(self) -> str:
        return self.title

    @property
    def is_finished(self) -> bool:
        return self.status in (JobStatus.SUCCEEDED, JobStatus.FAILED)

    @property
    def percent(self) -> int:
        if self.status == JobStatus.SUCCEEDED:
            return 100
        if not self.progress_total:
            return 0
        return min(100, round(100 * self.progress_done / self.progress_total))


class ScheduledRun(models.Model):
    """One run of a scheduled job on one day. The unique key means only one worker starts it."""

    name = models.CharField(max_length=100)
    run_on = models.DateField()
    job = models.ForeignKey(Job, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("scheduled run")
        constraints = [models.UniqueConstraint(fields=["name", "run_on"], name="scheduled_run_once_a_day")]

    def __str__(self) -> str:
        return f"{self.name} {self.run_on}"
