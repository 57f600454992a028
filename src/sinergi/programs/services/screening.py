"""Writes for screening: freeze a screening run and record the TPP's approvals."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any, cast

from django.db import connection, transaction
from django.db.models import Field, QuerySet

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
    (403) a role that may not screen.

    The database does the work: one INSERT ... SELECT decides eligibility with the rule's SQL condition
    and copies each person's snapshot and the facts the rule read into the run. Reasons are worked out
    from those frozen facts when a page shows them (selectors.with_reasons), in the reader's language.
    """
    if actor is not None and getattr(actor, "role", None) not in access.SCREENERS:
        raise forbidden(SCREEN_NOT_ALLOWED)
    rule = domain.parse_rule(program.rule)
    rows = selectors.screening_rows(actor=actor, rule=rule, as_of=as_of).order_by()
    with transaction.atomic():
        run = ScreeningRun.objects.create(
            program=program,
            rule=program.rule,
            as_of=as_of,
            evaluated=0,
            eligible_count=0,
            created_by=actor if isinstance(actor, User) else None,
        )
        run.evaluated = _freeze(run, rows)
        run.eligible_count = ScreeningResult.objects.filter(run=run, eligible=True).count()
        ScreeningRun.objects.filter(pk=run.pk).update(
            evaluated=run.evaluated, eligible_count=run.eligible_count
        )
        audit_record(
            actor=actor,
            action="program.screen",
            target=program,
            changes={"as_of": str(as_of), "evaluated": run.evaluated, "eligible": run.eligible_count},
        )
    return run


def _freeze(run: ScreeningRun, rows: QuerySet[Any]) -> int:
    """INSERT ... SELECT the rows of selectors.screening_rows into the run; the number of rows written."""
    quote = connection.ops.quote_name
    meta = ScreeningResult._meta
    columns = ", ".join(
        quote(cast("Field[Any, Any]", meta.get_field(name)).column)
        for name in ("run", "reasons", *selectors.FROZEN_COLUMNS)
    )
    select, params = rows.query.sql_with_params()
    no_reasons = "CAST(%s AS jsonb)" if connection.vendor == "postgresql" else "%s"
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Compiling the plan just in time costs more than the query saves at this size.
            cursor.execute("SET LOCAL jit = off")
        cursor.execute(
            f"INSERT INTO {quote(meta.db_table)} ({columns}) "  # noqa: S608 (names from the model)
            f"SELECT %s, {no_reasons}, frozen.* FROM ({select}) frozen",
            (run.pk, "[]", *params),
        )
        return int(cursor.rowcount)


def run_read_record(
    *, actor: Any, run: ScreeningRun, count: int, pages: dict[str, Any] | None = None
) -> None:
    """Reading a screening run (names, units and the reasons, which reveal sentences and offences) is a bulk
    read of personal data: one `screening_run.list` audit event with the number of people shown (and, for
    a paged read, which pages)."""
    from sinergi.audit.services import audit_read

    filters: dict[str, Any] = {"run": run.pk, **(pages or {})}
    audit_read(actor=actor, action="screening_run.list", filters=filters, count=count, target=run.program)


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


def screening_results_anonymise(person_id: int, pseudonym: str) -> None:
    """Called by the registry's anonymisation (retention): the person's rows in every saved run lose the
    identity they froze (name, registration number, exact birth date), as the person did. The facts the
    rules read stay, so old runs keep their counts and reasons."""
    results = list(ScreeningResult.objects.filter(person_id=person_id).only("pk", "episode_id", "birth_date"))
    for result in results:
        result.full_name = pseudonym
        result.registration_number = f"ANON-{result.episode_id}"
        if result.birth_date is not None:
            result.birth_date = dt.date(result.birth_date.year, 7, 1)
    ScreeningResult.objects.bulk_update(results, ["full_name", "registration_number", "birth_date"])
