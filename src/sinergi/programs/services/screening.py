"""Writes for screening: freeze a screening run and record the TPP's approvals."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.db import transaction

from sinergi.accounts.models import User
from sinergi.audit.services import audit_record
from sinergi.programs import access, domain, selectors
from sinergi.programs.models import (
    CandidateApproval,
    Program,
    ScreeningResult,
    ScreeningRun,
)
from sinergi.programs.services._common import (
    APPROVE_NOT_ALLOWED,
    SCREEN_NOT_ALLOWED,
    _invalid,
    forbidden,
)

# --- Screening ---------------------------------------------------------------------------------------


def screening_run_create(*, actor: Any, program: Program, as_of: dt.date) -> ScreeningRun:
    """Evaluate the program's rule over the registry in the actor's scope and freeze the results. Refuses
    (403) a role that may not screen."""
    if actor is not None and getattr(actor, "role", None) not in access.SCREENERS:
        raise forbidden(SCREEN_NOT_ALLOWED)
    rule = domain.parse_rule(program.rule)
    evaluated, eligible, ineligible = selectors.screen(actor=actor, rule=rule, as_of=as_of)
    with transaction.atomic():
        run = ScreeningRun.objects.create(
            program=program,
            rule=program.rule,
            as_of=as_of,
            evaluated=evaluated,
            eligible_count=len(eligible),
            created_by=actor if isinstance(actor, User) else None,
        )
        no_reasons: list[str] = []
        rows = [(e, True, no_reasons) for e in eligible] + [(e, False, reasons) for e, reasons in ineligible]
        ScreeningResult.objects.bulk_create(
            [
                ScreeningResult(
                    run=run,
                    person_id=e.person_id,
                    episode=e,
                    full_name=e.person.full_name,
                    registration_number=e.registration_number,
                    unit_code=e.unit.code or "",
                    eligible=ok,
                    reasons=reasons,
                )
                for e, ok, reasons in rows
            ],
            batch_size=2000,
        )
        audit_record(
            actor=actor,
            action="program.screen",
            target=program,
            changes={"as_of": str(as_of), "evaluated": evaluated, "eligible": len(eligible)},
        )
    return run


def run_read_record(*, actor: Any, run: ScreeningRun, count: int) -> None:
    """Reading a whole screening run (names, units and the reasons, which reveal sentences and offences)
    is a bulk read of personal data: one `screening_run.list` audit event with the number of people."""
    from sinergi.audit.services import audit_read

    audit_read(
        actor=actor, action="screening_run.list", filters={"run": run.pk}, count=count, target=run.program
    )


def candidates_approve(
    *, actor: Any, run: ScreeningRun, result_ids: Iterable[int], decided_on: dt.date, reference: str
) -> int:
    """Record the TPP's approval of eligible candidates (the run itself stays unchanged). Refuses (403) the
    whole approval when any of the results is of a person held at a unit outside the actor's scope."""
    if actor is not None and getattr(actor, "role", None) not in access.SCREENERS:
        raise forbidden(APPROVE_NOT_ALLOWED)
    ids = list(result_ids)
    units = ScreeningResult.objects.filter(run=run, pk__in=ids).values_list("episode__unit_id", flat=True)
    if not access.may_approve(actor, set(units)):
        raise forbidden(APPROVE_NOT_ALLOWED)
    if not reference.strip():
        raise _invalid("Tulis nomor keputusan TPP.", "reference")
    from django.utils import timezone

    from sinergi.programs.services._common import _d
    from sinergi.programs.services.results import DECISION_DATE

    future = domain.future_problem(
        what=DECISION_DATE, on=decided_on, today=timezone.localdate(), date_text=_d
    )
    if future:
        raise _invalid(future, "decided_on")
    results = list(ScreeningResult.objects.filter(run=run, pk__in=ids, eligible=True, approval__isnull=True))
    with transaction.atomic():
        CandidateApproval.objects.bulk_create(
            [
                CandidateApproval(
                    result=r,
                    decided_on=decided_on,
                    reference=reference.strip(),
                    approved_by=actor if isinstance(actor, User) else None,
                )
                for r in results
            ]
        )
        audit_record(
            actor=actor,
            action="program.approve",
            target=run.program,
            changes={"run": run.pk, "approved": len(results), "reference": reference.strip()},
        )
    return len(results)
