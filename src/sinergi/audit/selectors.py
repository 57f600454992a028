"""Reads over the audit trail, for administrators."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from sinergi.audit.filters import AuditEventFilter
from sinergi.audit.models import AuditChainHead, AuditEvent
from sinergi.audit.services import audit_unseal


def audit_event_list(*, actor: Any, filters: dict[str, Any] | None = None) -> QuerySet[AuditEvent]:
    """Events newest first, narrowed by the shared filter set (actor, action, target, dates). Callers pass
    the rows they show through `audit_unseal` (sealed personal content)."""
    qs = AuditEvent.objects.select_related("actor").order_by("-seq")
    return AuditEventFilter(filters or {}, queryset=qs).qs


VIEW_ACTIONS = ("person.view", "person.nik_view", "agreement.document_download")


def audit_history(*, target_type: str, target_id: str, limit: int = 50) -> list[AuditEvent]:
    """The latest changes to one record, for its page's history (views and downloads stay in the trail)."""
    return audit_unseal(
        AuditEvent.objects.select_related("actor")
        .filter(target_type=target_type, target_id=target_id)
        .exclude(action__in=VIEW_ACTIONS)
        .order_by("-seq")[:limit]
    )


def audit_summary() -> dict[str, Any]:
    """How long the chain is and when it was last written."""
    head = AuditChainHead.objects.filter(pk=1).first()
    last = AuditEvent.objects.order_by("-seq").only("occurred_at").first()
    return {"events": head.seq if head else 0, "last_at": last.occurred_at if last else None}


def audit_action_choices() -> list[str]:
    """The actions that occur in the trail, for the filter's drop-down."""
    return list(AuditEvent.objects.order_by("action").values_list("action", flat=True).distinct())
