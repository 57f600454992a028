from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema

from sinergi.core.access import ANY_ROLE, require_roles
from sinergi.jobs.models import Job
from sinergi.jobs.selectors import job_get

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
    created_at: datetime
    finished_at: datetime | None


@router.get("/{job_id}", response=JobOut, summary="A background job's status and progress")
def job_detail(request: HttpRequest, job_id: uuid.UUID) -> Job:
    require_roles(request, ANY_ROLE)
    return job_get(actor=request.user, job_id=job_id)
