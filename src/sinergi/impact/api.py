"""Impact over the API: budget against realisation, expenditures, value maps (numbers, export, import,
snapshots), IKM results and responses, and the SDG roll-up. Same selectors and services as the pages."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy
from ninja import Query, Router, Schema, Status
from pydantic import create_model

from sinergi.accounts.models import Organisation
from sinergi.core.access import require_roles
from sinergi.core.api import PageParams, page_of
from sinergi.core.errors import ApplicationError, ForbiddenError
from sinergi.impact import access, domain, selectors, services
from sinergi.impact.access import FINANCE_EDITORS, FINANCE_READERS, IMPACT_READERS
from sinergi.programs.models import Program

router = Router(tags=["impact"])


# --- Schema helpers: a record's create, update and output schemas come from one declaration ---------------


def update_schema(name: str, schema: type[Schema], *, exclude: frozenset[str] = frozenset()) -> type[Schema]:
    """The update schema of a create schema: `version` first (required: the version the client read, so a
    stale update answers 409), then every field of `schema` but `exclude`, optional, where None (or leaving
    the field out) means "unchanged"."""
    fields: dict[str, Any] = {"version": (int, ...)}
    for field, info in schema.model_fields.items():
        if field not in exclude:
            annotation: Any = info.annotation
            fields[field] = (annotation | None, None)
    return create_model(name, __base__=Schema, __module__=__name__, **fields)


def output_schema(
    name: str, schema: type[Schema], *, before: dict[str, Any], after: dict[str, Any]
) -> type[Schema]:
    """The output schema of a record created with `schema`: the `before` fields (its id, its owner), every
    field of `schema`, then the `after` fields (flags, `version`); all required, as the record has them."""
    fields: dict[str, Any] = {field: (kind, ...) for field, kind in before.items()}
    fields |= {field: (info.annotation, ...) for field, info in schema.model_fields.items()}
    fields |= {field: (kind, ...) for field, kind in after.items()}
    return create_model(name, __base__=Schema, __module__=__name__, **fields)


def _out(schema: type[Schema], record: Any, **computed: Any) -> dict[str, Any]:
    """A record as `schema` shows it: each field read from the record's attribute of the same name, except
    the `computed` ones (counts, flags)."""
    return {
        field: getattr(record, field) for field in schema.model_fields if field not in computed
    } | computed


class LineOut(Schema):
    id: int
    year: int
    category: str
    description: str
    funder_id: int
    budget: int
    spent: int
    percent: Decimal | None
    version: int


class LineIn(Schema):
    year: int
    category: str
    description: str = ""
    amount: int
    funder_id: int


class ExpenditureIn(Schema):
    budget_line_id: int
    spent_on: dt.date
    amount: int
    description: str
    paid_by_id: int


# Updates carry `version` and the create schema's fields, each optional; outputs repeat the create schema's
# fields around the record's id and version. For mypy these are Any: their fields are known at runtime only.
if TYPE_CHECKING:
    LineUpdate = Any
    ExpenditureUpdate = Any
    ExpenditureOut = Any
else:
    LineUpdate = update_schema("LineUpdate", LineIn)
    ExpenditureUpdate = update_schema("ExpenditureUpdate", ExpenditureIn)
    ExpenditureOut = output_schema(
        "ExpenditureOut", ExpenditureIn, before={"id": int}, after={"has_receipt": bool, "version": int}
    )


class SroiOut(Schema):
    present_value: Decimal
    net_present_value: Decimal
    ratio: Decimal
    net_ratio: Decimal
    payback_months: Decimal | None


class SensitivityOut(Schema):
    outcome: int | None
    outcome_name: str | None
    field: str
    base: Decimal
    low: Decimal
    high: Decimal
    ratio_low: Decimal
    ratio_high: Decimal
    break_even: Decimal | None


class NumbersOut(Schema):
    inputs: dict[str, int]
    #: When the caller reaches only some of the map's programs: the inputs, as the live figures, count only
    #: those (how many are left out); "" otherwise.
    inputs_note: str = ""
    sroi: SroiOut | None
    sensitivity: list[SensitivityOut]
    problems: list[str]


class ValueMapOut(Schema):
    id: int
    title: str
    program_id: int | None
    agreement_id: int | None
    outcomes: int
    version: int


class ImportIn(Schema):
    version: int
    value_map: dict[str, Any]


class FreezeIn(Schema):
    label: str


class SnapshotOut(Schema):
    id: int
    value_map_id: int
    label: str
    taken_at: dt.datetime
    checksum: str
    results: dict[str, Any]
    value_map: dict[str, Any]


class SurveyOut(Schema):
    id: int
    title: str
    respondents: int | str
    ikm: Decimal | None
    grade: str | None
    element_means: dict[str, Decimal] | None
    suppressed: bool


class ResponseIn(Schema):
    answers: dict[str, Any]
    respondent: str = ""


class GoalOut(Schema):
    goal: int
    title: str
    targets: list[str]
    program_ids: list[int]
    participants: int | str | None  # None: withheld from monitors (a goal's programs are a filtered view)
    spent: int


class GroupOut(Schema):
    n: int | None
    reoffended: int | None
    rate: Decimal | None
    ci_low: Decimal | None
    ci_high: Decimal | None
    suppressed: bool
    reoffended_suppressed: bool = False


class RecidivismOut(Schema):
    window_months: int
    as_of: dt.date
    period_start: dt.date
    participants: GroupOut
    comparison: GroupOut
    waiting: int | str | None
    unmatched_participants: int | str | None
    difference: Decimal | None
    difference_ci_low: Decimal | None
    difference_ci_high: Decimal | None
    ministry_stock_rate: Decimal
    ministry_stock_note: str
    # An agreement's programs left out because some of their cohorts are outside the caller's scope
    # (`selectors.programs_reached`); 0 for a program, which is refused instead.
    programs_left_out: int = 0


class RecidivismQuery(Schema):
    window: int = domain.DEFAULT_WINDOW_MONTHS
    as_of: dt.date | None = None


class StepQuery(Schema):
    step: Decimal = domain.DEFAULT_STEP


def _line(row: selectors.LineRealisation) -> dict[str, Any]:
    line = row.line
    return {
        "id": line.pk,
        "year": line.year,
        "category": line.category,
        "description": line.description,
        "funder_id": line.funder_id,
        "budget": line.amount,
        "spent": row.spent,
        "percent": row.percent,
        "version": line.version,
    }


@router.get("/programs/{program_id}/budget", response=list[LineOut], summary="Budget against realisation")
def budget(request: HttpRequest, program_id: int) -> list[dict[str, Any]]:
    require_roles(request, *FINANCE_READERS)
    program = selectors.finance_program_get(actor=request.user, pk=program_id)
    return [_line(row) for row in selectors.budget_realisation(program=program)]


@router.post("/programs/{program_id}/budget", response={201: LineOut}, summary="Add a budget line")
def budget_line_create(request: HttpRequest, program_id: int, payload: LineIn) -> Status[dict[str, Any]]:
    require_roles(request, *FINANCE_EDITORS)
    program = selectors.finance_program_get(actor=request.user, pk=program_id)
    funder = Organisation.objects.filter(pk=payload.funder_id).first()
    data = payload.dict(exclude={"funder_id"}) | {"funder": funder}
    line = services.budget_line_create(actor=request.user, program=program, data=data)
    row = next(r for r in selectors.budget_realisation(program=program) if r.line.pk == line.pk)
    return Status(201, _line(row))


@router.get(
    "/programs/{program_id}/expenditures", response=list[ExpenditureOut], summary="A program's expenditures"
)
def expenditures(request: HttpRequest, program_id: int, page: Query[PageParams]) -> list[dict[str, Any]]:
    require_roles(request, *FINANCE_READERS)
    program = selectors.finance_program_get(actor=request.user, pk=program_id)
    return [
        _expenditure(e)
        for e in page_of(selectors.expenditure_list(actor=request.user, program=program), page)
    ]


@router.get("/value-maps", response=list[ValueMapOut], summary="Value maps in the caller's scope")
def value_maps(request: HttpRequest, page: Query[PageParams]) -> list[dict[str, Any]]:
    require_roles(request, *FINANCE_READERS)
    return [
        _value_map(m, outcomes=m.outcome_count)
        for m in page_of(selectors.value_map_list(actor=request.user), page)
    ]


@router.get("/value-maps/{map_id}/sroi", response=NumbersOut, summary="SROI numbers and sensitivity now")
def value_map_sroi(request: HttpRequest, map_id: int, query: Query[StepQuery]) -> dict[str, Any]:
    require_roles(request, *FINANCE_READERS)
    value_map = selectors.value_map_get(actor=request.user, pk=map_id)
    if not Decimal(0) < query.step < Decimal(1):
        raise ApplicationError(domain.STEP_RANGE, code="invalid", detail={"step": str(domain.STEP_RANGE)})
    numbers = selectors.value_map_numbers(value_map, step=query.step, actor=request.user)
    result = numbers.result
    return {
        "inputs": numbers.inputs,
        "inputs_note": numbers.reach_note,
        "sroi": None
        if result is None
        else domain.sroi_summary(result) | {"payback_months": result.payback_months},
        "sensitivity": [r.__dict__ for r in numbers.sensitivity],
        "problems": [str(p) for p in numbers.problems],
    }


@router.get("/value-maps/{map_id}/export", response=dict[str, Any], summary="The value map as a sroi file")
def value_map_export(request: HttpRequest, map_id: int) -> dict[str, Any]:
    require_roles(request, *FINANCE_READERS)
    value_map = selectors.value_map_get(actor=request.user, pk=map_id)
    return services.value_map_export(actor=request.user, value_map=value_map)


@router.post("/value-maps/{map_id}/import", response=ValueMapOut, summary="Replace outcomes from a sroi file")
def value_map_import(request: HttpRequest, map_id: int, payload: ImportIn) -> dict[str, Any]:
    require_roles(request, *FINANCE_EDITORS)
    value_map = selectors.value_map_get(actor=request.user, pk=map_id)
    services.value_map_import(
        actor=request.user,
        value_map=value_map,
        text=domain.to_json(payload.value_map),
        version=payload.version,
    )
    return _value_map(value_map)


def _snapshot(snapshot: Any, actor: Any) -> dict[str, Any]:
    """The snapshot as `actor` may read it (`selectors.snapshot_shown`: masked for aggregate-only roles)."""
    shown = selectors.snapshot_shown(actor=actor, snapshot=snapshot)
    return {
        "id": snapshot.pk,
        "value_map_id": snapshot.value_map_id,
        "label": snapshot.label,
        "taken_at": snapshot.taken_at,
        "checksum": snapshot.checksum,
        "results": shown.results,
        "value_map": shown.data,
    }


@router.post("/value-maps/{map_id}/snapshots", response={201: SnapshotOut}, summary="Freeze for a report")
def snapshot_freeze(request: HttpRequest, map_id: int, payload: FreezeIn) -> Status[dict[str, Any]]:
    require_roles(request, *FINANCE_EDITORS)
    value_map = selectors.value_map_get(actor=request.user, pk=map_id)
    snapshot = services.snapshot_freeze(actor=request.user, value_map=value_map, label=payload.label)
    return Status(201, _snapshot(snapshot, request.user))


@router.get("/snapshots/{snapshot_id}", response=SnapshotOut, summary="A frozen snapshot")
def snapshot_detail(request: HttpRequest, snapshot_id: int) -> dict[str, Any]:
    require_roles(request, *FINANCE_READERS)
    return _snapshot(selectors.snapshot_get(actor=request.user, pk=snapshot_id), request.user)


@router.put("/snapshots/{snapshot_id}", response={409: dict[str, Any]}, summary="Always refused: frozen")
def snapshot_update(request: HttpRequest, snapshot_id: int, payload: FreezeIn) -> dict[str, Any]:
    require_roles(request, *FINANCE_EDITORS)
    snapshot = selectors.snapshot_get(actor=request.user, pk=snapshot_id)
    services.snapshot_update(actor=request.user, snapshot=snapshot, data=payload.dict())
    raise AssertionError("unreachable")


def _survey(request: HttpRequest, survey: Any) -> dict[str, Any]:
    results = selectors.survey_results(actor=request.user, survey=survey)
    result = results.result
    return {
        "id": survey.pk,
        "title": survey.title,
        "respondents": results.respondents,
        "ikm": domain.ikm_display(result.ikm) if result and result.ikm is not None else None,
        "grade": result.band.grade if result and result.band else None,
        "element_means": result.element_means if result else None,
        "suppressed": results.suppressed,
    }


@router.get("/surveys/{survey_id}", response=SurveyOut, summary="IKM results of a survey")
def survey_detail(request: HttpRequest, survey_id: int) -> dict[str, Any]:
    require_roles(request, *IMPACT_READERS)
    return _survey(request, selectors.survey_get(actor=request.user, pk=survey_id))


@router.post("/surveys/{survey_id}/responses", response={201: SurveyOut}, summary="Add one IKM response")
def survey_response(request: HttpRequest, survey_id: int, payload: ResponseIn) -> Status[dict[str, Any]]:
    require_roles(request, *FINANCE_EDITORS)
    survey = selectors.survey_get(actor=request.user, pk=survey_id)
    services.response_add(
        actor=request.user, survey=survey, answers=payload.answers, respondent=payload.respondent
    )
    return Status(201, _survey(request, survey))


@router.get("/sdg", response=list[GoalOut], summary="SDG contribution per goal")
def sdg(request: HttpRequest) -> list[dict[str, Any]]:
    require_roles(request, *IMPACT_READERS)
    return [
        {
            "goal": row["goal"],
            "title": str(row["title"]),
            "targets": row["targets"],
            "program_ids": [p.pk for p in row["programs"]],
            "participants": row["participants"],
            "spent": row["spent"],
        }
        for row in selectors.sdg_rollup(actor=request.user)
    ]


# --- Recidivism -----------------------------------------------------------------------------------------


def _group(group: selectors.GroupFigure) -> dict[str, Any]:
    return {
        "n": group.n,
        "reoffended": group.reoffended,
        "rate": group.rate,
        "ci_low": group.interval.low if group.interval else None,
        "ci_high": group.interval.high if group.interval else None,
        "suppressed": group.suppressed,
        "reoffended_suppressed": bool(group.reoffended_mark),
    }


RECIDIVISM_WITHHELD = gettext_lazy(
    "Recidivism is not given for a single program or agreement. It is shown only on the dashboard without "
    "filters, because the difference between the figures of two programs or agreements could reveal a "
    "number of fewer than 5 people, who could then be recognised."
)


AGREEMENT_NOT_REACHED = gettext_lazy(
    "Recidivism is not given for this agreement: every program under it runs cohorts outside your scope "
    "(under an agreement below the one your organisation is party to, at units of another region), and the "
    "figures would count their participants."
)


def _recidivism(
    request: HttpRequest, programs: Any, query: RecidivismQuery, *, refusal: Any = None
) -> dict[str, Any]:
    """Recidivism of the programs the caller reaches whole (`selectors.programs_reached`): refused with
    `refusal` (403) when that is none of them."""
    problems = domain.window_problems(query.window)
    if problems:
        raise ApplicationError(problems[0], code="invalid", detail={"window": problems[0]})
    today = timezone.localdate()
    as_of = query.as_of or today
    problems = access.as_of_problems(request.user, as_of, today=today)
    if problems:
        raise ApplicationError(problems[0], code="invalid", detail={"as_of": problems[0]})
    if selectors.withheld_per_program(request.user):
        # Per program or agreement, a filtered view: refused to aggregate-only roles (docs/security.md).
        raise ForbiddenError(RECIDIVISM_WITHHELD)
    reached = selectors.programs_reached(request.user, programs)
    total, counted = programs.count(), reached.count()
    if counted == 0 and total:
        raise ForbiddenError(refusal or selectors.PROGRAM_PARTLY_REACHED)
    result = selectors.recidivism(programs=reached, months=query.window, as_of=as_of)
    figures = selectors.recidivism_figures(actor=request.user, result=result)
    interval = figures.difference_interval
    return {
        "programs_left_out": total - counted,
        "window_months": result.months,
        "as_of": result.as_of,
        "period_start": result.start,
        "participants": _group(figures.participants),
        "comparison": _group(figures.comparison),
        "waiting": figures.waiting,
        "unmatched_participants": figures.unmatched,
        "difference": figures.difference,
        "difference_ci_low": interval.low if interval else None,
        "difference_ci_high": interval.high if interval else None,
        "ministry_stock_rate": figures.stock_rate,
        "ministry_stock_note": str(STOCK_NOTE),
    }


STOCK_NOTE = gettext_lazy(
    "A different measure: the share of current inmates who are repeat offenders (nationally, February 2020)."
)


@router.get(
    "/programs/{program_id}/recidivism",
    response=RecidivismOut,
    summary="Recidivism of a program's participants against a matched comparison group",
)
def program_recidivism(
    request: HttpRequest, program_id: int, query: Query[RecidivismQuery]
) -> dict[str, Any]:
    require_roles(request, *IMPACT_READERS)
    program = selectors.program_get(actor=request.user, pk=program_id)
    return _recidivism(request, Program.objects.filter(pk=program.pk), query)


@router.get(
    "/agreements/{agreement_id}/recidivism",
    response=RecidivismOut,
    summary="Recidivism over an agreement's programs against a matched comparison group",
)
def agreement_recidivism(
    request: HttpRequest, agreement_id: int, query: Query[RecidivismQuery]
) -> dict[str, Any]:
    require_roles(request, *IMPACT_READERS)
    agreement = selectors.impact_agreement_get(actor=request.user, pk=agreement_id)
    programs = selectors.programs_of_agreement(agreement)
    return _recidivism(request, programs, query, refusal=AGREEMENT_NOT_REACHED)


# --- Writes: finance and value maps ----------------------------------------------------------------------


class InKindIn(Schema):
    contributor_id: int
    kind: str
    description: str
    contributed_on: dt.date
    value: int
    valuation_basis: str


class ValueMapIn(Schema):
    title: str
    program_id: int | None = None
    agreement_id: int | None = None
    stakeholders: list[str] = []
    discount_rate: Decimal | None = None
    inputs_source: str = "finance"
    inputs_manual: int | None = None
    period_start: dt.date | None = None
    period_end: dt.date | None = None


class OutcomeIn(Schema):
    name: str
    quantity: Decimal
    proxy: Decimal
    duration: int
    deadweight: Decimal = Decimal(0)
    displacement: Decimal = Decimal(0)
    attribution: Decimal = Decimal(0)
    drop_off: Decimal = Decimal(0)
    stakeholder: str = ""
    indicator: str = ""
    quantity_source: str = ""
    proxy_source: str = ""
    deadweight_source: str = ""
    binding: str = ""


class OutcomeOut(Schema):
    id: int
    value_map_id: int
    name: str
    quantity: Decimal
    proxy: Decimal
    duration: int
    deadweight: Decimal
    deadweight_source: str
    displacement: Decimal
    attribution: Decimal
    drop_off: Decimal
    binding: str
    version: int


class VersionIn(Schema):
    version: int


# The owner of a value map (program or agreement) never changes.
if TYPE_CHECKING:
    InKindUpdate = Any
    InKindOut = Any
    ValueMapUpdate = Any
    OutcomeUpdate = Any
else:
    InKindUpdate = update_schema("InKindUpdate", InKindIn)
    InKindOut = output_schema(
        "InKindOut", InKindIn, before={"id": int, "program_id": int}, after={"version": int}
    )
    ValueMapUpdate = update_schema(
        "ValueMapUpdate", ValueMapIn, exclude=frozenset({"program_id", "agreement_id"})
    )
    OutcomeUpdate = update_schema("OutcomeUpdate", OutcomeIn)


def _organisation(pk: int | None) -> Organisation | None:
    return Organisation.objects.filter(pk=pk).first() if pk is not None else None


def _given(payload: Schema, *, exclude: set[str]) -> dict[str, Any]:
    return {k: v for k, v in payload.dict(exclude=exclude).items() if v is not None}


def _expenditure(e: Any) -> dict[str, Any]:
    return _out(ExpenditureOut, e, has_receipt=bool(e.receipt))


def _in_kind(c: Any) -> dict[str, Any]:
    return _out(InKindOut, c)


def _value_map(m: Any, *, outcomes: int | None = None) -> dict[str, Any]:
    return _out(ValueMapOut, m, outcomes=m.outcomes.count() if outcomes is None else outcomes)


def _outcome(o: Any) -> dict[str, Any]:
    return _out(OutcomeOut, o)


@router.put("/budget-lines/{line_id}", response=LineOut, summary="Change a budget line")
def budget_line_update(request: HttpRequest, line_id: int, payload: LineUpdate) -> dict[str, Any]:
    require_roles(request, *FINANCE_EDITORS)
    line = selectors.budget_line_get(actor=request.user, pk=line_id)
    data = _given(payload, exclude={"version", "funder_id"})
    if payload.funder_id is not None:
        data["funder"] = _organisation(payload.funder_id)
    services.budget_line_update(actor=request.user, line=line, data=data, version=payload.version)
    row = next(r for r in selectors.budget_realisation(program=line.program) if r.line.pk == line.pk)
    return _line(row)


@router.post(
    "/programs/{program_id}/expenditures",
    response={201: ExpenditureOut},
    summary="Record an expenditure (the receipt scan is uploaded on the page)",
)
def expenditure_create(
    request: HttpRequest, program_id: int, payload: ExpenditureIn
) -> Status[dict[str, Any]]:
    from sinergi.impact.models import BudgetLine

    require_roles(request, *FINANCE_EDITORS)
    program = selectors.finance_program_get(actor=request.user, pk=program_id)
    data = payload.dict(exclude={"budget_line_id", "paid_by_id"}) | {
        "budget_line": BudgetLine.objects.filter(pk=payload.budget_line_id).first(),
        "paid_by": _organisation(payload.paid_by_id),
    }
    expenditure = services.expenditure_create(actor=request.user, program=program, data=data)
    return Status(201, _expenditure(expenditure))


@router.put("/expenditures/{expenditure_id}", response=ExpenditureOut, summary="Correct an expenditure")
def expenditure_update(
    request: HttpRequest, expenditure_id: int, payload: ExpenditureUpdate
) -> dict[str, Any]:
    from sinergi.impact.models import BudgetLine

    require_roles(request, *FINANCE_EDITORS)
    expenditure = selectors.expenditure_get(actor=request.user, pk=expenditure_id)
    data = _given(payload, exclude={"version", "budget_line_id", "paid_by_id"})
    if payload.budget_line_id is not None:
        data["budget_line"] = BudgetLine.objects.filter(pk=payload.budget_line_id).first()
    if payload.paid_by_id is not None:
        data["paid_by"] = _organisation(payload.paid_by_id)
    services.expenditure_update(
        actor=request.user, expenditure=expenditure, data=data, version=payload.version
    )
    return _expenditure(expenditure)


@router.get("/programs/{program_id}/in-kind", response=list[InKindOut], summary="In-kind contributions")
def in_kind_list(request: HttpRequest, program_id: int, page: Query[PageParams]) -> list[dict[str, Any]]:
    require_roles(request, *FINANCE_READERS)
    program = selectors.finance_program_get(actor=request.user, pk=program_id)
    return [_in_kind(c) for c in page_of(selectors.in_kind_list(actor=request.user, program=program), page)]


@router.post(
    "/programs/{program_id}/in-kind", response={201: InKindOut}, summary="Record an in-kind contribution"
)
def in_kind_create(request: HttpRequest, program_id: int, payload: InKindIn) -> Status[dict[str, Any]]:
    require_roles(request, *FINANCE_EDITORS)
    program = selectors.finance_program_get(actor=request.user, pk=program_id)
    data = payload.dict(exclude={"contributor_id"}) | {"contributor": _organisation(payload.contributor_id)}
    contribution = services.in_kind_create(actor=request.user, program=program, data=data)
    return Status(201, _in_kind(contribution))


@router.put("/in-kind/{contribution_id}", response=InKindOut, summary="Correct an in-kind contribution")
def in_kind_update(request: HttpRequest, contribution_id: int, payload: InKindUpdate) -> dict[str, Any]:
    require_roles(request, *FINANCE_EDITORS)
    contribution = selectors.in_kind_get(actor=request.user, pk=contribution_id)
    data = _given(payload, exclude={"version", "contributor_id"})
    if payload.contributor_id is not None:
        data["contributor"] = _organisation(payload.contributor_id)
    services.in_kind_update(actor=request.user, contribution=contribution, data=data, version=payload.version)
    return _in_kind(contribution)


NEITHER_OWNER = gettext_lazy("Give either program_id or agreement_id, not both and not neither.")


@router.post(
    "/value-maps", response={201: ValueMapOut}, summary="Define a value map for a program or agreement"
)
def value_map_create(request: HttpRequest, payload: ValueMapIn) -> Status[dict[str, Any]]:
    from sinergi.partnerships.selectors import agreement_get

    require_roles(request, *FINANCE_EDITORS)
    if (payload.program_id is None) == (payload.agreement_id is None):
        raise ApplicationError(NEITHER_OWNER, code="invalid", detail={"program_id": str(NEITHER_OWNER)})
    program = selectors.program_get(actor=request.user, pk=payload.program_id) if payload.program_id else None
    agreement = agreement_get(actor=request.user, pk=payload.agreement_id) if payload.agreement_id else None
    data = payload.dict(exclude={"program_id", "agreement_id"})
    value_map = services.value_map_create(actor=request.user, program=program, agreement=agreement, data=data)
    return Status(201, _value_map(value_map))


@router.put("/value-maps/{map_id}", response=ValueMapOut, summary="Change a value map")
def value_map_update(request: HttpRequest, map_id: int, payload: ValueMapUpdate) -> dict[str, Any]:
    require_roles(request, *FINANCE_EDITORS)
    value_map = selectors.value_map_get(actor=request.user, pk=map_id)
    data = _given(payload, exclude={"version"})
    if payload.inputs_source is not None:
        data["inputs_manual"] = payload.inputs_manual  # None clears it when the inputs come from finance
    services.value_map_update(actor=request.user, value_map=value_map, data=data, version=payload.version)
    return _value_map(value_map)


@router.post("/value-maps/{map_id}/outcomes", response={201: OutcomeOut}, summary="Add an outcome")
def outcome_add(request: HttpRequest, map_id: int, payload: OutcomeIn) -> Status[dict[str, Any]]:
    require_roles(request, *FINANCE_EDITORS)
    value_map = selectors.value_map_get(actor=request.user, pk=map_id)
    outcome = services.outcome_add(actor=request.user, value_map=value_map, data=payload.dict())
    return Status(201, _outcome(outcome))


@router.put("/outcomes/{outcome_id}", response=OutcomeOut, summary="Change an outcome")
def outcome_update(request: HttpRequest, outcome_id: int, payload: OutcomeUpdate) -> dict[str, Any]:
    require_roles(request, *FINANCE_EDITORS)
    outcome = selectors.outcome_get(actor=request.user, pk=outcome_id)
    services.outcome_update(
        actor=request.user,
        outcome=outcome,
        data=_given(payload, exclude={"version"}),
        version=payload.version,
    )
    return _outcome(outcome)


@router.delete("/outcomes/{outcome_id}", response={204: None}, summary="Remove an outcome")
def outcome_remove(request: HttpRequest, outcome_id: int, query: Query[VersionIn]) -> Status[None]:
    require_roles(request, *FINANCE_EDITORS)
    outcome = selectors.outcome_get(actor=request.user, pk=outcome_id)
    services.outcome_remove(actor=request.user, outcome=outcome, version=query.version)
    return Status(204, None)


@router.post(
    "/outcomes/{outcome_id}/deadweight-from-comparison",
    response=OutcomeOut,
    summary="Set the deadweight to the comparison group's rate of the same outcome",
)
def outcome_deadweight(request: HttpRequest, outcome_id: int, payload: VersionIn) -> dict[str, Any]:
    require_roles(request, *FINANCE_EDITORS)
    outcome = selectors.outcome_get(actor=request.user, pk=outcome_id)
    services.outcome_deadweight_from_comparison(actor=request.user, outcome=outcome, version=payload.version)
    return _outcome(outcome)
