"""Panels: the programs section of the person page, and the sections other apps add to the program page.

The person page (registered in ProgramsConfig.ready()): the person's screening results, enrolments with
their stage history, attendance rate, assessments and certificates, each only as far as the viewer's scope
allows.

The program page takes sections from apps above programs (aftercare, impact), which programs never imports.
An app registers a provider by dotted path in its AppConfig.ready():

    from sinergi.programs.panels import register_program_panel
    register_program_panel("sinergi.aftercare.panels.program_panel")

A provider is `program_panel(*, actor, program) -> ProgramPanel | None`. It reads through its own app's
selectors, so it shows only what the actor may see, runs a constant number of queries, and returns None when
the actor may see nothing of it. The page renders the panels in `order`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from sinergi.beneficiaries.panels import PersonPanel
from sinergi.programs import domain
from sinergi.programs.choices import Stage

_program_providers: list[str] = []


@dataclass(frozen=True)
class ProgramPanel:
    """One section of the program page: a heading, the template that draws it and that template's context."""

    title: str
    template: str
    context: dict[str, Any] = field(default_factory=dict)
    order: int = 100


def register_program_panel(provider: str) -> None:
    """Add a program page provider (a dotted path). Registering twice is a no-op."""
    if provider not in _program_providers:
        _program_providers.append(provider)


def program_panels_for(*, actor: Any, program: Any) -> list[ProgramPanel]:
    """Every contributed panel the actor may see on this program's page, in order."""
    panels = [
        panel
        for path in _program_providers
        if (panel := import_string(path)(actor=actor, program=program)) is not None
    ]
    return sorted(panels, key=lambda panel: panel.order)


def person_panel(*, actor: Any, person: Any) -> PersonPanel | None:
    """None when the person has no screening result or enrolment the actor may see."""
    # Imported here: the aftercare app registers its program panel from ready(), and this module's
    # import should not bring the programs' (and partnerships') selectors into every process's start-up.
    from sinergi.programs import access, selectors

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
