from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from sinergi.accounts.choices import Role
from sinergi.audit.selectors import audit_event_list
from sinergi.audit.services import audit_unseal
from sinergi.audit.tasks import audit_verify_task
from sinergi.core.access import require_roles
from sinergi.core.api import Offset
from sinergi.jobs.services import job_start

router = Router(tags=["audit"])


class EventOut(Schema):
    seq: int
    occurred_at: datetime
    actor_label: str
    action: str
    target_type: str
    target_id: str
    target_label: str
    changes: dict[str, Any]
    hash: str


class EventFilters(Schema):
    actor: str = ""
    action: str = ""
    target_type: str = ""
    target_id: str = ""
    date_from: date | None = None
    date_to: date | None = None
    limit: int = Field(100, ge=1, le=500)
    offset: Offset = 0


class JobRef(Schema):
    job_id: str


@router.get("/events", response=list[EventOut], summary="Audit events, newest first (administrators)")
def events(request: HttpRequest, filters: Query[EventFilters]) -> Any:
    require_roles(request, Role.ADMIN)
    data = {k: v for k, v in filters.dict().items() if v not in (None, "") and k not in ("limit", "offset")}
    events = audit_event_list(actor=request.user, filters=data)
    return audit_unseal(events[filters.offset : filters.offset + filters.limit])


@router.post("/verify", response={202: JobRef}, summary="Check the audit chain in the background")
def verify(request: HttpRequest) -> Status[dict[str, str]]:
    require_roles(request, Role.ADMIN)
    job = job_start(
        actor=request.user, kind="audit.verify", title=_("Check the audit chain"), task=audit_verify_task
    )
    return Status(202, {"job_id": str(job.pk)})
