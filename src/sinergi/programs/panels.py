"""The programs section of the person page (registered in ProgramsConfig.ready()): the person's screening
results, enrolments with their stage history, attendance rate, assessments and certificates, each only
as far as the viewer's scope allows."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from sinergi.beneficiaries.panels import PersonPanel
from sinergi.programs import access, domain, selectors
from sinergi.programs.choices import Stage


def person_panel(*, actor: Any, person: Any) -> PersonPanel | None:
    """None when the person has no screening result or enrolment the actor may see."""
    results = selectors.with_reasons(selectors.person_screening_results(actor=actor, person=person))
    enrollments = []
    for enrollment in selectors.person_enrollments(actor=actor, person=person):
        counts = selectors.enrollment_attendance_counts(enrollment=enrollment)
        rate = domain.attendance_rate_of(counts["attended"], counts["unexcused"])
        enrollments.append(
            {
                "enrollment": enrollment,
                "history": _history(enrollment),
                "attendance": domain.percent_text(rate),
                "counts": counts,
                "assessments": list(enrollment.assessments.all()),
                "certificates": list(enrollment.certificates.all()),
                "can_open": access.may_deliver(actor, enrollment.cohort),
            }
        )
    if not results and not enrollments:
        return None
    return PersonPanel(
        title=_("Programs"),
        template="programs/_person_panel.html",
        context={
            "results": results,
            "enrollments": enrollments,
            "attendance_definition": domain.DEFINITIONS["attendance"],
        },
        order=20,
    )


def _history(enrollment: Any) -> list[tuple[Any, str]]:
    """The stages the enrolment went through, with their dates, oldest first (from its stored dates)."""
    steps: list[tuple[Any, str]] = []
    if enrollment.approval_id:
        steps.append(
            (
                enrollment.approval.decided_on,
                _("approved by the TPP (%(ref)s)") % {"ref": enrollment.approval.reference},
            )
        )
    if enrollment.enrolled_on:
        steps.append((enrollment.enrolled_on, str(Stage.ENROLLED.label)))
    elif enrollment.stage == Stage.WAITLISTED:
        steps.append((None, str(Stage.WAITLISTED.label)))
    if enrollment.completed_on:
        steps.append((enrollment.completed_on, str(Stage.COMPLETED.label)))
    if enrollment.withdrawn_on:
        reason = enrollment.get_withdrawal_reason_display()
        steps.append(
            (
                enrollment.withdrawn_on,
                f"{Stage.WITHDRAWN.label} ({reason})" if reason else str(Stage.WITHDRAWN.label),
            )
        )
    if enrollment.stage == Stage.ACTIVE:
        steps.append((None, str(Stage.ACTIVE.label)))
    return steps
