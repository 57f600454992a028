"""The dashboard is composed here: each app contributes the panels for the actor's role."""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass, replace
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.db.models import Count
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sinergi.accounts.choices import Role, UnitKind
from sinergi.accounts.selectors import actor_unit_ids, dashboard_get, unit_list
from sinergi.aftercare.access import is_head_of_bapas
from sinergi.aftercare.selectors import case_list, followups_due_by_officer, followups_due_count
from sinergi.beneficiaries.selectors import upcoming_release_count
from sinergi.core import charts
from sinergi.core.suppression import PRIMARY, Group, Unresolvable, masked, nested_groups
from sinergi.impact import domain as impact_domain
from sinergi.notifications.selectors import notification_list
from sinergi.partnerships.selectors import agreement_status_counts, expiring_agreements
from sinergi.programs import domain as programs_domain
from sinergi.programs.choices import SessionStatus
from sinergi.programs.models import Session
from sinergi.programs.selectors import (
    cohort_list,
    cohort_scope,
    participants_by_program_unit,
    program_figures,
)
from sinergi.reports import access, drilldown, ring, selectors

DISTRICT = "district"  # the domicile-district breakdown of people reached


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
                cohort__in=cohort_scope(actor=actor).values("pk"),
                date=timezone.localdate(),
                status=SessionStatus.SCHEDULED,
            ).select_related("cohort")[:10]
        )
    if actor.role == Role.MONITOR:
        context["program_figures"] = program_figures()
        context["unit_count_links"] = unit_count_links(actor)
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


def unit_count_links(actor: Any) -> list[tuple[str, int, str]]:
    """Correctional units by kind, each linked to the unit list of that kind (the same queryset)."""
    url = reverse("accounts:unit_list")
    rows = (
        unit_list(actor=actor)
        .prefetch_related(None)
        .order_by()
        .values_list("unit_kind")
        .annotate(n=Count("pk"))
    )
    labels = dict(UnitKind.choices)
    return [
        (str(labels.get(kind, kind)), n, f"{url}?{urlencode({'kind': kind})}")
        for kind, n in sorted(rows, key=lambda r: str(r[0]))
    ]


# --- Figures: the part of every dashboard that counts, charts and links -----------------------------------


@dataclass(frozen=True)
class Figure:
    """One number as the viewer may see it: the value ("<5" when suppressed) and the list it links to."""

    label: str
    value: int | str | None
    url: str | None = None
    hidden: bool = False
    key: str = ""

    @property
    def chart_value(self) -> int | str | None:
        """The value for a chart: the number, or the mark shown instead of a suppressed one."""
        return self.value


def _figure(
    scope: selectors.Scope,
    label: str,
    count: int | None,
    url: str | None,
    *,
    listable: bool,
    shown: int | str | None = None,
) -> Figure:
    """One number; `shown` overrides the single-cell rule (for a table masked as a whole)."""
    value = access.cell(scope.actor, count) if shown is None else shown
    hidden = value != count
    return Figure(label, value, url if listable and not hidden and count else None, hidden)


def reached_masked(actor: Any, reached: dict[str, list[tuple[str, str, int]]]) -> dict[Hashable, Any]:
    """For aggregate-only roles, the people-reached tables masked together with `core.suppression`: each
    breakdown is a group whose parts add up to the total, so a small cell cannot be recovered by
    subtracting the others from the total ("<5" primary, "×" secondary). Others: the counts as they are."""
    counts: dict[Hashable, int] = {
        (breakdown, key): n for breakdown, rows in reached.items() for key, _label, n in rows
    }
    if not access.aggregates_only(actor):
        return dict(counts)
    # Both ways: when the total is hidden for one breakdown's sake, every other breakdown hides a part too,
    # or its shown parts would add the total back up (the breakdowns agree on whether it is shown).
    groups = [
        Group(parts=[(breakdown, key) for key, _label, _n in rows], total=("total", ""), both_ways=True)
        for breakdown, rows in reached.items()
        if breakdown != "total"
    ]
    return masked(counts, groups)


def _list_url(scope: selectors.Scope, metric: str, **extra: str) -> str:
    return _list_urls(scope, metric)(**extra)


def _list_urls(scope: selectors.Scope, metric: str) -> Callable[..., str]:
    """`_list_url` for many rows of one metric: the address reversed and the filters read once (a national
    domicile-district table has thousands of rows)."""
    url = reverse("reports:figure_list", args=[metric])
    filters = scope.filters.query()

    def list_url(**extra: str) -> str:
        query = filters | extra
        return f"{url}?{urlencode(query)}" if query else url

    return list_url


def _due_by_officer(actor: Any) -> list[dict[str, Any]] | None:
    """Due and overdue follow-ups per PK officer, with links to each officer's cases, for heads of Bapas,
    Kanwil officers and administrators; None (not shown) for everyone else."""
    if not (is_head_of_bapas(actor) or access.role_of(actor) in (Role.KANWIL_OFFICER, Role.ADMIN)):
        return None
    url = reverse("aftercare:case_list")
    return [
        row | {"url": f"{url}?officer={row['officer'].pk}"} for row in followups_due_by_officer(actor=actor)
    ]


