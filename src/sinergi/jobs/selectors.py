"""Reads over background jobs: a user sees the jobs they started; administrators see all."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from sinergi.accounts.choices import Role
from sinergi.core.errors import NotFoundError
from sinergi.jobs.models import Job


def job_list(*, actor: Any) -> QuerySet[Job]:
    """Jobs visible to the actor, newest first."""
    qs = Job.objects.select_related("created_by").order_by("-created_at")
    if getattr(actor, "role", None) == Role.ADMIN:
        return qs
    return qs.filter(created_by_id=actor.pk)


def job_get(*, actor: Any, job_id: Any) -> Job:
    """One job in the actor's scope, or NotFoundError."""
    job = job_list(actor=actor).filter(pk=job_id).first()
    if job is None:
        raise NotFoundError()
    return job
