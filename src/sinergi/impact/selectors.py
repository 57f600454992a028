"""Reads for impact, scoped to the actor: finance, value maps and their numbers, surveys, SDGs, costs."""

from __future__ import annotations

import datetime as dt
import functools
import json
import math
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from dataclasses import replace as dc_replace
from decimal import Decimal
from typing import Any, TypeVar

from django.db import connection, transaction
from django.db.models import (
    Count,
    Exists,
    Max,
    Min,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy

from sinergi.accounts.choices import Role
from sinergi.core.errors import NotFoundError
from sinergi.core.suppression import PRIMARY, min_cell, suppress
from sinergi.core.suppression import Group as SuppressionGroup
from sinergi.impact import access, domain, kept
from sinergi.impact.choices import BudgetCategory, LiveIndicator
from sinergi.impact.models import (
    BudgetLine,
    Expenditure,
    InKindContribution,
    ProgramSdgTarget,
    SatisfactionSurvey,
    SurveyResponse,
    ValueMap,
    ValueMapSnapshot,
)
from sinergi.partnerships.models import Agreement
from sinergi.programs.choices import Stage
from sinergi.programs.models import Certificate, Enrollment, Program

PARTICIPANT_STAGES = (Stage.ENROLLED, Stage.ACTIVE, Stage.COMPLETED, Stage.WITHDRAWN)

T = TypeVar("T")


def _sum(qs: QuerySet[Any], field: str) -> int:
    return int(qs.aggregate(total=Coalesce(Sum(field), Value(0)))["total"] or 0)


# --- Programs ---------------------------------------------------------------------------------------


def program_list(*, actor: Any) -> QuerySet[Program]:
    """Programs the actor reaches in impact, with budget, realisation and in-kind totals (subqueries)."""
    spent = (
        Expenditure.objects.filter(budget_line__program=OuterRef("pk"))
        .order_by()
        .values("budget_line__program")
        .annotate(total=Sum("amount"))
        .values("total")
    )
    budget = (
        BudgetLine.objects.filter(program=OuterRef("pk"))
        .order_by()
        .values("program")
        .annotate(total=Sum("amount"))
        .values("total")
    )
    in_kind = (
        InKindContribution.objects.filter(program=OuterRef("pk"))
        .order_by()
        .values("program")
        .annotate(total=Sum("value"))
        .values("total")
    )
    programs = Program.objects.select_related("agreement")
    scope = access.program_scope(actor)
    if scope is not None:
        programs = programs.filter(scope)
    spent_total: Any = Coalesce(Subquery(spent), Value(0))
    aid_model = _aftercare("Aid")
    if aid_model is not None:
        # Aid recorded in aftercare is realisation too (of the equipment-and-aid line).
        aid = (
            aid_model.objects.filter(case__enrollment__cohort__program=OuterRef("pk"))
            .order_by()
            .values("case__enrollment__cohort__program")
            .annotate(total=Sum("value"))
            .values("total")
        )
        spent_total = spent_total + Coalesce(Subquery(aid), Value(0))
    return programs.annotate(
        budget_total=Coalesce(Subquery(budget), Value(0)),
        spent_total=spent_total,
        in_kind_total=Coalesce(Subquery(in_kind), Value(0)),
    ).order_by("-start_date", "name", "pk")


def program_get(*, actor: Any, pk: int) -> Program:
    """One program the actor reaches in impact; NotFoundError otherwise."""
    program = program_list(actor=actor).select_related("agreement__parent").filter(pk=pk).first()
    if program is None:
        raise NotFoundError()
    return program


def finance_program_get(*, actor: Any, pk: int) -> Program:
    """A program whose finance details the actor may read (editors only); NotFoundError otherwise."""
    program = program_get(actor=actor, pk=pk)
    if not access.may_read_finance(actor, program):
        raise NotFoundError()
    return program


# --- Finance ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LineRealisation:
    """A budget line with what was spent against it and the share of the budget."""

    line: BudgetLine
    spent: int
    percent: Decimal | None

    @property
    def remaining(self) -> int:
        return self.line.amount - self.spent


def budget_realisation(*, program: Program) -> list[LineRealisation]:
    """Budget against realisation per line and year, with the percentage spent (one query)."""
    lines = (
        BudgetLine.objects.filter(program=program)
        .select_related("funder")
        .annotate(spent=Coalesce(Sum("expenditures__amount"), Value(0)))
        .order_by("year", "category", "description", "pk")
    )
    aid = aid_by_line_key(programs=Program.objects.filter(pk=program.pk))
    rows = []
    for line in lines:
        spent = int(line.spent)
        if line.category == BudgetCategory.EQUIPMENT_AID:
            spent += aid.pop((line.program_id, line.year, line.funder_id), 0)
        rows.append(
            LineRealisation(line=line, spent=spent, percent=domain.realisation_percent(line.amount, spent))
        )
    return rows


def realisation_by_year(rows: list[LineRealisation]) -> list[dict[str, Any]]:
    """Totals per year from the per-line rows (no query)."""
    years: dict[int, dict[str, int]] = defaultdict(lambda: {"budget": 0, "spent": 0})
    for row in rows:
        years[row.line.year]["budget"] += row.line.amount
        years[row.line.year]["spent"] += row.spent
    return [
        {"year": year, **totals, "percent": domain.realisation_percent(totals["budget"], totals["spent"])}
        for year, totals in sorted(years.items())
    ]


def expenditure_list(*, actor: Any, program: Program) -> QuerySet[Expenditure]:
    """A program's expenditures, newest first, with their lines and payers loaded."""
    if not access.may_read_finance(actor, program):
        return Expenditure.objects.none()
    return (
        Expenditure.objects.filter(budget_line__program=program)
        .select_related("budget_line", "budget_line__funder", "paid_by")
        .order_by("-spent_on", "-pk")
    )


def in_kind_list(*, actor: Any, program: Program) -> QuerySet[InKindContribution]:
    if not access.may_read_finance(actor, program):
        return InKindContribution.objects.none()
    return InKindContribution.objects.filter(program=program).select_related("contributor")


def _finance_object(actor: Any, qs: QuerySet[Any], pk: int, program_path: str) -> Any:
    obj = qs.filter(pk=pk).first()
    if obj is None:
        raise NotFoundError()
    program = obj
    for part in program_path.split("."):
        program = getattr(program, part)
    finance_program_get(actor=actor, pk=program.pk)
    return obj


def budget_line_get(*, actor: Any, pk: int) -> BudgetLine:
    return _finance_object(
        actor, BudgetLine.objects.select_related("program__agreement__parent", "funder"), pk, "program"
    )


def expenditure_get(*, actor: Any, pk: int) -> Expenditure:
    return _finance_object(
        actor,
        Expenditure.objects.select_related("budget_line__program__agreement__parent", "paid_by"),
        pk,
        "budget_line.program",
    )


def in_kind_get(*, actor: Any, pk: int) -> InKindContribution:
    return _finance_object(
        actor,
        InKindContribution.objects.select_related("program__agreement__parent", "contributor"),
        pk,
        "program",
    )


def programs_of_agreement(agreement: Agreement) -> QuerySet[Program]:
    """The programs under an agreement and under the agreements recorded beneath it: an MoU's PKS and
    their addenda, two levels down, as the reports count them (`reports.selectors.agreement_q`) and as
    `access` reaches them. One level only left the programs of a PKS's addenda out of an MoU's figures, and
    put their participants in the comparison group of the MoU's recidivism and deadweight as if they had not
    taken part (tests/impact/test_deadweight_comparison.py)."""
    return Program.objects.filter(
        Q(agreement=agreement) | Q(agreement__parent=agreement) | Q(agreement__parent__parent=agreement)
    )


# A program's figures about people (cost per outcome, recidivism) count every cohort of it. The impact pages
# open a program to the parties of its agreement, its parent or its grandparent (`access.program_scope`),
# while the cohorts of a program under an addendum of a PKS of the viewer's MoU stop at the viewer's own units
# (`programs.selectors.cohort_scope` follows the agreement and its parent only). Such figures are read only
# for the programs whose every cohort the viewer reaches (`programs_reached`), as the dashboard's recidivism
# is (`reports.selectors.recidivism_programs`); the page says so.
PROGRAM_PARTLY_REACHED = gettext_lazy(
    "Cost per outcome and recidivism are not shown for this program: some of its cohorts are outside your "
    "scope (the program runs under an agreement below the one your organisation is party to, at units of "
    "another region), and these figures would count their participants."
)
AGREEMENT_PARTLY_REACHED = gettext_lazy(
    "Cost per outcome and recidivism count only the programs all of whose cohorts are in your scope: "
    "%(left_out)s of the %(total)s programs under this agreement run cohorts outside it (under an agreement "
    "below the one your organisation is party to, at units of another region) and are left out, with their "
    "realisation and in-kind contributions."
)


def programs_reached(actor: Any, programs: QuerySet[Program]) -> QuerySet[Program]:
    """The programs of `programs` whose every cohort the actor reaches (`programs.selectors.cohort_scope`):
    all of them for the system, administrators and monitors (who read every program's aggregates)."""
    from sinergi.programs.models import Cohort
    from sinergi.programs.selectors import cohort_scope

    role = getattr(actor, "role", None)
    if actor is None or role in (Role.ADMIN, Role.MONITOR):
        return programs
    unseen = Cohort.objects.filter(program=OuterRef("pk")).exclude(
        pk__in=cohort_scope(actor=actor).values("pk")
    )
    return programs.exclude(Exists(unseen))


def reach_of(actor: Any, programs: QuerySet[Program]) -> dict[str, Any]:
    """In one query: how many of `programs` there are (`total`), how many the actor reaches whole
    (`counted`, `programs_reached`) and the first start and last end of those (`first`, `last`)."""
    whole = Q(pk__in=programs_reached(actor, programs).values("pk"))
    return programs.order_by().aggregate(
        total=Count("pk"),
        counted=Count("pk", filter=whole),
        first=Min("start_date", filter=whole),
        last=Max("end_date", filter=whole),
    )


def inputs_for(*, programs: QuerySet[Program], start: dt.date, end: dt.date) -> dict[str, int]:
    """Realisation (expenditures plus aid recorded in aftercare) and in-kind contributions of some programs
    within a period."""
    spent = _sum(
        Expenditure.objects.filter(budget_line__program__in=programs, spent_on__gte=start, spent_on__lte=end),
        "amount",
    )
    in_kind = _sum(
        InKindContribution.objects.filter(
            program__in=programs, contributed_on__gte=start, contributed_on__lte=end
        ),
        "value",
    )
    aid = sum(aid_by_line_key(programs=programs, start=start, end=end).values())
    realisation = spent + aid
    return {"realisation": realisation, "in_kind": in_kind, "total": realisation + in_kind, "aid": aid}


# --- Cost per outcome --------------------------------------------------------------------------------


def outcome_counts(*, programs: QuerySet[Program], consented_only: bool = False) -> dict[str, int | None]:
    """Participants, completions and certificates of some programs (two queries). In work or business at 6
    months needs the aftercare follow-ups and is None ("not available") until they exist; `consented_only`
    (TJSL officers, `consent_only_for`): only participants who agreed to share with the company."""
    counts = Enrollment.objects.filter(cohort__program__in=programs).aggregate(
        participant=Count("pk", filter=Q(stage__in=PARTICIPANT_STAGES)),
        completion=Count("pk", filter=Q(stage=Stage.COMPLETED)),
    )
    certificates = Certificate.objects.counted().filter(enrollment__cohort__program__in=programs).count()
    return {
        "participant": counts["participant"],
        "completion": counts["completion"],
        "certificate": certificates,
        "in_work_6m": follow_up_count(
            programs=programs,
            binding=LiveIndicator.IN_WORK_6M,
            start=dt.date.min,
            end=dt.date.max,
            as_of=dt.date.max,
            consented_only=consented_only,
        ),
    }


def consent_only_for(actor: Any) -> bool:
    """Aftercare outcomes reach a TJSL officer only for participants who agreed to share them with the
    company (aftercare's rule for showing them a case): their counts of those outcomes are of them only."""
    return getattr(actor, "role", None) == Role.CSR_OFFICER


@dataclass(frozen=True)
class CostRow:
    """One outcome: how many (as the actor may see it) and the cost of each; `withheld`: not shown to the
    actor on this page (`WITHHELD_PER_PROGRAM`)."""

    outcome: str
    count: int | str | None
    cost: Decimal | None
    suppressed: bool
    withheld: bool = False


# Impact pages and API per program or agreement are views filtered to those programs: for aggregate-only roles
# they show only what the dashboard shows them under the same filter (docs/security.md, "Small cells across
# dashboard filters"), so that two views cannot be subtracted.
WITHHELD_PER_PROGRAM = gettext_lazy(
    "Some figures are hidden on this page, because it shows only part of your programs: recidivism, "
    "outcomes after release and, for monitors, the number of people per SDG goal. They are shown only on "
    "the dashboard without filters, because the difference between this page and another view could reveal "
    "a number of fewer than 5 people, who could then be recognised."
)
# A TJSL officer may list these person by person under any filter (`reports.access.COMPANY_LIST_METRICS`);
# a monitor reads them for one program from that program's row of the masked program table.
LISTED_OUTCOMES = {"participant": "participants", "completion": "completed", "certificate": "certified"}


def withheld_per_program(actor: Any) -> bool:
    """Whether the actor's per-program and per-agreement impact figures are limited (aggregate-only roles)."""
    return access.aggregates_only(actor)


def cost_per_outcome(
    *, actor: Any, programs: QuerySet[Program], cost: int, program: Program | None = None
) -> list[CostRow]:
    """Cost per participant, completion, certificate and in work at 6 months. For roles that see aggregates
    only, a count under 5 is shown as "<5" and its cost as too few to report; and, as these pages are
    filtered views (`WITHHELD_PER_PROGRAM`), "in work at 6 months" is withheld from them, and a monitor's
    counts are that `program`'s row of the masked program table (`programs.selectors.program_figures`), or
    on an agreement's page (no `program`) the sum of its programs' rows (`monitor_rows_summed`)."""
    counts = outcome_counts(programs=programs, consented_only=consent_only_for(actor))
    costs = domain.cost_per_outcome(cost, counts)
    limited = withheld_per_program(actor)
    monitor = limited and getattr(actor, "role", None) == Role.MONITOR
    monitor_row: dict[str, Any] | None = None
    if monitor:
        from sinergi.programs.selectors import program_figures

        if program is not None:
            monitor_row = next((r for r in program_figures() if r.get("program_id") == program.pk), None)
        else:
            monitor_row = monitor_rows_summed(program_figures(), set(programs.values_list("pk", flat=True)))
    rows = []
    for name in domain.COST_OUTCOMES:
        count = counts[name]
        if limited and (
            name not in LISTED_OUTCOMES
            or (getattr(actor, "role", None) == Role.MONITOR and monitor_row is None)
        ):
            rows.append(CostRow(outcome=name, count=None, cost=None, suppressed=False, withheld=True))
            continue
        if monitor_row is not None:
            shown = monitor_row[LISTED_OUTCOMES[name]]
            exact = isinstance(shown, int)
            rows.append(
                CostRow(
                    outcome=name,
                    count=shown,
                    cost=domain.cost_per_outcome(cost, {name: shown})[name] if exact else None,
                    suppressed=not exact,
                )
            )
            continue
        hidden = access.aggregates_only(actor) and domain.too_small(count)
        rows.append(
            CostRow(
                outcome=name,
                count=access.cell(actor, count),
                cost=None if hidden else costs[name],
                suppressed=hidden,
            )
        )
    return rows


def monitor_rows_summed(table: list[dict[str, Any]], program_ids: set[int]) -> dict[str, Any] | None:
    """An agreement's counts for a monitor, from the rows of its programs in the masked program table
    (`programs.selectors.program_figures`): a column's sum when every one of those rows shows its count,
    else "×" (hidden). So the agreement's figure is worked out from what the table already shows, and gives
    nothing back that the table hides: an exact count of the agreement would, minus its shown rows, give
    its hidden ones. None when the table has none of its programs."""
    rows = [row for row in table if row.get("program_id") in program_ids]
    if not rows:
        return None
    summed: dict[str, Any] = {}
    for column in LISTED_OUTCOMES.values():
        cells = [row[column] for row in rows]
        summed[column] = sum(cells) if all(isinstance(cell, int) for cell in cells) else "×"
    return summed


# --- Value maps ----------------------------------------------------------------------------------------


def _value_map_scope(actor: Any, qs: QuerySet[ValueMap]) -> QuerySet[ValueMap]:
    organisations = access.party_organisations(actor)
    if organisations is None:
        return qs
    if not organisations or getattr(actor, "role", None) not in access.FINANCE_READERS:
        return qs.none()
    return qs.filter(
        Q(
            program__isnull=False,
            program__in=Program.objects.filter(access.agreement_party_q(organisations, "agreement")),
        )
        | Q(
            agreement__isnull=False,
            agreement__in=Agreement.objects.filter(access.agreement_party_q(organisations)),
        )
    )


def value_map_list(*, actor: Any, program: Program | None = None) -> QuerySet[ValueMap]:
    """Value maps the actor may open (editors of their program or agreement), with outcome counts."""
    qs = _value_map_scope(actor, ValueMap.objects.select_related("program", "agreement"))
    if program is not None:
        qs = qs.filter(Q(program=program) | Q(agreement=program.agreement))
    return qs.annotate(
        outcome_count=Count("outcomes", distinct=True),
        frozen=Exists(ValueMapSnapshot.objects.filter(value_map=OuterRef("pk"))),
    ).order_by("title", "pk")


def value_map_get(*, actor: Any, pk: int) -> ValueMap:
    value_map = (
        _value_map_scope(
            actor, ValueMap.objects.select_related("program__agreement__parent", "agreement__parent")
        )
        .filter(pk=pk)
        .first()
    )
    if value_map is None:
        raise NotFoundError()
    return value_map


def outcome_get(*, actor: Any, pk: int) -> Any:
    from sinergi.impact.models import ValueMapOutcome

    outcome = ValueMapOutcome.objects.select_related("value_map").filter(pk=pk).first()
    if outcome is None:
        raise NotFoundError()
    outcome.value_map = value_map_get(actor=actor, pk=outcome.value_map_id)
    return outcome


def snapshot_get(*, actor: Any, pk: int) -> ValueMapSnapshot:
    snapshot = ValueMapSnapshot.objects.select_related("value_map", "taken_by").filter(pk=pk).first()
    if snapshot is None:
        raise NotFoundError()
    value_map_get(actor=actor, pk=snapshot.value_map_id)
    return snapshot


SNAPSHOT_LIVE = gettext_lazy("Frozen from the records (live figure).")
SNAPSHOT_EXACT = gettext_lazy(
    "For your role, figures frozen from the records by an officer who sees exact counts are not shown "
    "(“×”): they count one program and period exactly, and their difference from the figures you see could "
    "reveal a few people. The numbers computed from them are hidden too."
)
SNAPSHOT_HIDDEN = gettext_lazy(
    "For your role, a figure frozen from the records counts too few people to report (under 5): it is "
    "shown as “<5”, and the numbers computed from it are hidden (“×”), as they would give it back."
)
#: The frozen results computed from the quantities (the inputs are money and stay shown).
SNAPSHOT_DERIVED = ("present_value", "net_present_value", "ratio", "net_ratio", "payback_months")


@dataclass(frozen=True)
class SnapshotShown:
    """A frozen snapshot as the reader may see it: the value map (outcomes with `hidden` set on a masked
    quantity), the results ("×" for the derived ones when a quantity is masked) and whether anything is."""

    data: dict[str, Any]
    results: dict[str, Any]
    masked: bool
    #: Why (`SNAPSHOT_EXACT`, `SNAPSHOT_HIDDEN`), for the page.
    notes: tuple[str, ...] = ()


def snapshot_shown(*, actor: Any, snapshot: ValueMapSnapshot) -> SnapshotShown:
    """A snapshot masked at display time (page, API, download) for aggregate-only readers, whoever froze it.

    A snapshot frozen by a Kanwil officer or an administrator holds the exact live figures of the map's
    programs and period; an aggregate-only reader's own figures count cumulatively, up to quarter ends and,
    for outcomes they may not list, over their whole scope (`live_quantities`), so the difference between
    the two could count a few people. So for an aggregate-only reader every outcome frozen from the records
    (`live_as_of`) by another rule than theirs (no `live_rule`) shows "×" (`SNAPSHOT_EXACT`); one frozen by
    their rule (a TJSL officer's snapshot) shows its count, as "<5" when it is 1 to 4 (`SNAPSHOT_HIDDEN`).
    Every such outcome loses its note (it names the count and its complements, such as the total and those
    still waiting). When any count is hidden, the present value, net present value, ratios and payback,
    computed from the quantities with the proxies the reader knows, would give it back, so they show as
    "×" (secondary suppression). Other readers see the snapshot as frozen."""
    data = domain.loads_value_map(snapshot.data)
    results = dict(snapshot.results or {})
    if not access.aggregates_only(actor):
        return SnapshotShown(data, results, False)
    notes: list[str] = []
    for raw in data.get("outcomes") or []:
        if not isinstance(raw, dict) or "live_as_of" not in raw:
            continue  # entered by hand: not a count from the records
        raw["quantity_source"] = str(SNAPSHOT_LIVE)
        quantity = raw.get("quantity")
        if raw.get("live_rule") != AGGREGATE_RULE:
            raw["quantity"] = "×"
            raw["hidden"] = True
            notes.append(str(SNAPSHOT_EXACT))
        elif isinstance(quantity, Decimal) and domain.too_small(math.ceil(quantity)):
            raw["quantity"] = f"<{domain.MIN_CELL}"
            raw["hidden"] = True
            notes.append(str(SNAPSHOT_HIDDEN))
    masked = bool(notes)
    if masked:
        results = {
            key: ("×" if key in SNAPSHOT_DERIVED and value is not None else value)
            for key, value in results.items()
        }
    return SnapshotShown(data, results, masked, tuple(dict.fromkeys(notes)))


def value_map_programs(value_map: ValueMap) -> QuerySet[Program]:
    if value_map.program_id:
        return Program.objects.filter(pk=value_map.program_id)
    return programs_of_agreement(value_map.agreement)  # type: ignore[arg-type]


def value_map_reach(value_map: ValueMap, actor: Any) -> dict[str, Any] | None:
    """`reach_of` the map's programs for `actor` (one query); None for the system (`actor=None`), which
    counts every program."""
    return None if actor is None else reach_of(actor, value_map_programs(value_map))


def value_map_inputs(value_map: ValueMap, *, actor: Any = None) -> dict[str, int]:
    """The inputs: entered by hand, or the realisation plus in-kind contributions in the map's period over
    the same programs as the live quantities for the same viewer: those whose every cohort `actor` reaches
    (`programs_reached`; `actor=None`: the system, every program of the map). Over every program of the
    map, a Kanwil officer who reaches only part of it read an SROI ratio of outcomes over the programs they
    reach to inputs over all of them (issue 13: tests/impact/test_value_map_inputs_reach.py)."""
    if value_map.inputs_source == "manual":
        manual = int(value_map.inputs_manual or 0)
        return {"realisation": 0, "in_kind": 0, "total": manual, "aid": 0}
    return inputs_for(
        programs=programs_reached(actor, value_map_programs(value_map)),
        start=value_map.period_start,
        end=value_map.period_end,
    )


def value_map_domain(
    value_map: ValueMap, *, inputs: int, live: dict[int, LiveQuantity] | None = None
) -> domain.ValueMap:
    """The rules' ValueMap from the stored one (outcomes in their order), with live quantities where an
    outcome is bound to an indicator that has a value."""
    live = live or {}

    def quantity(o: Any) -> Decimal:
        value = live.get(o.pk)
        return value.quantity if value is not None and value.quantity is not None else o.quantity

    return domain.ValueMap(
        inputs=Decimal(inputs),
        discount_rate=value_map.discount_rate,
        outcomes=tuple(
            domain.Outcome(
                name=o.name,
                quantity=quantity(o),
                proxy=o.proxy,
                duration=o.duration,
                deadweight=o.deadweight,
                displacement=o.displacement,
                attribution=o.attribution,
                drop_off=o.drop_off,
            )
            for o in value_map.outcomes.all()
        ),
    )


INPUTS_NOT_REACHED = gettext_lazy(
    "The realisation and in-kind contributions are not counted: every program of this value map runs cohorts "
    "outside your scope (under an agreement below the one your organisation is party to, at units of another "
    "region), and its live figures are not shown to you either."
)


@dataclass(frozen=True)
class ValueMapNumbers:
    """The numbers of a value map now, or why they cannot be computed yet."""

    inputs: dict[str, int]
    result: domain.SroiResult | None
    sensitivity: list[domain.SensitivityRow]
    problems: list[domain.Problem]
    live: dict[int, LiveQuantity] = field(default_factory=dict)
    #: `value_map_reach` for the viewer (None: the system, every program; or nothing in these numbers is
    #: counted from the records: inputs entered by hand and no bound outcome).
    reach: dict[str, Any] | None = None
    #: The inputs are entered by hand (they count no program).
    manual: bool = False

    @property
    def whole(self) -> bool:
        """Whether these numbers cover every program of the map (the viewer reaches each one whole)."""
        return self.reach is None or self.reach["counted"] >= self.reach["total"]

    @property
    def reach_note(self) -> str:
        """`inputs_reach_note` of these numbers."""
        return inputs_reach_note(self.reach, manual=self.manual)


def inputs_reach_note(reach: dict[str, Any] | None, *, manual: bool) -> str:
    """For a viewer who reaches some but not all of a map's programs (`value_map_reach`), that the inputs
    from the records count only those, as its live figures do (`LIVE_PARTLY_REACHED`, the same words); ""
    otherwise, and for inputs entered by hand (they count no program)."""
    if manual or reach is None or not reach["counted"] or reach["counted"] >= reach["total"]:
        return ""
    return str(LIVE_PARTLY_REACHED % {"left_out": reach["total"] - reach["counted"], "total": reach["total"]})


def value_map_numbers(
    value_map: ValueMap,
    *,
    step: Decimal = domain.DEFAULT_STEP,
    as_of: dt.date | None = None,
    actor: Any = None,
) -> ValueMapNumbers:
    """The numbers of a value map as `actor` may see them (`live_quantities`): for a TJSL officer, a live
    figure withheld as too small leaves the hand-entered quantity in the numbers, so no value, present
    value or ratio gives it back. The inputs from the records count the same programs as the live figures
    (`value_map_inputs`), so the ratio is over one base; when the viewer reaches none of the map's programs
    they count nothing and the numbers cannot be computed (`INPUTS_NOT_REACHED`)."""
    manual = value_map.inputs_source == "manual"
    inputs = value_map_inputs(value_map, actor=actor)
    live, reach = _live_and_reach(
        value_map, as_of=as_of, actor=actor, reach=None if manual else value_map_reach(value_map, actor)
    )
    model = value_map_domain(value_map, inputs=inputs["total"], live=live)
    problems = domain.value_map_problems(domain.value_map_to_dict(model))
    if not manual and reach is not None and reach["total"] and not reach["counted"]:
        problems = [p for p in problems if p.field != "inputs"]
        problems.insert(0, domain.Problem(None, "inputs", str(INPUTS_NOT_REACHED)))
    if problems:
        return ValueMapNumbers(
            inputs=inputs,
            result=None,
            sensitivity=[],
            problems=problems,
            live=live,
            reach=reach,
            manual=manual,
        )
    return ValueMapNumbers(
        inputs=inputs,
        result=domain.sroi(model),
        sensitivity=domain.sensitivity(model, step=step),
        problems=[],
        live=live,
        reach=reach,
        manual=manual,
    )


def value_map_file(
    value_map: ValueMap,
    *,
    live: dict[int, LiveQuantity] | None = None,
    as_of: dt.date | None = None,
    actor: Any = None,
    numbers: ValueMapNumbers | None = None,
) -> dict[str, Any]:
    """The value map in the `sinergi sroi` file format, with its descriptive fields as extra keys. A bound
    outcome carries its live quantity as it stands, with where it came from (what a snapshot freezes), as
    `actor` may see it: a live figure withheld from them keeps the hand-entered quantity and its source.
    The inputs count the same programs as the live figures (`value_map_inputs`); when those are only some
    of the map's, `inputs_note` says so. `numbers`: the map's numbers already computed for `actor` (a
    snapshot freezes the same live figures and inputs as its results)."""
    if numbers is not None:
        inputs, live, reach_note = numbers.inputs["total"], numbers.live, numbers.reach_note
    else:
        manual = value_map.inputs_source == "manual"
        inputs = value_map_inputs(value_map, actor=actor)["total"]
        reach = None if manual else value_map_reach(value_map, actor)
        if live is None:
            live, reach = _live_and_reach(value_map, as_of=as_of, actor=actor, reach=reach)
        reach_note = inputs_reach_note(reach, manual=manual)
    outcomes = list(value_map.outcomes.all())
    extra: dict[str, Any] = {"inputs_note": reach_note} if reach_note else {}
    data = domain.value_map_to_dict(
        value_map_domain(value_map, inputs=inputs, live=live),
        title=value_map.title,
        stakeholders=list(value_map.stakeholders),
        period={"from": value_map.period_start.isoformat(), "to": value_map.period_end.isoformat()},
        **extra,
    )
    for raw, outcome in zip(data["outcomes"], outcomes, strict=True):
        raw.update(
            {
                "stakeholder": outcome.stakeholder,
                "indicator": outcome.indicator,
                "quantity_source": outcome.quantity_source,
                "proxy_source": outcome.proxy_source,
                "deadweight_source": outcome.deadweight_source,
                "binding": outcome.binding,
            }
        )
        value = live.get(outcome.pk)
        if value is not None and value.quantity is not None:
            raw["quantity_source"] = value.note
            raw["live_as_of"] = value.as_of.isoformat()
            if value.rule:
                raw["live_rule"] = value.rule
    return data


# --- Live-bound quantities ------------------------------------------------------------------------------

FOLLOW_UPS_MISSING = gettext_lazy(
    "Not available yet: aftercare follow-ups are not recorded in this version, so the quantity entered by "
    "hand is used."
)
LIVE_COMPLETED = gettext_lazy(
    "%(n)s participants completed the program in the period (live, as of %(date)s)."
)
LIVE_CERTIFIED = gettext_lazy("%(n)s participants were certified in the period (live, as of %(date)s).")
LIVE_NO_REOFFENCE = gettext_lazy(
    "%(n)s of %(total)s participants released from %(start)s did not re-offend within 24 months "
    "(live, as of %(date)s; %(waiting)s more still within their window)."
)
LIVE_CUMULATIVE = gettext_lazy(
    "For your role this figure counts from the programs' start to the end of the map's period, not from "
    "the period's start, so that maps over different periods cannot be subtracted to reveal a few people."
)
LIVE_CLAMPED = gettext_lazy(
    "For your role it counts up to %(end)s, the last quarter end on or before the end of the map's period, "
    "so that maps whose periods end a few days apart cannot be subtracted."
)
LIVE_WHOLE_SCOPE = gettext_lazy(
    "For your role this figure counts everyone in your whole scope (every agreement and program you see, "
    "from their start) up to %(end)s, whatever program, agreement or period the value map is for, so that "
    "two value maps, or a value map and the dashboard, cannot be subtracted to reveal a few people."
)
#: Outcomes an aggregate-only role may not list person by person (aftercare outcomes, re-offence): for them a
#: value map counts these over their whole scope, as the joint report does (`reports.joint`, `wide`).
WHOLE_SCOPE_BINDINGS = (
    LiveIndicator.IN_WORK_6M,
    LiveIndicator.IN_WORK_12M,
    LiveIndicator.INCOME_UMK,
    LiveIndicator.NO_REOFFENCE_24M,
)
LIVE_NOT_REACHED = gettext_lazy(
    "Not shown: this figure would count participants of cohorts outside your scope (the program runs under "
    "an agreement below the one your organisation is party to, at units of another region), so the quantity "
    "entered by hand is used."
)
LIVE_PARTLY_REACHED = gettext_lazy(
    "It counts only the programs all of whose cohorts are in your scope: %(left_out)s of the %(total)s "
    "programs of this value map are left out."
)
#: `LiveQuantity.rule` (and `live_rule` in a frozen file) of a figure counted by the aggregate-only rule.
AGGREGATE_RULE = "aggregate"
LIVE_WITHHELD = gettext_lazy(
    "Not shown: the live figure counts too few people to report (under 5, or it would reveal a count "
    "under 5), so the quantity entered by hand is used (live, as of %(date)s)."
)


@dataclass(frozen=True)
class LiveQuantity:
    """A bound outcome's quantity from the records (None: not available), the day and where it came from."""

    binding: str
    quantity: Decimal | None
    as_of: dt.date
    note: str
    #: Too few people for the viewer (an aggregate-only role): no count shown, the hand-entered quantity used.
    withheld: bool = False
    #: `AGGREGATE_RULE` when counted by the aggregate-only rule (cumulative, quarter ends, whole scope).
    rule: str = ""


def follow_up_count(
    *,
    programs: QuerySet[Program],
    binding: str,
    start: dt.date,
    end: dt.date,
    as_of: dt.date,
    consented_only: bool = False,
    consented_by: dt.date | None = None,
) -> int | None:
    """Participants in work or business at 6 or 12 months, or with income at or above the UMK, from
    aftercare follow-ups. None ("not available") while aftercare has no follow-ups.

    Counted: distinct participants of the programs released in [start, end] whose 6- or 12-month follow-up
    (done by the as-of date, the person contacted) found them employed or self-employed; for the UMK, whose
    latest independence score by the as-of date had income at or above the regency's UMK.

    `consented_only` (for TJSL officers): only people with an active consent to share their data with the
    company partner, the rule by which aftercare shows TJSL officers a case (aftercare.selectors._scope);
    with `consented_by`, only consents given by that day (the joint report's whole-scope sections, counted as
    of a quarter end); a withdrawn consent counts in no report made after the withdrawal."""
    follow_up = _aftercare("FollowUp")
    if follow_up is None:
        return None
    participants = Enrollment.objects.filter(
        cohort__program__in=programs, stage__in=PARTICIPANT_STAGES
    ).values("person_id")
    if consented_only:
        from sinergi.beneficiaries.choices import ConsentPurpose
        from sinergi.beneficiaries.models import Consent

        consents = Consent.objects.filter(purpose=ConsentPurpose.PARTNER_SHARING, withdrawn_on__isnull=True)
        if consented_by is not None:
            consents = consents.filter(given_on__lte=consented_by)
        participants = participants.filter(person_id__in=consents.values("person_id"))
    cases = {
        "case__person_id__in": participants,
        "case__released_on__gte": start,
        "case__released_on__lte": end,
    }
    if binding in (LiveIndicator.IN_WORK_6M, LiveIndicator.IN_WORK_12M):
        return (
            follow_up.objects.filter(
                **cases,
                milestone=6 if binding == LiveIndicator.IN_WORK_6M else 12,
                done_on__lte=as_of,
                contacted=True,
                work_status__in=WORKING,
            )
            .values("case__person_id")
            .distinct()
            .count()
        )
    score = _aftercare("IndexScore")
    if binding != LiveIndicator.INCOME_UMK or score is None:
        return None
    latest: dict[int, tuple[int, Any]] = {}
    for person_id, case_id, components in (
        score.objects.filter(**cases, scored_on__lte=as_of)
        .order_by("case_id", "scored_on", "pk")
        .values_list("case__person_id", "case_id", "components")
    ):
        latest[case_id] = (person_id, components)
    return len(
        {
            person_id
            for person_id, components in latest.values()
            if isinstance(components, dict) and (components.get("income_at_umk") or {}).get("met")
        }
    )


def live_hidden(*counts: int | None) -> bool:
    """Whether a live figure is withheld from an aggregate-only viewer: any of its counts is 1 to 4. The
    counts are the figure and its complements (for no re-offence: re-offended, not, their total and those
    still waiting), so one hides the others and none is given back by subtraction (core.suppression)."""
    return any(domain.too_small(count) for count in counts)


def live_quantity(
    *,
    programs: QuerySet[Program],
    binding: str,
    start: dt.date | None,
    end: dt.date,
    as_of: dt.date,
    actor: Any = None,
) -> LiveQuantity:
    """One live indicator over some programs and a period, as of a day, as `actor` may see it.

    For roles that see aggregates only (TJSL officers), a figure with a count of 1 to 4 people, or whose
    note would give one back by subtraction, is withheld: no quantity (the hand-entered one is used) and a
    note with no count. Aftercare's follow-ups count for TJSL officers only for people who agreed to share
    their data with the company partner. `start` None: from the beginning (cumulative)."""
    from django.utils.formats import date_format

    shown = date_format(as_of, "j F Y")
    hide = access.aggregates_only(actor)
    since = start or dt.date.min
    withheld = LiveQuantity(binding, None, as_of, str(LIVE_WITHHELD % {"date": shown}), withheld=True)
    if binding == LiveIndicator.COMPLETED:
        n = (
            Enrollment.objects.filter(cohort__program__in=programs, stage=Stage.COMPLETED)
            .filter(
                Q(completed_on__gte=since, completed_on__lte=min(end, as_of))
                | Q(completed_on__isnull=True, cohort__end_date__gte=since, cohort__end_date__lte=end)
            )
            .values("person_id")
            .distinct()
            .count()
        )
        if hide and live_hidden(n):
            return withheld
        return LiveQuantity(binding, Decimal(n), as_of, str(LIVE_COMPLETED % {"n": n, "date": shown}))
    if binding == LiveIndicator.CERTIFIED:
        n = (
            Certificate.objects.counted()
            .filter(
                enrollment__cohort__program__in=programs, issued_on__gte=since, issued_on__lte=min(end, as_of)
            )
            .values("enrollment__person_id")
            .distinct()
            .count()
        )
        if hide and live_hidden(n):
            return withheld
        return LiveQuantity(binding, Decimal(n), as_of, str(LIVE_CERTIFIED % {"n": n, "date": shown}))
    if binding == LiveIndicator.NO_REOFFENCE_24M:
        result = recidivism(programs=programs, months=24, as_of=as_of, start=start, end=end)
        p = result.participants
        n = p.n - p.reoffended
        if hide and live_hidden(n, p.reoffended, p.n, p.waiting, p.n + p.waiting):
            return withheld
        note = LIVE_NO_REOFFENCE % {
            "n": n,
            "total": p.n,
            "start": date_format(result.start, "j F Y"),
            "date": shown,
            "waiting": p.waiting,
        }
        return LiveQuantity(binding, Decimal(n), as_of, str(note))
    count = follow_up_count(
        programs=programs,
        binding=binding,
        start=since,
        end=end,
        as_of=as_of,
        consented_only=consent_only_for(actor),
    )
    if count is None:
        return LiveQuantity(binding, None, as_of, str(FOLLOW_UPS_MISSING))
    if hide and live_hidden(count):
        return withheld
    return LiveQuantity(binding, Decimal(count), as_of, "")


def live_quantities(
    value_map: ValueMap,
    *,
    as_of: dt.date | None = None,
    actor: Any = None,
    reach: dict[str, Any] | None = None,
) -> dict[int, LiveQuantity]:
    """The live quantity of every bound outcome of a value map, by outcome id, as `actor` may see it: how
    they are counted is said at `_live_and_reach`."""
    return _live_and_reach(value_map, as_of=as_of, actor=actor, reach=reach)[0]


def _live_and_reach(
    value_map: ValueMap,
    *,
    as_of: dt.date | None = None,
    actor: Any = None,
    reach: dict[str, Any] | None = None,
) -> tuple[dict[int, LiveQuantity], dict[str, Any] | None]:
    """The live quantity of every bound outcome of a value map, by outcome id (each indicator once), as
    `actor` may see it (`live_quantity`; `actor=None`: the system, every figure).

    For aggregate-only roles (docs/security.md, "Value maps") the figures are cumulative: from the programs'
    start, not from the period's start, up to the end of the map's period clamped to the last quarter end on
    or before it (today when the period runs to today or later: `access.aggregate_as_of`), so that two maps
    over periods with the same end, or with ends in the same quarter, cannot be subtracted to count the few
    people in between. And the outcomes they may not list person by person (`WHOLE_SCOPE_BINDINGS`) count
    their whole scope, every program they see, whatever the map's program or agreement, as the joint report
    does: a map of an agreement minus a map of one of its programs gives nothing. Two different quarter ends
    still differ by what happened between them. `reach`: `value_map_reach` when the caller has it; it is
    returned with the quantities, read here when the map has a bound outcome (None: the system, or nothing
    counted from the records)."""
    from django.utils import timezone
    from django.utils.formats import date_format

    as_of = as_of or timezone.localdate()
    bound = [(o.pk, o.binding) for o in value_map.outcomes.all() if o.binding]
    if not bound:
        return {}, reach
    # Only the programs whose every cohort the viewer reaches, as on the impact pages (`programs_reached`).
    mapped = value_map_programs(value_map)
    programs = programs_reached(actor, mapped)
    if actor is not None and reach is None:
        reach = reach_of(actor, mapped)
    if reach is not None and reach["total"] and not reach["counted"]:
        left_out = LiveQuantity("", None, as_of, str(LIVE_NOT_REACHED))
        return {pk: dc_replace(left_out, binding=binding) for pk, binding in bound}, reach
    cumulative = access.aggregates_only(actor)
    end = access.aggregate_as_of(value_map.period_end, today=as_of) if cumulative else value_map.period_end
    values: dict[str, LiveQuantity] = {}
    for _pk, binding in bound:
        if binding in values:
            continue
        whole = cumulative and binding in WHOLE_SCOPE_BINDINGS
        value = live_quantity(
            programs=_whole_scope(actor) if whole else programs,
            binding=binding,
            start=None if cumulative else value_map.period_start,
            end=end,
            as_of=as_of,
            actor=actor,
        )
        if cumulative and value.quantity is not None:
            shown = {"end": date_format(end, "j F Y")}
            notes = [value.note]
            if whole:
                notes.append(str(LIVE_WHOLE_SCOPE % shown))
            else:
                notes.append(str(LIVE_CUMULATIVE))
                if end != value_map.period_end and end != as_of:
                    notes.append(str(LIVE_CLAMPED % shown))
            value = dc_replace(value, note=" ".join(part for part in notes if part), rule=AGGREGATE_RULE)
        if reach is not None and reach["counted"] < reach["total"] and not whole:
            left = LIVE_PARTLY_REACHED % {
                "left_out": reach["total"] - reach["counted"],
                "total": reach["total"],
            }
            value = dc_replace(value, note=" ".join(part for part in (value.note, str(left)) if part))
        values[binding] = value
    return {pk: values[binding] for pk, binding in bound}, reach


def _whole_scope(actor: Any) -> QuerySet[Program]:
    """Every program the actor reaches in impact (`access.program_scope`) and whose every cohort they reach
    (`programs_reached`): an aggregate-only role's whole scope."""
    scope = access.program_scope(actor)
    return programs_reached(actor, Program.objects.all() if scope is None else Program.objects.filter(scope))


# --- Surveys ----------------------------------------------------------------------------------------------


def survey_list(*, actor: Any, program: Program) -> QuerySet[SatisfactionSurvey]:
    """The program's surveys with their respondents counted and their answers read in one more query
    (`survey_results` uses them), however many surveys there are."""
    answers = Prefetch("responses", queryset=SurveyResponse.objects.only("pk", "survey_id", "answers"))
    return (
        SatisfactionSurvey.objects.filter(program=program)
        .annotate(respondents=Count("responses"))
        .prefetch_related(answers)
    )


def survey_get(*, actor: Any, pk: int) -> SatisfactionSurvey:
    survey = SatisfactionSurvey.objects.select_related("program").filter(pk=pk).first()
    if survey is None:
        raise NotFoundError()
    program_get(actor=actor, pk=survey.program_id)
    return survey


@dataclass(frozen=True)
class SurveyResults:
    """Per element its mean, the IKM and band, and the respondents; hidden when too few for the actor."""

    respondents: int | str
    result: domain.IkmResult | None
    suppressed: bool


def survey_results(*, actor: Any, survey: SatisfactionSurvey) -> SurveyResults:
    if "responses" in getattr(survey, "_prefetched_objects_cache", {}):
        answers = [response.answers for response in survey.responses.all()]  # read by survey_list
    else:
        answers = list(survey.responses.values_list("answers", flat=True))
    count = len(answers)
    if access.aggregates_only(actor) and domain.too_small(count):
        return SurveyResults(respondents=access.cell(actor, count) or 0, result=None, suppressed=True)
    return SurveyResults(
        respondents=count,
        result=domain.ikm_result(answers, survey.elements, survey.band_version),
        suppressed=False,
    )


# --- SDGs ---------------------------------------------------------------------------------------------------


def sdg_tags(*, program: Program) -> list[str]:
    return list(ProgramSdgTarget.objects.filter(program=program).values_list("target", flat=True))


def sdg_rollup(*, actor: Any) -> list[dict[str, Any]]:
    """Per goal: the programs tagged with it (by a target here, or by goal on the program), the targets
    used, participants and realisation of those programs. Participants are counted in the cohorts the actor
    reaches (`programs.selectors.cohort_scope`; all for administrators and monitors); under 5 they are "<5"
    for aggregate roles, and None (withheld, `WITHHELD_PER_PROGRAM`) for monitors."""
    programs = {p.pk: p for p in program_list(actor=actor)}
    tags: list[tuple[int, str]] = [
        (program_id, target)
        for program_id, target in ProgramSdgTarget.objects.filter(program_id__in=programs).values_list(
            "program_id", "target"
        )
    ]
    for program in programs.values():
        tags.extend((program.pk, str(goal)) for goal in program.sdg_targets or [])
    enrolled = Enrollment.objects.filter(cohort__program_id__in=programs, stage__in=PARTICIPANT_STAGES)
    if actor is not None and getattr(actor, "role", None) not in (Role.ADMIN, Role.MONITOR):
        # Only the cohorts the actor reaches: a program under an addendum of a PKS of a Kanwil's MoU is in
        # `program_list` (the party rule counts the grandparent), its cohorts in other regions are not.
        from sinergi.programs.selectors import cohort_scope

        enrolled = enrolled.filter(cohort__in=cohort_scope(actor=actor).values("pk"))
    participants = dict(
        enrolled.order_by().values_list("cohort__program_id").annotate(n=Count("person_id", distinct=True))
    )
    rows = []
    for goal, entry in domain.sdg_rollup(tags).items():
        members: list[int] = sorted(entry["programs"])
        people = sum(participants.get(pk, 0) for pk in members)
        rows.append(
            {
                "goal": goal,
                "title": domain.SDG_GOALS[goal],
                "targets": sorted((str(t) for t in entry["targets"]), key=_target_key),
                "programs": [programs[pk] for pk in members],
                # Monitors: withheld (a goal's programs are a filter; two goals could be subtracted).
                "participants": None
                if getattr(actor, "role", None) == Role.MONITOR
                else access.cell(actor, people),
                "spent": sum(int(getattr(programs[pk], "spent_total", 0)) for pk in members),
            }
        )
    return rows


def _target_key(code: str) -> tuple[int, int, str]:
    goal, _dot, rest = code.partition(".")
    return (int(goal), int(rest) if rest.isdigit() else 99, rest)


# --- Recidivism from the registry -----------------------------------------------------------------------


def _sentence_months(years: int, months: int, days: int) -> int | None:
    total = years * 12 + months
    return total if (total or days) else None


def _aftercare(name: str) -> Any:
    """An aftercare model (follow-ups, re-offences, aid, scores), or None while that app does not have it.
    Impact only reads them; looked up by name so impact works before and after aftercare records them."""
    from django.apps import apps

    try:
        return apps.get_model("aftercare", name)
    except LookupError:
        return None


WORKING = ("employed", "self_employed")
#: Re-offences from aftercare that count: a new conviction, or a readmission an officer recorded.
COUNTED_REOFFENCES = ("conviction", "readmission")


def aid_by_line_key(
    *, programs: QuerySet[Program], start: dt.date | None = None, end: dt.date | None = None
) -> dict[tuple[int, int, int], int]:
    """Aid recorded in aftercare for the programs' participants, by (program, year, funder), in rupiah.
    It is realisation of the program's "equipment and aid" line of that year and funder, never a second
    entry."""
    aid = _aftercare("Aid")
    if aid is None:
        return {}
    rows = aid.objects.filter(case__enrollment__cohort__program__in=programs)
    if start is not None and end is not None:
        rows = rows.filter(given_on__gte=start, given_on__lte=end)
    totals: dict[tuple[int, int, int], int] = defaultdict(int)
    for program_id, given_on, funder_id, value in rows.values_list(
        "case__enrollment__cohort__program_id", "given_on", "funder_id", "value"
    ):
        totals[(program_id, given_on.year, funder_id)] += int(value)
    return dict(totals)


def aid_for_line(line: BudgetLine) -> int:
    """Aid counted as realisation of one budget line: the first "equipment and aid" line of its program,
    year and funder takes it."""
    if line.category != BudgetCategory.EQUIPMENT_AID:
        return 0
    first = (
        BudgetLine.objects.filter(
            program_id=line.program_id, year=line.year, funder_id=line.funder_id, category=line.category
        )
        .order_by("description", "pk")
        .values_list("pk", flat=True)
        .first()
    )
    if first != line.pk:
        return 0
    key = (line.program_id, line.year, line.funder_id)
    return aid_by_line_key(programs=Program.objects.filter(pk=line.program_id)).get(key, 0)


def _rule_checks(programs: QuerySet[Program]) -> list[Any]:
    """The programs' rules without their time-dependent parts (status, age, release window, consent):
    what makes a released non-participant someone the programs could have taken. Each distinct stored rule
    is parsed once per process (`_rule_check_of`): at national scope 2,000 rules took about 2 s to parse
    on every dashboard request."""
    rules = []
    for raw in programs.values_list("rule", flat=True):
        try:
            key = json.dumps(raw, sort_keys=True)
        except (TypeError, ValueError):
            key = None
        rule = _rule_check_of(key) if key is not None else _rule_check_parsed(raw)
        if rule is not None:
            rules.append(rule)
    return rules


@functools.lru_cache(maxsize=8192)
def _rule_check_of(key: str) -> Any:
    """`_rule_check_parsed` of a stored rule given as its JSON text (sorted keys), kept per process: the
    rule is a frozen dataclass and parsing depends on nothing but the text (None for a rule that does not
    parse, whose error message is not kept)."""
    return _rule_check_parsed(json.loads(key))


def _rule_check_parsed(raw: Any) -> Any:
    from sinergi.programs import domain as program_domain

    try:
        rule = program_domain.parse_rule(raw)
    except program_domain.RuleError:
        return None
    return dc_replace(rule, age=None, release_within_days=None, requires_consent=False)


def _eligibility_of(rules: list[Any]) -> Callable[[dict[str, Any]], bool]:
    """`_eligible` for these rules, each distinct rule kept once and each combination of the facts a rule
    reads (`_RULE_FACTS`) checked once: many programs share a rule, and many rows the same facts. A rule
    takes nobody outside its districts, so a row is checked only against the rules that list its domicile
    district (at national scope 2,000 rules, each naming a few districts, against 60,000 combinations).

    Such a rule passes the row's domicile, so whether it takes the row depends only on the rule's other
    parts and the row's sex, offence and risk: rules alike but for their districts are checked once per
    (other parts, sex, offence, risk), with one of them standing for all."""
    distinct = list({repr(rule): rule for rule in rules}.values())
    by_district: dict[str, dict[str, Any]] = defaultdict(dict)
    for rule in distinct:
        rest = repr(dc_replace(rule, districts=()))
        for district in dict.fromkeys(rule.districts):
            by_district[district].setdefault(rest, rule)
    seen: dict[tuple[Any, ...], bool] = {}
    passes: dict[tuple[Any, ...], bool] = {}

    def may_join(row: dict[str, Any]) -> bool:
        if not distinct:
            return True
        facts = tuple(row.get(name) for name in _RULE_FACTS)
        if facts not in seen:
            found = False
            for rest, rule in by_district.get(row["person__domicile_district_id"] or "", {}).items():
                key = (rest, facts[1:])
                if key not in passes:
                    passes[key] = _eligible([rule], row)
                if passes[key]:
                    found = True
                    break
            seen[facts] = found
        return seen[facts]

    return may_join


def _eligible(rules: list[Any], row: dict[str, Any]) -> bool:
    from sinergi.programs import domain as program_domain

    if not rules:
        return True
    for rule in rules:
        facts = program_domain.PersonFacts(
            domicile_district=row["person__domicile_district_id"],
            domicile_district_name=None,
            status=rule.statuses[0] if rule.statuses else None,
            sex=row["person__sex"] or "",
            birth_date=row["person__birth_date"],
            expiry_date=None,
            offence_category=row["person__offence_category"] or "",
            risk_level=row["person__risk_level"] or "",
            has_consent=True,
        )
        # Only whether the rule passes: the reasons are not written out (evaluate would translate each).
        if program_domain.evaluate_codes(rule, facts, as_of=row["left_on"])[0]:
            return True
    return False


def _period(
    programs: QuerySet[Program], as_of: dt.date, start: dt.date | None, end: dt.date | None
) -> tuple[dt.date, dt.date]:
    """The period: from the programs' first start date (or `start`) to the as-of date (or `end`, when
    earlier)."""
    if start is None:
        start = programs.aggregate(first=Min("start_date"))["first"] or as_of
    return start, (min(end, as_of) if end is not None else as_of)


def recidivism(
    *,
    programs: QuerySet[Program],
    months: int,
    as_of: dt.date,
    start: dt.date | None = None,
    end: dt.date | None = None,
) -> domain.RecidivismResult:
    """`_recidivism`, kept until what it counts changes (`impact.kept`)."""
    return _kept_figures(
        "recidivism",
        programs,
        (months, as_of, start, end),
        lambda p: _recidivism(programs=p, months=months, as_of=as_of, start=start, end=end),
        encode=_result_json,
        decode=_result_of_json,
        as_of=as_of,
    )


def _kept_figures(
    name: str,
    programs: QuerySet[Program],
    parts: tuple[Any, ...],
    compute: Callable[[QuerySet[Program]], T],
    *,
    encode: Callable[[T], Any],
    decode: Callable[[Any], T],
    as_of: dt.date,
) -> T:
    """`compute(programs)`, kept (`impact.kept`) under the key of `name`, the programs' ids and `parts` (the
    other arguments); computed live where nothing is kept (SQLite). On PostgreSQL the programs are read as
    exactly the ids of the key, so the value computed is the one its key names."""
    if not kept.enabled():
        return compute(programs)
    ids = sorted(programs.values_list("pk", flat=True))
    programs = Program.objects.filter(pk__in=ids)
    return kept.kept(
        kept.key_of(name, ids, *parts), lambda: compute(programs), encode=encode, decode=decode, as_of=as_of
    )


def _recidivism(
    *,
    programs: QuerySet[Program],
    months: int,
    as_of: dt.date,
    start: dt.date | None = None,
    end: dt.date | None = None,
) -> domain.RecidivismResult:
    """Recidivism of the programs' participants against a comparison group, from custody episodes.

    Participants are people with an enrolment (enrolled, active, completed or withdrawn) in the programs,
    taken at their first release on or after their first cohort's start. The period runs from the programs'
    first start date (or `start`) to the as-of date (or `end`, when earlier). A re-offence is a readmission
    (a later custody episode starting after the release) or a new conviction recorded in aftercare. The
    comparison group is everyone else released in the same period from the units the participants were
    released from, who meets the programs' rules apart from their time-dependent parts; merged duplicates
    are left out.

    Counted in the database in one query (`_release_groups`): each person's first release in the period,
    whether their window closed or they wait, whether they re-offended within it, their matching stratum,
    all grouped, so only one row per group of alike people reaches Python (where the rules' remaining
    parts, district, sex, offence and risk, are checked once per group). The same figures as the definition
    that loaded every episode (tests/impact/recidivism_reference.py, compared in the tests).
    """
    problems = domain.window_problems(months)
    if problems:
        raise ValueError(problems[0])
    start, end = _period(programs, as_of, start, end)
    rules = _rule_checks(programs)
    groups = _release_groups(
        programs, start=start, end=end, as_of=as_of, months=months, rule_facts=bool(rules)
    )
    return _result_of(groups, _eligibility_of(rules), start=start, end=end, as_of=as_of, months=months)


def recidivism_windows(
    *,
    programs: QuerySet[Program],
    windows: Sequence[int],
    as_of: dt.date,
    start: dt.date | None = None,
    end: dt.date | None = None,
) -> dict[int, domain.RecidivismResult]:
    """`recidivism` for each of `windows` (months) with the same other arguments, from one query and one
    parse and check of the programs' rules: a page that shows every window at once (the aggregate-only
    roles' dashboard masks every window together, `reports.recidivism`) ran the whole query once per
    window. The same figures as `recidivism` window by window (tests/impact/test_recidivism_sql.py); kept
    until what they count changes (`impact.kept`)."""
    windows = list(dict.fromkeys(int(months) for months in windows))
    return _kept_figures(
        "recidivism_windows",
        programs,
        (windows, as_of, start, end),
        lambda p: _recidivism_windows(programs=p, windows=windows, as_of=as_of, start=start, end=end),
        encode=lambda results: [[months, _result_json(result)] for months, result in results.items()],
        decode=lambda rows: {int(months): _result_of_json(result) for months, result in rows},
        as_of=as_of,
    )


def _recidivism_windows(
    *,
    programs: QuerySet[Program],
    windows: list[int],
    as_of: dt.date,
    start: dt.date | None,
    end: dt.date | None,
) -> dict[int, domain.RecidivismResult]:
    for months in windows:
        problems = domain.window_problems(months)
        if problems:
            raise ValueError(problems[0])
    start, end = _period(programs, as_of, start, end)
    rules = _rule_checks(programs)
    groups = _release_groups(
        programs, start=start, end=end, as_of=as_of, months=windows, rule_facts=bool(rules)
    )
    may_join = _eligibility_of(rules)
    results = {}
    for i, months in enumerate(windows):
        of_window = [g | {"counted": g[f"counted_{i}"], "reoffended": g[f"reoffended_{i}"]} for g in groups]
        results[months] = _result_of(of_window, may_join, start=start, end=end, as_of=as_of, months=months)
    return results


def _result_of(
    groups: list[dict[str, Any]],
    may_join: Callable[[dict[str, Any]], bool],
    *,
    start: dt.date,
    end: dt.date,
    as_of: dt.date,
    months: int,
) -> domain.RecidivismResult:
    """`recidivism` from `_release_groups`' rows, grouped by person or not (the same figures either way:
    every row of a group has the group's facts, and each person one first release)."""
    p_groups = [g for g in groups if g["participant"]]
    c_groups = [g for g in groups if not g["participant"] and may_join(g)]
    p_counted = [g for g in p_groups if g["counted"]]
    rate = domain.cohort_rate_of(
        sum(g["n"] for g in p_counted),
        sum(g["n"] for g in p_counted if g["reoffended"]),
        sum(g["n"] for g in p_groups if not g["counted"]),
    )
    return domain.recidivism_of(
        rate,
        _subjects(p_counted),
        _subjects([g for g in c_groups if g["counted"]]),
        comparison_waiting=sum(g["n"] for g in c_groups if not g["counted"]),
        start=start,
        end=end,
        as_of=as_of,
        months=months,
    )


def _groups_of(
    groups: list[dict[str, Any]], may_join: Callable[[dict[str, Any]], bool]
) -> domain.RecidivismGroups:
    """`recidivism_groups` from `_release_groups`' rows grouped by person."""
    participants = [g for g in groups if g["participant"]]
    comparison = [g for g in groups if not g["participant"] and may_join(g)]
    return domain.recidivism_groups_of(
        [_subject(g, key=g["person_id"]) for g in participants if g["counted"]],
        [_subject(g, key=g["person_id"]) for g in comparison if g["counted"]],
        waiting=[g["person_id"] for g in participants if not g["counted"]],
    )


def recidivism_with_groups(
    *,
    programs: QuerySet[Program],
    months: int,
    as_of: dt.date,
    start: dt.date | None = None,
    end: dt.date | None = None,
) -> tuple[domain.RecidivismResult, domain.RecidivismGroups]:
    """`recidivism` and `recidivism_groups` with the same arguments from one query (grouped by person),
    for a page that shows the figures and links them to their lists: the query runs once, not twice; kept
    until what they count changes (`impact.kept`)."""
    return _kept_figures(
        "recidivism_with_groups",
        programs,
        (months, as_of, start, end),
        lambda p: _recidivism_with_groups(programs=p, months=months, as_of=as_of, start=start, end=end),
        encode=lambda both: [_result_json(both[0]), _groups_json(both[1])],
        decode=lambda both: (_result_of_json(both[0]), _groups_of_json(both[1])),
        as_of=as_of,
    )


def _recidivism_with_groups(
    *,
    programs: QuerySet[Program],
    months: int,
    as_of: dt.date,
    start: dt.date | None = None,
    end: dt.date | None = None,
) -> tuple[domain.RecidivismResult, domain.RecidivismGroups]:
    problems = domain.window_problems(months)
    if problems:
        raise ValueError(problems[0])
    start, end = _period(programs, as_of, start, end)
    rules = _rule_checks(programs)
    groups = _release_groups(
        programs, start=start, end=end, as_of=as_of, months=months, rule_facts=bool(rules), by_person=True
    )
    may_join = _eligibility_of(rules)
    result = _result_of(groups, may_join, start=start, end=end, as_of=as_of, months=months)
    return result, _groups_of(groups, may_join)


def recidivism_groups(
    *,
    programs: QuerySet[Program],
    months: int,
    as_of: dt.date,
    start: dt.date | None = None,
    end: dt.date | None = None,
) -> domain.RecidivismGroups:
    """The people (person ids) behind each count of `recidivism` with the same arguments, for the lists
    behind the dashboard's numbers: the same query, grouped by person as well (one group per person), and
    the same rules (`domain.recidivism_groups_of`); the tests hold the sizes equal to the counts. Kept until
    what they count changes (`impact.kept`)."""
    return _kept_figures(
        "recidivism_groups",
        programs,
        (months, as_of, start, end),
        lambda p: _recidivism_groups(programs=p, months=months, as_of=as_of, start=start, end=end),
        encode=_groups_json,
        decode=_groups_of_json,
        as_of=as_of,
    )


def _recidivism_groups(
    *,
    programs: QuerySet[Program],
    months: int,
    as_of: dt.date,
    start: dt.date | None = None,
    end: dt.date | None = None,
) -> domain.RecidivismGroups:
    problems = domain.window_problems(months)
    if problems:
        raise ValueError(problems[0])
    start, end = _period(programs, as_of, start, end)
    rules = _rule_checks(programs)
    groups = _release_groups(
        programs, start=start, end=end, as_of=as_of, months=months, rule_facts=bool(rules), by_person=True
    )
    return _groups_of(groups, _eligibility_of(rules))


# --- Kept figures as JSON (`impact.kept`): exact (decimals as text), read back equal ------------------


def _decimal_json(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def _decimal_of(value: str | None) -> Decimal | None:
    return None if value is None else Decimal(value)


def _interval_json(interval: domain.Interval | None) -> list[str] | None:
    return None if interval is None else [str(interval.low), str(interval.high)]


def _interval_of(value: list[str] | None) -> domain.Interval | None:
    return None if value is None else domain.Interval(Decimal(value[0]), Decimal(value[1]))


def _result_json(result: domain.RecidivismResult) -> dict[str, Any]:
    p, c = result.participants, result.comparison
    return {
        "months": result.months,
        "as_of": result.as_of.isoformat(),
        "start": result.start.isoformat(),
        "end": result.end.isoformat(),
        "participants": [p.n, p.reoffended, p.waiting, _decimal_json(p.rate), _interval_json(p.interval)],
        "comparison": [
            c.participants,
            c.matched_participants,
            c.unmatched_participants,
            c.matched_participant_reoffended,
            c.comparison_n,
            c.comparison_unused,
            c.reoffended,
            _decimal_json(c.rate),
            str(c.effective_n),
            _interval_json(c.interval),
            [[list(stratum), str(weight)] for stratum, weight in c.weights.items()],
        ],
        "comparison_waiting": result.comparison_waiting,
        "matched_rate": _decimal_json(result.matched_rate),
        "difference": _decimal_json(result.difference),
        "difference_interval": _interval_json(result.difference_interval),
    }


def _result_of_json(data: dict[str, Any]) -> domain.RecidivismResult:
    n, reoffended, waiting, rate, interval = data["participants"]
    c = data["comparison"]
    return domain.RecidivismResult(
        months=data["months"],
        as_of=dt.date.fromisoformat(data["as_of"]),
        start=dt.date.fromisoformat(data["start"]),
        end=dt.date.fromisoformat(data["end"]),
        participants=domain.CohortRate(n, reoffended, waiting, _decimal_of(rate), _interval_of(interval)),
        comparison=domain.MatchResult(
            participants=c[0],
            matched_participants=c[1],
            unmatched_participants=c[2],
            matched_participant_reoffended=c[3],
            comparison_n=c[4],
            comparison_unused=c[5],
            reoffended=c[6],
            rate=_decimal_of(c[7]),
            effective_n=Decimal(c[8]),
            interval=_interval_of(c[9]),
            weights={tuple(stratum): Decimal(weight) for stratum, weight in c[10]},
        ),
        comparison_waiting=data["comparison_waiting"],
        matched_rate=_decimal_of(data["matched_rate"]),
        difference=_decimal_of(data["difference"]),
        difference_interval=_interval_of(data["difference_interval"]),
    )


def _groups_json(groups: domain.RecidivismGroups) -> dict[str, list[Any]]:
    return {name: sorted(groups.of(name)) for name in domain.RECIDIVISM_GROUP_NAMES}


def _groups_of_json(data: dict[str, list[Any]]) -> domain.RecidivismGroups:
    return domain.RecidivismGroups(**{name: frozenset(data[name]) for name in domain.RECIDIVISM_GROUP_NAMES})


_RULE_FACTS = (
    "person__domicile_district_id",
    "person__sex",
    "person__offence_category",
    "person__risk_level",
)


def _release_groups(
    programs: QuerySet[Program],
    *,
    start: dt.date,
    end: dt.date,
    as_of: dt.date,
    months: int | Sequence[int],
    rule_facts: bool,
    by_person: bool = False,
) -> list[dict[str, Any]]:
    """The participants and the comparison group (one first release each) grouped by what the figures
    read: participant or not, window closed (`counted`) or still open, re-offended within the window, sex,
    age band on release, offence, sentence band (and, for the comparison group when the programs have
    rules, district and risk; with `by_person`, the person). One query; `n` people in each group.

    The day an episode left its unit is the stored, indexed `CustodyEpisode.left_on` (`beneficiaries.
    leave`). Inside the query: `joined`, each enrolled person's first cohort start; `firsts`, each
    participant's first release in the period on or after it, and each other person's first release in the
    period from the units those releases were from (merged duplicates left out; `ROW_NUMBER()` by the day
    they left, then id); then, for those releases only, the first later episode (readmission) and the first
    counted conviction after it, one indexed lookup each. The outer selects compute from those columns, so
    no lookup is repeated in every expression that reads its value. The window closes F calendar months
    after the release (`domain.window_end`, `_add_months_sql`).

    With several windows (`months` a sequence) the same query tells, for each window `i`, whether it
    closed (`counted_i`) and whether the person re-offended within it (`reoffended_i`): only these depend
    on the window, so the figures of every window come from one pass over the releases (`recidivism_windows`)
    instead of one query per window."""
    from sinergi.beneficiaries.models import CustodyEpisode, Person
    from sinergi.programs.models import Cohort

    program_ids = list(programs.values_list("pk", flat=True))
    if not program_ids:
        return []
    ops, vendor = connection.ops, connection.vendor
    q = ops.quote_name
    episode, person = q(CustodyEpisode._meta.db_table), q(Person._meta.db_table)
    enrollment, cohort = q(Enrollment._meta.db_table), q(Cohort._meta.db_table)
    params: list[Any] = []

    def placeholders(values: list[Any] | tuple[Any, ...]) -> str:
        params.extend(values)
        return ", ".join(["%s"] * len(values))

    ranked = "ROW_NUMBER() OVER (PARTITION BY e.person_id ORDER BY e.left_on, e.id) AS rank"
    # What the figures read of a release, carried from the ranking on: the episode and the person are read
    # once, not looked up again by id for each first release.
    carried = (
        "e.id, e.person_id, e.left_on, e.sentence_years, e.sentence_months, e.sentence_days, pe.sex, "
        "pe.birth_date AS birth, pe.offence_category AS offence, pe.domicile_district_id AS district, "
        "pe.risk_level AS risk"
    )
    columns = (
        "id, person_id, left_on, sentence_years, sentence_months, sentence_days, sex, birth, offence, "
        "district, risk"
    )
    joined = (
        f"SELECT n.person_id, MIN(c.start_date) AS joined_on FROM {enrollment} n "  # noqa: S608
        f"JOIN {cohort} c ON c.id = n.cohort_id WHERE c.program_id IN ({placeholders(program_ids)}) "
        f"AND n.stage IN ({placeholders([str(s) for s in PARTICIPANT_STAGES])}) GROUP BY n.person_id"
    )
    participants = (
        f"SELECT {carried}, e.unit_id, {ranked} FROM {episode} e "  # noqa: S608
        "JOIN joined j ON j.person_id = e.person_id "
        f"JOIN {person} pe ON pe.id = e.person_id AND pe.merged_into_id IS NULL "
        "WHERE e.left_on >= %s AND e.left_on <= %s AND e.left_on >= j.joined_on"
    )
    params += [start, end]
    comparison = (
        f"SELECT {carried}, {ranked} FROM {episode} e "  # noqa: S608
        f"JOIN {person} pe ON pe.id = e.person_id AND pe.merged_into_id IS NULL "
        "WHERE e.left_on >= %s AND e.left_on <= %s "
        "AND e.unit_id IN (SELECT p.unit_id FROM p WHERE p.rank = 1) "
        "AND NOT EXISTS (SELECT 1 FROM joined j WHERE j.person_id = e.person_id)"
    )
    params += [start, end]
    # The first releases (a participant's and a comparison person's are different people, so different
    # episodes), then for all of them at once the first later episode (readmission) and the first counted
    # conviction on or after the release: each one join and MIN per release (NULL when none), the same
    # values as a lookup per release, without an index probe for each of them.
    firsts = (
        f"SELECT 1 AS participant, {columns} FROM p WHERE p.rank = 1 "  # noqa: S608
        f"UNION ALL SELECT 0, {columns} FROM c WHERE c.rank = 1"
    )
    readmitted = (
        f"SELECT f.id, MIN(o.start_date) AS first_on FROM f JOIN {episode} o "  # noqa: S608
        "ON o.person_id = f.person_id AND o.start_date > f.left_on AND o.id <> f.id GROUP BY f.id"
    )
    ctes = [("joined", joined), ("p", participants), ("c", comparison), ("f", firsts), ("ra", readmitted)]
    convicted = "NULL"
    reoffence, case = _aftercare("Reoffence"), _aftercare("AftercareCase")
    if reoffence is not None and case is not None:
        ctes.append(
            (
                "cv",
                f"SELECT f.id, MIN(r.occurred_on) AS first_on FROM f "  # noqa: S608
                f"JOIN {q(case._meta.db_table)} k ON k.person_id = f.person_id "
                f"JOIN {q(reoffence._meta.db_table)} r ON r.case_id = k.id "
                f"AND r.kind IN ({', '.join(repr(str(kind)) for kind in COUNTED_REOFFENCES)}) "
                "AND r.occurred_on >= f.left_on GROUP BY f.id",
            )
        )
        convicted = "cv.first_on"
    releases = (
        f"SELECT f.*, ra.first_on AS readmitted, {convicted} AS convicted FROM f "  # noqa: S608
        "LEFT JOIN ra ON ra.id = f.id" + (" LEFT JOIN cv ON cv.id = f.id" if convicted != "NULL" else "")
    )

    def extract(part: str, column: str) -> str:
        sql, part_params = ops.date_extract_sql(part, column, [])
        for param in part_params:  # the part's name, a constant from this code
            sql = sql.replace("%s", f"'{param}'", 1)
        return sql

    age = (
        f"{extract('year', 't.left_on')} - {extract('year', 't.birth')} - CASE WHEN "
        f"{extract('month', 't.left_on')} * 100 + {extract('day', 't.left_on')} < "
        f"{extract('month', 't.birth')} * 100 + {extract('day', 't.birth')} THEN 1 ELSE 0 END"
    )
    windows = [int(months)] if isinstance(months, int) else [int(m) for m in months]
    suffixes = [""] if isinstance(months, int) else [f"_{i}" for i in range(len(windows))]
    window_ends = ", ".join(
        f"{_add_months_sql(vendor, 't.left_on', window)} AS window_end{suffix}"
        for window, suffix in zip(windows, suffixes, strict=True)
    )
    flags = " ".join(
        f"CASE WHEN u.window_end{x} <= %s THEN 1 ELSE 0 END AS counted{x}, "
        f"CASE WHEN u.readmitted <= u.window_end{x} OR u.convicted <= u.window_end{x} THEN 1 ELSE 0 END "
        f"AS reoffended{x},"
        for x in suffixes
    )
    sentence = "t.sentence_years * 12 + t.sentence_months"
    age_band = _bands_sql("age", domain.AGE_BANDS)
    sentence_band = (
        "CASE WHEN u.sentence_years = 0 AND u.sentence_months = 0 AND u.sentence_days = 0 THEN NULL "
        f"ELSE {_bands_sql('sentence', domain.SENTENCE_BANDS)} END"
    )
    keys = ["participant", *(f"{flag}{x}" for x in suffixes for flag in ("counted", "reoffended"))]
    keys += ["sex", "age_band", "offence", "sentence_band"]
    if rule_facts:
        keys += ["district", "risk"]
    if by_person:
        keys += ["person_id"]
    # The rules are checked on the comparison group only: the participants' district and risk are left
    # out of their groups.
    facts = "CASE WHEN u.participant = 0 THEN u.{0} END AS {0}"
    sql = (
        "WITH " + ", ".join(f"{name} AS ({body})" for name, body in ctes) + " "  # noqa: S608
        f"SELECT {', '.join(keys)}, COUNT(*) FROM ("
        f"SELECT u.participant, u.person_id, {flags} "
        f"u.sex, {age_band} AS age_band, u.offence, {sentence_band} AS sentence_band, "
        f"{facts.format('district')}, {facts.format('risk')} FROM ("
        f"SELECT t.*, {window_ends}, {age} AS age, {sentence} AS sentence FROM ({releases}) t"
        ") u) v GROUP BY " + ", ".join(keys)
    )
    # On PostgreSQL without just-in-time compilation: at national scope the plan's estimated cost passes
    # the JIT threshold, and compiling costs more than it saves for one pass over the releases (as for
    # `reports.selectors.fetch_all`). No savepoint inside a caller's transaction: `SET LOCAL` then lasts
    # until that one ends.
    with transaction.atomic(savepoint=False), connection.cursor() as cursor:
        if vendor == "postgresql":
            cursor.execute("SET LOCAL jit = off")
        cursor.execute(sql, [*params, *([as_of] * len(windows))])
        found = cursor.fetchall()
    names = {"sex": "person__sex", "offence": "person__offence_category"}
    names |= {"district": "person__domicile_district_id", "risk": "person__risk_level"}
    groups = []
    for row in found:
        group = {names.get(k, k): v for k, v in zip(keys, row, strict=False)} | {"n": row[-1]}
        group["participant"] = bool(group["participant"])
        for x in suffixes:
            group[f"counted{x}"], group[f"reoffended{x}"] = (
                bool(group[f"counted{x}"]),
                bool(group[f"reoffended{x}"]),
            )
        # What `_eligible` reads: the time-dependent parts of the rules are left out, so no dates.
        group |= {"person__birth_date": None, "left_on": end}
        groups.append(group)
    return groups


def _bands_sql(column: str, bands: Any) -> str:
    """CASE … END giving the label of the band holding u.<column> (NULL for none)."""
    whens = " ".join(
        f"WHEN u.{column} >= {int(b.low)}"
        + ("" if b.high is None else f" AND u.{column} <= {int(b.high)}")
        + f" THEN '{b.label}'"
        for b in bands
    )
    return f"CASE {whens} ELSE NULL END"


def _add_months_sql(vendor: str, column: str, months: int) -> str:
    """A date column plus whole calendar months, the month's last day for a day the month lacks (as
    `relativedelta` and `domain.window_end`): PostgreSQL's date + interval does this; SQLite's
    `date(x, '+n months')` runs over into the next month, so it is brought back to that month's eve."""
    months = int(months)
    if vendor == "postgresql":
        return f"(({column}) + make_interval(months => {months}))::date"
    moved = f"date({column}, '+{months} months')"
    return (
        f"CASE WHEN strftime('%%d', {moved}) = strftime('%%d', {column}) THEN {moved} "
        f"ELSE date({moved}, 'start of month', '-1 day') END"
    )


def _subject(group: dict[str, Any], *, key: Any = None) -> domain.Subject:
    stratum = domain.stratum(
        sex=group["person__sex"] or None,
        age=group["age_band"],
        offence=group["person__offence_category"] or None,
        sentence=group["sentence_band"],
    )
    return domain.Subject(key, stratum, bool(group["reoffended"]))


def _subjects(groups: list[dict[str, Any]]) -> list[domain.Subject]:
    """The matching subjects of groups whose window closed: one per person (the same object n times)."""
    subjects: list[domain.Subject] = []
    for group in groups:
        subjects += [_subject(group)] * group["n"]
    return subjects


def impact_agreement_get(*, actor: Any, pk: int) -> Agreement:
    """An agreement whose impact the actor may read: administrators and monitors any, Kanwil and TJSL
    officers when their organisation is a party to it, its parent or its grandparent."""
    agreement = Agreement.objects.select_related("parent__parent").filter(pk=pk).first()
    if agreement is None:
        raise NotFoundError()
    if actor is None or getattr(actor, "role", None) in (Role.ADMIN, Role.MONITOR):
        return agreement
    if getattr(actor, "role", None) not in access.IMPACT_READERS or not access.is_party(actor, agreement):
        raise NotFoundError()
    return agreement


@dataclass(frozen=True)
class GroupFigure:
    """One group's figure as the actor may see it; `suppressed` means "too few to report"."""

    n: int | None
    reoffended: int | None
    rate: Decimal | None
    interval: domain.Interval | None
    suppressed: bool
    # "<5" (or "×") when only the re-offended count is hidden (with the rate and interval) and n is shown.
    reoffended_mark: str = ""


@dataclass(frozen=True)
class RecidivismFigures:
    """Recidivism for a page or the API, with groups under 5 hidden from aggregate-only roles."""

    result: domain.RecidivismResult
    participants: GroupFigure
    comparison: GroupFigure
    waiting: int | str | None
    unmatched: int | str | None
    comparison_waiting: int | str | None
    difference: Decimal | None
    difference_interval: domain.Interval | None
    stock_rate: Decimal = domain.MINISTRY_STOCK_RATE
    stock_as_of: dt.date = domain.MINISTRY_STOCK_AS_OF


def _group_figure(
    *, hide: bool, n: int, reoffended: int, rate: Decimal | None, interval: domain.Interval | None
) -> GroupFigure:
    """A group as an aggregate-only viewer may see it: the whole group hidden when it is under 5 people;
    otherwise the re-offended count (and the rate and interval, which give it back with n) hidden when it,
    or the people who did not re-offend, is 1 to 4 (core.suppression: primary, then secondary)."""
    if hide and domain.too_small(n):
        return GroupFigure(n=None, reoffended=None, rate=None, interval=None, suppressed=True)
    marks = (
        suppress(
            {"reoffended": reoffended, "not": n - reoffended, "n": n},
            [SuppressionGroup(parts=["reoffended", "not"], total="n")],
            unseen=["not"],  # shown nowhere: n and the re-offended's mark are
        )
        if hide
        else {}
    )
    mark = marks.get("reoffended", "")
    if mark:
        return GroupFigure(
            n=n,
            reoffended=None,
            rate=None,
            interval=None,
            suppressed=False,
            reoffended_mark=f"<{min_cell()}" if mark == PRIMARY else "×",
        )
    return GroupFigure(n=n, reoffended=reoffended, rate=rate, interval=interval, suppressed=False)


def recidivism_figures(*, actor: Any, result: domain.RecidivismResult) -> RecidivismFigures:
    hide = access.aggregates_only(actor)
    p, c = result.participants, result.comparison
    participants = _group_figure(hide=hide, n=p.n, reoffended=p.reoffended, rate=p.rate, interval=p.interval)
    waiting = access.cell(actor, p.waiting)
    if hide and (domain.too_small(p.waiting) or domain.too_small(p.n + p.waiting)):
        # n, those waiting and their total (every participant released in the period, which a later as-of
        # date shows as n) hide each other: the participants' figure goes with a small waiting count.
        participants = GroupFigure(n=None, reoffended=None, rate=None, interval=None, suppressed=True)
    if hide and participants.suppressed and p.waiting and not domain.too_small(p.waiting):
        waiting = "×"
    comparison = _group_figure(
        hide=hide, n=c.comparison_n, reoffended=c.reoffended, rate=c.rate, interval=c.interval
    )
    p_hidden = participants.suppressed or bool(participants.reoffended_mark)
    c_hidden = comparison.suppressed or bool(comparison.reoffended_mark)
    diff_hidden = p_hidden or c_hidden or (hide and domain.too_small(c.matched_participants))
    return RecidivismFigures(
        result=result,
        participants=participants,
        comparison=comparison,
        waiting=waiting,
        unmatched=access.cell(actor, c.unmatched_participants),
        comparison_waiting=access.cell(actor, result.comparison_waiting),
        difference=None if diff_hidden else result.difference,
        difference_interval=None if diff_hidden else result.difference_interval,
    )
