from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema

from sinergi.core.access import ANY_ROLE, require_roles
from sinergi.jobs.models import Job
from sinergi.jobs.selectors import job_get
from sinergi.jobs.services import job_retry, jobs_fail_stale

router = Router(tags=["jobs"])


class JobOut(Schema):
    id: uuid.UUID
    kind: str
    title: str
    status: str
    progress_done: int
    progress_total: int
    percent: int
    message: str
    result: dict[str, Any]
    error: str
    attempt: int
    created_at: datetime
    finished_at: datetime | None


class RetryOut(Schema):
    retried: bool
    job: JobOut


@router.get("/{job_id}", response=JobOut, summary="A background job's status and progress")
def job_detail(request: HttpRequest, job_id: uuid.UUID) -> Job:
    require_roles(request, ANY_ROLE)
    job = job_get(actor=request.user, job_id=job_id)
    if jobs_fail_stale(job_id=job.pk):
        job.refresh_from_db()
    return job


@router.post(
    "/{job_id}/retry",
    response=RetryOut,
    summary="Run a failed job again with the same parameters (a job that is not failed is left alone)",
)
def job_retry_api(request: HttpRequest, job_id: uuid.UUID) -> dict[str, Any]:
    require_roles(request, ANY_ROLE)
    job, retried = job_retry(actor=request.user, job=job_get(actor=request.user, job_id=job_id))
    return {"retried": retried, "job": job}
