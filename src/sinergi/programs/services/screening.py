"""Writes for screening: freeze a screening run and record the TPP's approvals."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any, cast

from django.db import connection, transaction
from django.db.models import Field, QuerySet
from django.utils.translation import gettext_lazy

from sinergi.accounts.models import User
from sinergi.audit.services import audit_record
from sinergi.programs import access, domain, selectors
from sinergi.programs.choices import RunStatus
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

SCREENING_JOB_TITLE = gettext_lazy("Screening for %(program)s as of %(on)s")

# --- Screening ---------------------------------------------------------------------------------------


def screening_run_create(*, actor: Any, program: Program, as_of: dt.date) -> ScreeningRun:
    """Evaluate the program's rule over the registry in the actor's scope and freeze the results, here and
    now. Refuses (403) a role that may not screen.

    The database does the work: one INSERT ... SELECT decides eligibility with the rule's SQL condition
    and copies each person's snapshot and the facts the rule read into the run, numbered by name in each
    list. Reasons are worked out from those frozen facts when a page shows them (selectors.with_reasons),
    in the reader's language.
    """
    _may_screen(actor)
    domain.parse_rule(program.rule)
    with transaction.atomic():
        run = _new_run(actor=actor, program=program, as_of=as_of, status=RunStatus.DONE)
        _fill(run, actor=actor, units=selectors.ACTOR_SCOPE)
    return run


# A screening of more people than this (an estimate: the custody episodes at the screener's units) is
# frozen by a background job, so the request returns at once and the run's page shows it filling; a
# smaller one (a unit's registry) is frozen inside the request.
INLINE_LIMIT = 20_000


def screening_population_estimate(*, actor: Any) -> int:
    """At most how many people a screening by the actor would freeze (their units' custody episodes;
    every person has one or more), counted up to INLINE_LIMIT + 1 only: one count that stops early."""
    from sinergi.accounts.selectors import actor_unit_ids
    from sinergi.beneficiaries.models import CustodyEpisode

    episodes = CustodyEpisode.objects.all()
    units = actor_unit_ids(actor)
    if units is not None:
        episodes = episodes.filter(unit_id__in=units)
    return episodes.order_by().values("pk")[: INLINE_LIMIT + 1].count()


def screening_run_start(*, actor: Any, program: Program, as_of: dt.date) -> ScreeningRun:
    """Screen in the request when the population is small (screening_run_create); otherwise save the run as
    "running" and freeze it in a background job (screening_run_fill), whose progress the run's page shows.
    The job screens the units the actor may see now (saved with the job), whoever runs it."""
    _may_screen(actor)
    domain.parse_rule(program.rule)
    if screening_population_estimate(actor=actor) <= INLINE_LIMIT:
        return screening_run_create(actor=actor, program=program, as_of=as_of)
    from sinergi.accounts.selectors import actor_unit_ids
    from sinergi.jobs.services import job_start
    from sinergi.programs.tasks import screening_run_task

    units = actor_unit_ids(actor)
    with transaction.atomic():
        run = _new_run(actor=actor, program=program, as_of=as_of, status=RunStatus.RUNNING)
        job = job_start(
            actor=actor,
            kind="program.screen",
            title=str(SCREENING_JOB_TITLE % {"program": program.name, "on": as_of.isoformat()}),
            task=screening_run_task,
            params={"run": run.pk, "units": None if units is None else sorted(units)},
        )
        ScreeningRun.objects.filter(pk=run.pk).update(job=job)
        run.job = job
    return run


def screening_run_fill(*, run_id: int, units: list[int] | None) -> dict[str, Any]:
    """The work of a background screening: freeze the run's results, counts and "done" in one transaction
    (nothing half-saved if it fails; a retry starts again). A run that is done already is left as it is,
    so a job delivered twice freezes it once."""
    with transaction.atomic():
        run = (
            ScreeningRun.objects.select_for_update(of=("self",))
            .select_related("program", "created_by")
            .get(pk=run_id)
        )
        if run.status == RunStatus.DONE:
            return {"run": run.pk, "evaluated": run.evaluated, "eligible": run.eligible_count}
        _fill(run, actor=run.created_by, units=units)
    return {"run": run.pk, "evaluated": run.evaluated, "eligible": run.eligible_count}


def _may_screen(actor: Any) -> None:
    if actor is not None and getattr(actor, "role", None) not in access.SCREENERS:
        raise forbidden(SCREEN_NOT_ALLOWED)


def _new_run(*, actor: Any, program: Program, as_of: dt.date, status: str) -> ScreeningRun:
    return ScreeningRun.objects.create(
        program=program,
        rule=program.rule,
        as_of=as_of,
        evaluated=0,
        eligible_count=0,
        status=status,
        created_by=actor if isinstance(actor, User) else None,
    )


def _fill(run: ScreeningRun, *, actor: Any, units: Any) -> None:
    """Freeze the population into the run (inside the caller's transaction), save its counts, mark it done
    and record the screening in the audit trail."""
    rule = domain.parse_rule(run.rule)
    rows = selectors.screening_rows(actor=actor, rule=rule, as_of=run.as_of, units=units)
    run.evaluated = _freeze(run, rows)
    run.eligible_count = ScreeningResult.objects.filter(run=run, eligible=True).count()
    run.status = RunStatus.DONE
    ScreeningRun.objects.filter(pk=run.pk).update(
        evaluated=run.evaluated, eligible_count=run.eligible_count, status=run.status
    )
    audit_record(
        actor=actor,
        action="program.screen",
        target=run.program,
        changes={"as_of": str(run.as_of), "evaluated": run.evaluated, "eligible": run.eligible_count},
    )


FROZEN_STAGE = "programs_screening_frozen"


def _freeze(run: ScreeningRun, rows: QuerySet[Any]) -> int:
    """Write the rows of selectors.screening_rows into the run, in their order (eligible, then position);
    the number of rows written.

    On PostgreSQL the rows are selected, numbered and sorted into a temporary table first: CREATE TABLE
    AS may run its query on parallel workers, an INSERT ... SELECT may not (on a national run that halves
    the selection). The temporary table is written in the query's order and read back in it, so the
    index (run, eligible, position) is only ever appended to; it is dropped at commit.
    """
    quote = connection.ops.quote_name
    meta = ScreeningResult._meta
    columns = ", ".join(
        quote(cast("Field[Any, Any]", meta.get_field(name)).column)
        for name in ("run", "reasons", *selectors.FROZEN_COLUMNS)
    )
    select, params = rows.query.sql_with_params()
    table = quote(meta.db_table)
    with connection.cursor() as cursor:
        if connection.vendor != "postgresql":
            cursor.execute(
                f"INSERT INTO {table} ({columns}) "  # noqa: S608 (names from the model)
                f"SELECT %s, %s, frozen.* FROM ({select}) frozen",
                (run.pk, "[]", *params),
            )
            return int(cursor.rowcount)
        # Compiling the plan just in time costs more than the query saves at this size; the sort by name
        # of a national run (about 60 MB) is done in memory rather than in files.
        cursor.execute("SET LOCAL jit = off")
        cursor.execute("SET LOCAL work_mem = '128MB'")
        cursor.execute(f"DROP TABLE IF EXISTS {FROZEN_STAGE}")
        cursor.execute(f"CREATE TEMPORARY TABLE {FROZEN_STAGE} ON COMMIT DROP AS {select}", params)
        cursor.execute(
            f"INSERT INTO {table} ({columns}) "  # noqa: S608 (names from the model)
            f"SELECT %s, CAST(%s AS jsonb), frozen.* FROM {FROZEN_STAGE} frozen",
            (run.pk, "[]"),
        )
        written = int(cursor.rowcount)
        cursor.execute(f"DROP TABLE {FROZEN_STAGE}")
        return written


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
