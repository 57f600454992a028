"""The dashboard is composed here: each app contributes the panels for the actor's role."""

from __future__ import annotations

from typing import Any

from sinergi.accounts.choices import Role
from sinergi.accounts.selectors import dashboard_get
from sinergi.notifications.selectors import notification_list
from sinergi.partnerships.selectors import agreement_status_counts, expiring_agreements


def dashboard_context(*, actor: Any) -> dict[str, Any]:
    """Everything the actor's dashboard shows."""
    context = dashboard_get(actor=actor)
    if actor.role != Role.MONITOR:
        context["expiring_agreements"] = expiring_agreements(actor=actor)
    context["agreement_counts"] = agreement_status_counts(actor=actor)
    context["recent_notifications"] = list(notification_list(actor=actor).filter(read_at__isnull=True)[:5])
    return context
