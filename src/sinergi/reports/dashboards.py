"""The dashboard is composed here: each app contributes the panels for the actor's role."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from sinergi.accounts.choices import Role
from sinergi.accounts.selectors import dashboard_get
from sinergi.aftercare.selectors import case_list
from sinergi.beneficiaries.selectors import upcoming_release_count
from sinergi.notifications.selectors import notification_list
from sinergi.partnerships.selectors import agreement_status_counts, expiring_agreements
from sinergi.programs.choices import SessionStatus
from sinergi.programs.models import Session
from sinergi.programs.selectors import cohort_list, program_figures


def dashboard_context(*, actor: Any) -> dict[str, Any]:
    """Everything the actor's dashboard shows."""
    context = dashboard_get(actor=actor)
    if actor.role != Role.MONITOR:
        context["expiring_agreements"] = expiring_agreements(actor=actor)
    context["agreement_counts"] = agreement_status_counts(actor=actor)
    context["recent_notifications"] = list(notification_list(actor=actor).filter(read_at__isnull=True)[:5])
    if actor.role in (Role.ADMIN, Role.UNIT_OFFICER, Role.FACILITATOR):
        context["today_sessions"] = list(
            Session.objects.filter(
                cohort__in=cohort_list(actor=actor).values("pk"),
                date=timezone.localdate(),
                status=SessionStatus.SCHEDULED,
            ).select_related("cohort")[:10]
        )
    if actor.role == Role.MONITOR:
        context["program_figures"] = program_figures()
    if actor.role != Role.MONITOR:
        context["cohorts"] = list(cohort_list(actor=actor).filter(end_date__gte=timezone.localdate())[:8])
        context["recent_cohorts"] = list(cohort_list(actor=actor)[:5])
    if actor.role in (Role.ADMIN, Role.KANWIL_OFFICER, Role.BAPAS_OFFICER):
        cases = case_list(actor=actor)
        context["aftercare_cases"] = list(cases[:5])
        context["aftercare_count"] = cases.count()
    if actor.role in (Role.ADMIN, Role.KANWIL_OFFICER, Role.UNIT_OFFICER, Role.BAPAS_OFFICER):
        context["releases_soon"] = upcoming_release_count(actor=actor, months=3)
    return context