def _overdue(actor: Any) -> int | None:
    """Overdue follow-ups of a Bapas officer's own clients; None (not shown) for everyone else."""
    if access.role_of(actor) != Role.BAPAS_OFFICER:
        return None
    return followups_due_count(actor=actor)["overdue"]


def figures_context(
    *,
    actor: Any,
    filters: selectors.Filters,
    today: Any = None,
    window: int = 12,
    program_table: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """The counted part of the dashboard: people reached, funnel, delivery, releases, agreements, budget,
    SROI. Charts are SVG strings; every number comes with the list it counts, when the viewer may open it."""
    scope = selectors.scope_of(actor, filters, today=today)
    by_officer = _due_by_officer(actor)
    hidden_label = f"<{settings.SINERGI_MIN_CELL}"
    # Under filters an aggregate-only role reads only the people counts it may list (`access.
    # follows_filters`); the panels left out are named here and replaced by a notice.
    withheld: set[str] = set()
    restricted = access.withheld_under_filters(actor, filters)
    reached_raw, ring_rows = reached_rows(scope, withheld)
    programs = program_links_of(actor, reached_raw, table=program_table)
    # A monitor's unfiltered funnel counts the people of the program table's total row (`funnel_figures`).
    funnel = funnel_figures(scope, withheld, program_table=programs[0] if programs else None)
    # One suppression call: the ring table regroups the domicile districts, and a monitor's program table
    # counts the same people (`reach_masked`).
    shown, ring_shown = reach_masked(actor, reached_raw, ring_rows, programs=programs)
    reached: dict[str, list[Figure]] = {}
    participants_url = _list_urls(scope, "participants")
    for breakdown, rows in reached_raw.items():
        if breakdown == DISTRICT and access.aggregates_only(actor):
            continue  # not beside the ring table for aggregate-only roles (`reach_masked`)
        listable = selectors.may_list(actor, "participants", "" if breakdown == "total" else breakdown)
        reached[breakdown] = [
            _figure(
                scope,
                label,
                n,
                participants_url(by=breakdown, key=key),
                listable=listable,
                shown=shown[(breakdown, key)],
            )
            for key, label, n in rows
        ]
    months = selectors.delivery(scope)
    releases_readable = access.may_read_figure(actor, "releases_soon")
    if not releases_readable:
        releases_figure: Figure | None = None
    elif access.follows_filters(actor, filters, "releases_soon"):
        releases_figure = _figure(
            scope,
            _("Participants released within 90 days"),
            selectors.releases_soon_count(scope),
            _list_url(scope, "releases_soon"),
            listable=selectors.may_list(actor, "releases_soon"),
        )
    else:
        releases_figure = None
        withheld.add("releases_soon")
    if restricted:
        withheld |= {"independence", "recidivism"}
    context: dict[str, Any] = {
        "scope": scope,
        # Bapas officers see no cohorts, so the program figures (funnel, people reached, delivery, budget,
        # recidivism) would all be zero: not shown. Theirs are their clients' follow-ups and independence.
        "show_program_figures": access.role_of(actor) != Role.BAPAS_OFFICER,
        "funnel": funnel,
        "funnel_branch_heading": FUNNEL_BRANCH_HEADING,
        "funnel_branch_note": FUNNEL_BRANCH_NOTE,
        "reached_total": reached.pop("total")[0] if "total" in reached else None,
        "reached": reached,
        "months": months,
        "attendance_definition": programs_domain.DEFINITIONS["attendance"],
        "releases_soon_figure": releases_figure,
        "releases_soon_readable": releases_readable,
        "agreements_ending": selectors.agreements_ending(scope),
        "budget": selectors.budget(scope),
        "sroi": selectors.sroi(scope),
        "rec": (
            None
            if restricted
            else selectors.recidivism(scope, months=window, with_groups=recidivism_links_check(actor))
        ),
        "followups_overdue": (
            followups_due_count(actor=actor)["overdue"]
            if access.role_of(actor) == Role.BAPAS_OFFICER and by_officer is None
            else None
            if by_officer is None
            else sum(row["overdue"] for row in by_officer)
        ),
        "followups_by_officer": by_officer,
        # A Kanwil officer's recidivism under a unit filter (it is counted over whole programs): not shown.
        "recidivism_withheld_by_unit": access.recidivism_withheld_by_unit(actor, filters),
        "windows": impact_domain.WINDOW_MONTHS,
        "not_yet": selectors.NOT_YET,
        "hidden_label": hidden_label,
        "filter_query": urlencode(filters.query()),
        # Panels that count the viewer's whole area whatever the filters say (follow-ups, releases due,
        # agreements ending) say so when a filter is set.
        "filters_set": filters.is_set,
        # A TJSL officer's aftercare steps and independence index count only consenting participants.
        "consent_only": access.role_of(actor) == Role.CSR_OFFICER,
    }
    shown_charts: dict[str, charts.Chart] = {}
    funnel_svg = funnel_chart(funnel, hidden=hidden_label)
    if funnel_svg is not None:
        shown_charts["funnel"] = funnel_svg
    for breakdown, title, column in (
        (DISTRICT, _("People reached by domicile district"), _("District")),
        ("unit", _("People reached by unit"), _("Unit")),
        ("sex", _("People reached by sex"), _("Sex")),
        ("age", _("People reached by age band"), _("Age")),
    ):
        cells = reached.get(breakdown, [])[:10]
        if any(f.value for f in cells):
            shown_charts[breakdown] = charts.bar_chart(
                title=title,
                labels=[f.label for f in cells],
                values=[f.chart_value for f in cells],
                x_label=column,
                y_label=_("number of people"),
                horizontal=breakdown in ("district", "unit"),
                hidden=hidden_label,
            )
    if months:
        shown_charts["sessions"] = sessions_chart(months)
        shown_charts["attendance"] = attendance_chart(months)
    if context["budget"]:
        shown_charts["budget"] = budget_chart(context["budget"])
    if context["rec"] is not None:
        context["rec_groups"] = [
            (_("Participants"), context["rec"].participants),
            (_("Comparison group"), context["rec"].comparison),
        ]
    context.update(
        drilldown_context(
            scope,
            shown_charts,
            hidden=hidden_label,
            window=window,
            rec=context["rec"],
            ring_rows=ring_figures(scope, ring_rows, ring_shown),
        )
    )
    context.update(followup_links(actor, by_officer))
    context["charts"] = shown_charts
    context["withheld"] = withheld
    context["withheld_notice"] = withheld_notice(actor) if withheld else ""
    return context


# --- Under filters, for aggregate-only roles (`access.withheld_under_filters`) ------------------------------

WITHHELD_COMPANY = gettext_lazy(
    "Some figures are hidden while a filter is set: people by sex and by age band, screening, releases, "
    "outcomes after release, the independence index and recidivism. They are shown only on the dashboard "
    "without filters, because the difference between two filtered views could reveal a number of fewer "
    "than 5 people, who could then be recognised."
)
WITHHELD_MONITOR = gettext_lazy(
    "Counts of people are hidden while a filter is set. They are shown only on the dashboard without "
    "filters, because the difference between two filtered views could reveal a number of fewer than 5 "
    "people, who could then be recognised. With only a program filter, the enrolled, completed and "
    "certified figures are that program's row of the program table, hidden where the table hides them."
)


def withheld_notice(actor: Any) -> str:
    return str(WITHHELD_MONITOR if access.role_of(actor) == Role.MONITOR else WITHHELD_COMPANY)


# The funnel's nested steps: in each chain a step counts a subset of the one before it, so two shown
# neighbours give their difference (people) back: screened ⊇ eligible (people); enrolled ⊇ completed ⊇
# certified and enrolled ⊇ released ⊇ followed up ⊇ in work (enrolments).
FUNNEL_CHAINS = (
    ("screened", "eligible"),
    ("enrolled", "completed", "certified"),
    ("enrolled", "released", "followed_up", "in_work"),
)


# Released, followed up and in work are not a part of "certified": released counts every participant
# released, certified or not (also one who left the program on release), so the three are a second chain
# from the enrolled. The funnel's table, the report and the chart say so, and the dashboard's table shows them
# apart, under their own heading.
FUNNEL_BRANCH = ("released", "followed_up", "in_work")
FUNNEL_BRANCH_HEADING = gettext_lazy("After release: of everyone enrolled, certified or not")
FUNNEL_BRANCH_NOTE = gettext_lazy(
    "Released, followed up and in work or business are counted from everyone enrolled, not from the "
    "certified: released includes participants released before they completed or were certified, so it can "
    "be higher than “Certified”."
)
RELEASED_OF_ENROLLED = gettext_lazy("Released (of everyone enrolled)")


def funnel_label(key: str, label: str) -> str:
    """A funnel step's label as the funnel shows it: "released" says it counts from the enrolled."""
    return str(RELEASED_OF_ENROLLED) if key == "released" else str(label)


def funnel_masked(
    actor: Any, counts: dict[str, int | None], *, given: dict[Hashable, bool] | None = None
) -> dict[str, Any]:
    """The funnel's counts (by stage key) as the viewer may see them. Aggregate-only roles: masked together
    with `core.suppression`, each chain of nested steps (`FUNNEL_CHAINS`) as additive groups, so no two shown
    neighbours in a chain differ by 1 to 4 ("<5" primary, "×" secondary). Others: the counts as they are.
    A stage left out of `counts` (withheld) pairs its neighbours. `given`: stages another table shows
    (hidden or not), as `core.suppression.suppress`; when the funnel cannot be masked around them, every
    step but the zeros reads "×"."""
    if not access.aggregates_only(actor):
        return dict(counts)
    cells: dict[Hashable, int] = {key: n for key, n in counts.items() if n is not None}
    groups: list[Group] = []
    unseen: list[Hashable] = []
    for chain in FUNNEL_CHAINS:
        gaps, chained = nested_groups(cells, chain, tag=("gap", chain))
        cells |= gaps
        unseen += gaps
        groups += chained
    try:
        shown = masked(cells, groups, given=given, unseen=unseen)
    except Unresolvable:
        shown = {key: "×" if n else n for key, n in cells.items()}
    return {key: shown.get(key) for key in counts}


def program_table_given(
    table: Sequence[dict[str, Any]], counts: dict[str, int | None]
) -> dict[Hashable, bool]:
    """A monitor's enrolled, completed and certified as the program table's total row shows them: the
    same people (every program the monitor sees), so the funnel hides what that row hides and shows what
    it shows, or the two views subtracted would give a hidden one back. A step whose count differs from a
    shown total is masked on its own terms (a hidden total is hidden in the funnel all the same)."""
    total_row = next((row for row in table if row.get("is_total")), None)
    given: dict[Hashable, bool] = {}
    if total_row is None:
        return given
    for stage, column in access.MONITOR_PROGRAM_STAGES.items():
        count, value = counts.get(stage), total_row.get(column)
        if count is None:
            continue
        if not isinstance(value, int):
            given[stage] = True
        elif value == count:
            given[stage] = False
    return given


def funnel_figures(
    scope: selectors.Scope, withheld: set[str], *, program_table: Sequence[dict[str, Any]] | None = None
) -> list[Figure]:
    """The funnel's stages as the viewer may see them under the scope's filters, masked together
    (`funnel_masked`). A stage an aggregate-only role may not list is left out under filters (and
    "funnel_other" added to `withheld`); a monitor's funnel under filters is `monitor_program_stages`, and
    without filters is masked with the program table's total row (`program_table`: `program_table_given`)."""
    actor, filters = scope.actor, scope.filters
    if access.withheld_under_filters(actor, filters) and access.role_of(actor) == Role.MONITOR:
        withheld.add("funnel_other")
        return monitor_program_stages(scope)
    stages = []
    for stage in selectors.funnel(scope):
        if not access.may_read_figure(actor, stage.key):
            continue
        if not access.follows_filters(actor, filters, stage.key):
            withheld.add("funnel_other")
            continue
        stages.append(stage)
    counts = {stage.key: stage.count for stage in stages}
    given = program_table_given(program_table, counts) if program_table is not None else None
    shown = funnel_masked(actor, counts, given=given)
    figures: list[Figure] = []
    for stage in stages:
        figure = _figure(
            scope,
            funnel_label(stage.key, stage.label),
            stage.count,
            _list_url(scope, stage.key) if stage.listable else None,
            listable=stage.listable and selectors.may_list(actor, stage.key),
            shown=shown[stage.key] if stage.count is not None else None,
        )
        figures.append(replace(figure, key=stage.key))
    return figures


def monitor_program_stages(scope: selectors.Scope) -> list[Figure]:
    """A monitor's funnel filtered to one program only: enrolled, completed and certified from that
    program's row of the program table, masked over every program (`programs.selectors.program_figures`),
    so that the dashboard shows the cells the table shows; with any other filter, nothing."""
    program = scope.filters.only_program
    if program is None:
        return []
    row = next((r for r in program_figures() if r.get("program_id") == program), None)
    if row is None:
        return []
    labels = {"enrolled": _("Enrolled"), "completed": _("Completed"), "certified": _("Certified")}
    return [
        Figure(labels[stage], row[column], None, not isinstance(row[column], int), key=stage)
        for stage, column in access.MONITOR_PROGRAM_STAGES.items()
    ]


def list_cell(scope: selectors.Scope, metric: str, by: str = "", key: str = "") -> Any:
    """The dashboard's cell behind the list of `metric` (people reached: broken down `by`, row `key`) under
    the scope's filters, as the viewer sees it there: a count, "<5" or "×" (masked with the tables beside
    it, `reach_masked` and `funnel_figures`), or None when the dashboard shows no such cell."""
    withheld: set[str] = set()
    reached, ring_rows = reached_rows(scope, withheld)
    programs = program_links_of(scope.actor, reached)
    if metric == "participants":
        shown, ring_shown = reach_masked(scope.actor, reached, ring_rows, programs=programs)
        if by == "ring":
            return ring_shown.get(key)
        return shown.get((by, key) if by else ("total", ""))
    funnel = funnel_figures(scope, withheld, program_table=programs[0] if programs else None)
    return next((figure.value for figure in funnel if figure.key == metric), None)


def reached_rows(
    scope: selectors.Scope, withheld: set[str]
) -> tuple[dict[str, list[tuple[str, str, int]]], list[tuple[str, str, int]]]:
    """The people-reached breakdowns (`selectors.reached`) and ring-area rows (`ring.reached_by_ring`) the
    viewer may see under the scope's filters; the breakdowns left out are added to `withheld` (a monitor
    under filters: all of them, and neither is read)."""
    actor, filters = scope.actor, scope.filters
    if not access.follows_filters(actor, filters):
        withheld |= {"reached_total", "unit", "sex", "age", "ring"}
        return {}, []
    reached = selectors.reached(scope)
    for breakdown in list(reached):
        if breakdown != "total" and not access.follows_filters(actor, filters, "participants", breakdown):
            withheld.add(breakdown)
            del reached[breakdown]
    ring_rows = (
        ring.reached_by_ring(scope) if access.follows_filters(actor, filters, "participants", "ring") else []
    )
    if access.withheld_under_filters(actor, filters):
        # Under filters, the area rows only (what they may list): a ring district's row of the whole scope
        # minus the same row under a filter would give the people of the rest from that district.
        ring_rows = [row for row in ring_rows if row[0] in access.RING_AREA_KEYS]
    return reached, ring_rows


# --- Ring areas, and the lists behind the independence index and recidivism ------------------------------


def ring_masked(actor: Any, rows: Sequence[tuple[str, str, int]]) -> dict[Hashable, Any]:
    """The ring-area rows on their own as the viewer may see them: for aggregate-only roles, masked with
    the three relations among them (every row but `in_ring` adds up to the total; the ring districts add up
    to `in_ring`; `in_ring`, outside, unknown and none add up to the total), so no small cell comes back by
    subtraction. Beside the people-reached tables, use `reach_masked`."""
    counts: dict[Hashable, int] = {key: n for key, _label, n in rows}
    if not access.aggregates_only(actor):
        return dict(counts)
    total_key = ("total", "")
    counts[total_key] = sum(counts[key] for key in ring.parts(list(rows)))
    areas = Group(parts=[key for key in ring.KEYS if key in counts], total=total_key, both_ways=True)
    groups = [areas]
    if ring.ring_parts(list(rows)):  # with its district rows (not under filters: `reached_rows`)
        groups = [
            Group(parts=ring.parts(list(rows)), total=total_key, both_ways=True),
            Group(parts=ring.ring_parts(list(rows)), total=ring.IN_RING, both_ways=True),
            areas,
        ]
    return masked(counts, groups)


ProgramLinks = tuple[list[dict[str, Any]], dict[tuple[int, int], int]]


def program_links_of(
    actor: Any, reached: dict[str, list[tuple[str, str, int]]], *, table: list[dict[str, Any]] | None = None
) -> ProgramLinks | None:
    """For a monitor's people-reached tables (unfiltered: under filters they get none, `reached_rows`):
    the program table beside them on the dashboard, masked as every page shows it (`programs.selectors.
    program_figures`; `table`: that table as the page already worked it out, `dashboard_context`), and its
    participants per program and unit; None for everyone else."""
    if access.role_of(actor) != Role.MONITOR or not reached:
        return None
    return (program_figures() if table is None else table), participants_by_program_unit()


def _program_links(
    table: list[dict[str, Any]],
    pairs: dict[tuple[int, int], int],
    units: Sequence[tuple[str, str, int]],
    reached_total: int,
) -> tuple[dict[Hashable, int], list[Group], list[Group], dict[Hashable, bool]]:
    """The cells, the additive groups (through the units; through the totals) and the given cells that tie
    the program table to the people-reached tables.

    A program's participants are the sum of its cohorts' at their units; a unit's enrolments, the sum of
    its cohorts' over the programs, are the people reached there plus those counted there more than once
    (the overlap, never shown, zero as a rule); likewise the table's total and the people reached. The
    per-(program, unit) counts are never shown: a program at one unit stands for its own (the same
    number), a program at several has one cell per unit. The program table's cells are given as it shows
    them (hidden or shown), so the people-reached tables adapt to it and it stays as every page shows it."""
    rows = [row for row in table if not row.get("is_total") and row.get("program_id") is not None]
    total_row = next((row for row in table if row.get("is_total")), None)
    counts: dict[Hashable, int] = {}
    given: dict[Hashable, bool] = {}
    by_program: dict[int, list[int]] = {}
    for program, unit in pairs:
        by_program.setdefault(program, []).append(unit)
    for row in rows:
        program = row["program_id"]
        counts[("program", program)] = sum(pairs[(program, unit)] for unit in by_program.get(program, []))
        given[("program", program)] = not isinstance(row["participants"], int)
    program_total = sum(counts.values())
    counts[("program", "total")] = program_total
    given[("program", "total")] = total_row is not None and not isinstance(total_row["participants"], int)
    totals = [Group(parts=[("program", row["program_id"]) for row in rows], total=("program", "total"))]
    groups: list[Group] = []
    cell_of: dict[tuple[int, int], Hashable] = {}
    for (program, unit), n in pairs.items():
        if ("program", program) not in counts:
            continue
        if len(by_program[program]) == 1:
            cell_of[(program, unit)] = ("program", program)
        else:
            cell_of[(program, unit)] = ("cohorts", program, unit)
            counts[("cohorts", program, unit)] = n
    for program, at in by_program.items():
        if ("program", program) in counts and len(at) > 1:
            groups.append(
                Group(
                    parts=[("cohorts", program, unit) for unit in at],
                    total=("program", program),
                    both_ways=True,
                )
            )
    reached_at = {key: n for key, _label, n in units}
    by_unit: dict[int, list[tuple[int, Hashable]]] = {}
    for (program, unit), cell in cell_of.items():
        by_unit.setdefault(unit, []).append((pairs[(program, unit)], cell))
    for unit, cells in by_unit.items():
        enrolments = sum(n for n, _cell in cells)
        key = str(unit)
        counts[("enrolments", unit)] = enrolments
        counts[("overlap", unit)] = max(enrolments - reached_at.get(key, 0), 0)
        groups.append(Group(parts=[cell for _n, cell in cells], total=("enrolments", unit), both_ways=True))
        groups.append(
            Group(parts=[("unit", key), ("overlap", unit)], total=("enrolments", unit), both_ways=True)
        )
    counts[("overlap", "total")] = max(program_total - reached_total, 0)
    totals.append(
        Group(parts=[("total", ""), ("overlap", "total")], total=("program", "total"), both_ways=True)
    )
    return counts, groups, totals, given


def reach_masked(
    actor: Any,
    reached: dict[str, list[tuple[str, str, int]]],
    ring_rows: Sequence[tuple[str, str, int]],
    *,
    programs: ProgramLinks | None = None,
) -> tuple[dict[Any, Any], dict[str, Any]]:
    """The people-reached tables (`selectors.reached`, keyed (breakdown, key)) and the ring-area rows
    (`ring.reached_by_ring`, keyed by row) as the viewer may see them, masked in one call.

    A ring district's row and the same district's row in the domicile table count nearly the same people,
    but not exactly (someone from a ring district enrolled only under an agreement without ring areas is
    in the domicile row and not in the ring row), and the gap between them is itself a count of people
    that no masking of the two tables can hide. So aggregate-only roles never get both: they get the ring
    table, whose rows are exact (every person in exactly one row; the ring districts add up to `in_ring`),
    and no domicile-district table (`DISTRICT` is left out of the returned cells; callers drop it).
    Unit, sex and age each add up to the total. Everyone else sees every count as it is.

    `programs` (a monitor's, `program_links_of`): the program table beside these tables counts the same
    people, a program's participants by the units of its cohorts. Masked each on its own, a cell hidden in
    one could come back from the other (a unit with one program shows that program's hidden count; a unit's
    row minus its other programs' shown cells gives a hidden one). So these tables are masked with the links
    between the two (`_program_links`) and the program table's cells given as it shows them everywhere: the
    secondary suppression holds across both. Where that cannot be done without hiding a cell the program
    table shows, every unit row is hidden; failing that, every cell of these tables."""
    counts: dict[tuple[str, str], int] = {
        (breakdown, key): n for breakdown, rows in reached.items() for key, _label, n in rows
    }
    ring_counts = {key: n for key, _label, n in ring_rows}
    if not access.aggregates_only(actor):
        return counts, ring_counts
    total = ("total", "")
    counts = {cell: n for cell, n in counts.items() if cell[0] != DISTRICT}
    counts |= {("ring", key): n for key, n in ring_counts.items()}
    rows = list(ring_rows)
    in_ring = ("ring", ring.IN_RING)
    # Every breakdown of these people adds up to the same total, both ways: when the total is hidden for
    # one breakdown's sake (its marks would give a small cell back beside it), each of the others hides a
    # part too, or its shown parts would add the total back up and, with it, the hidden cells.
    groups = [
        Group(parts=[(breakdown, key) for key, _label, _n in cells], total=total, both_ways=True)
        for breakdown, cells in reached.items()
        if breakdown not in ("total", DISTRICT)
    ]
    if ring.ring_parts(rows):  # with its district rows (the area rows alone: under filters, `reached_rows`)
        groups += [
            Group(parts=[("ring", key) for key in ring.parts(rows)], total=total, both_ways=True),
            Group(parts=[("ring", key) for key in ring.ring_parts(rows)], total=in_ring, both_ways=True),
        ]
    groups.append(
        Group(parts=[("ring", key) for key in ring.KEYS if key in ring_counts], total=total, both_ways=True)
    )
    if programs is None:
        shown = masked(counts, groups)
    else:
        shown = _masked_with_programs(counts, groups, reached.get("unit", []), programs)
    ring_shown = {key: shown[("ring", key)] for key in ring_counts}
    return {cell: shown[cell] for cell in counts if cell[0] != "ring"}, ring_shown


def _masked_with_programs(
    counts: dict[tuple[str, str], int],
    groups: list[Group],
    units: Sequence[tuple[str, str, int]],
    programs: ProgramLinks,
) -> dict[Hashable, Any]:
    """`reach_masked`'s cells masked with the program table's links (`_program_links`). The people-reached
    groups hold both ways: their total may now be hidden for the program table's sake, and then their
    shown parts must not add up to it."""
    table, pairs = programs
    total = ("total", "")
    reach_groups = [replace(group, both_ways=True) for group in groups]
    links, unit_links, total_links, given = _program_links(table, pairs, units, counts.get(total, 0))
    unit_cells: list[Hashable] = [cell for cell in counts if cell[0] == "unit"]
    attempts = (
        (unit_links + total_links, given),
        # Without the units' links, every unit row hidden: the tables are then tied by their totals only.
        (total_links, given | dict.fromkeys(unit_cells, True)),
    )
    cells: dict[Hashable, int] = dict(links)
    cells.update(counts.items())
    # The per-(program, unit) participants, a unit's enrolments and the overlaps are on no page.
    unseen = [
        cell for cell in links if isinstance(cell, tuple) and cell[0] in ("cohorts", "enrolments", "overlap")
    ]
    for extra, decided in attempts:
        decided = dict(decided)
        for _attempt in range(len(cells) + 1):
            try:
                shown = masked(cells, reach_groups + extra, given=decided, unseen=unseen)
            except Unresolvable as stuck:
                # A cell hidden only for another's sake that the program table gives back anyway (a unit
                # whose one program's count it shows): hiding it protects nothing, so it is taken as shown
                # and another chosen. A small cell that cannot be protected: the next, wider, attempt.
                if not stuck.cells or PRIMARY in stuck.cells.values():
                    break
                decided |= dict.fromkeys(stuck.cells, False)
                continue
            return {cell: shown[cell] for cell in counts}
    return {cell: "×" if n else n for cell, n in counts.items()}


def ring_figures(
    scope: selectors.Scope, rows: Sequence[tuple[str, str, int]], shown: dict[str, Any]
) -> list[Figure]:
    """People reached by ring area (`reports.ring`), each linked to its list when the viewer may open it;
    only the rows in `shown` (`reach_masked`: aggregate-only roles get no ring-district rows)."""
    list_url = _list_urls(scope, "participants")
    return [
        replace(
            _figure(
                scope,
                label,
                n,
                list_url(by="ring", key=key),
                listable=selectors.may_list(scope.actor, "participants", "ring", key),
                shown=shown[key],
            ),
            key=key,
        )
        for key, label, n in rows
        if key in shown
    ]


def ring_chart(figures: Sequence[Figure], *, hidden: str = charts.HIDDEN) -> charts.Chart | None:
    """The ten largest ring districts, then outside the ring areas (and the rest); None when nobody."""
    if not figures or not any(f.value for f in figures):
        return None
    inside, others = list(figures[1:]), list[Figure]()
    while inside and inside[-1].key in ring.KEYS:
        others.insert(0, inside.pop())
    # Without its district rows (aggregate-only roles), the chart shows the in-the-ring-areas row instead.
    shown = [*inside[:10], *others] if inside else list(figures)
    return charts.bar_chart(
        title=_("People reached by ring area"),
        labels=[f.label for f in shown],
        values=[f.chart_value for f in shown],
        x_label=_("Ring area"),
        y_label=_("number of people"),
        horizontal=True,
        hidden=hidden,
    )


def independence_masked(actor: Any, rows: Sequence[tuple[str, str, int]]) -> dict[str, Any]:
    """The bands as shown: for aggregate-only roles masked as one group with their total, as the program
    page's panel shows them (`aftercare.panels.program_panel`), so that no view gives back a band another
    hides by subtracting from the total. Others: the counts as they are."""
    counts: dict[Hashable, int] = {key: n for key, _label, n in rows}
    if not access.aggregates_only(actor):
        return {str(key): n for key, n in counts.items()}
    total = ("total",)
    shown = masked({**counts, total: sum(counts.values())}, [Group(parts=list(counts), total=total)])
    return {str(key): shown[key] for key in counts}


def independence_figures(scope: selectors.Scope) -> list[Figure] | None:
    """The independence index by band, each linked to its cases for the roles that list cases; None for
    roles that read no scores."""
    rows = drilldown.independence_rows(scope)
    if rows is None:
        return None
    listable = drilldown.may_list_index(scope.actor)
    url = reverse("reports:independence_list")
    query = scope.filters.query()
    shown = independence_masked(scope.actor, rows)
    return [
        _figure(
            scope,
            label,
            n,
            f"{url}?{urlencode(query | {'band': key})}",
            listable=listable,
            shown=shown[key],
        )
        for key, label, n in rows
    ]


def recidivism_links_check(actor: Any) -> bool:
    """Whether `recidivism_links` works out the people behind the figures for this viewer (a Kanwil
    officer's links: a lister whose registry scope is not everyone)."""
    return actor is not None and drilldown.may_list_recidivism(actor) and actor_unit_ids(actor) is not None


def recidivism_links(scope: selectors.Scope, rec: Any, *, window: int) -> dict[str, str]:
    """{group name: list URL} for the recidivism counts the viewer may follow: administrators and Kanwil
    officers, a count shown and not zero, and every person it counts in the viewer's registry scope (an
    administrator's reaches everyone; for a Kanwil officer the groups are worked out to check)."""
    if rec is None or not drilldown.may_list_recidivism(scope.actor):
        return {}
    shown = {
        "participants": rec.participants.n,
        "participants_reoffended": rec.participants.reoffended,
        "waiting": rec.waiting,
        "unmatched": rec.unmatched,
        "comparison": rec.comparison.n,
        "comparison_reoffended": rec.comparison.reoffended,
    }
    names = {name for name, n in shown.items() if isinstance(n, int) and n}
    if names and recidivism_links_check(scope.actor):
        groups = drilldown.recidivism_groups(scope, months=window)
        names &= drilldown.visible_groups(scope.actor, groups) if groups is not None else set()
    url = reverse("reports:recidivism_list")
    query = scope.filters.query() | {"window": str(window)}
    return {name: f"{url}?{urlencode(query | {'group': name})}" for name in sorted(names)}


def followup_links(actor: Any, by_officer: list[dict[str, Any]] | None) -> dict[str, Any]:
    """Where the follow-up figures lead: a Bapas officer's own overdue follow-ups to the caseload they are
    counted from; the overseers' totals and per-officer figures to the case list narrowed to the open cases
    with a follow-up overdue (or due), each row showing how many."""
    if by_officer is None:
        if access.role_of(actor) != Role.BAPAS_OFFICER:
            return {"followups_overdue_url": None}
        return {"followups_overdue_url": reverse("aftercare:caseload")}
    url = reverse("aftercare:case_list")
    for row in by_officer:
        officer = row["officer"].pk
        row["due_url"] = f"{url}?{urlencode({'officer': officer, 'followups': 'due'})}"
        row["overdue_url"] = f"{url}?{urlencode({'officer': officer, 'followups': 'overdue'})}"
    return {"followups_overdue_url": f"{url}?followups=overdue"}


def drilldown_context(
    scope: selectors.Scope,
    shown_charts: dict[str, charts.Chart],
    *,
    hidden: str,
    window: int,
    rec: Any,
    ring_rows: list[Figure],
) -> dict[str, Any]:
    """What `figures_context` adds for the ring areas, the independence index and recidivism's links."""
    chart = ring_chart(ring_rows, hidden=hidden)
    if chart is not None:
        shown_charts["ring"] = chart
    context: dict[str, Any] = {
        "sessions_url": (
            reverse("reports:session_list") if drilldown.may_list_sessions(scope.actor) else None
        ),
        "reached_ring": ring_rows,
        # Withheld under filters for aggregate-only roles (`access.withheld_under_filters`): not read.
        "independence": (
            None if access.withheld_under_filters(scope.actor, scope.filters) else independence_figures(scope)
        ),
    }
    context["rec_links"] = recidivism_links(scope, rec, window=window)
    return context


# --- Charts shared by the dashboard and the joint report (the same SVG on the page and in the PDF) --------


def funnel_chart(funnel: Sequence[Figure], *, hidden: str = charts.HIDDEN) -> charts.Chart | None:
    """From screening to release, the stages recorded so far; None when nobody is counted yet."""
    shown = [f for f in funnel if f.value is not None]
    if not any(f.value for f in shown):
        return None
    return charts.bar_chart(
        title=_("From screening to release"),
        labels=[f.label for f in shown],
        values=[f.chart_value for f in shown],
        x_label=_("Stage"),
        y_label=_("number of people"),
        horizontal=True,
        hidden=hidden,
    )


def sessions_chart(months: Sequence[Any]) -> charts.Chart:
    return charts.bar_chart(
        title=_("Sessions held per month"),
        labels=[date_format(m.month, "M Y") for m in months],
        values=[m.sessions for m in months],
        months=[m.month for m in months],
        x_label=_("Month"),
        y_label=_("sessions"),
    )


def attendance_chart(months: Sequence[Any]) -> charts.Chart:
    return charts.line_chart(
        title=_("Attendance rate per month (%)"),
        x=[date_format(m.month, "M Y") for m in months],
        series={_("Attendance rate"): [m.rate for m in months]},
        months=[m.month for m in months],
        x_label=_("Month"),
        y_label="%",
        hidden="—",
    )


def budget_chart(rows: Sequence[Any]) -> charts.Chart:
    """Budget against realisation of the ten first programs (the table beside it lists all)."""
    rows = rows[:10]
    return charts.bar_chart(
        title=_("Budget against realisation (Rp)"),
        labels=[r.name for r in rows],
        series={_("Budget"): [r.budget for r in rows], _("Realisation"): [r.spent for r in rows]},
        x_label=_("Program"),
        y_label="Rp",
        horizontal=True,
        money=True,
    )
