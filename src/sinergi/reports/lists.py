"""The lists that export (one `Kind` each): who may export it, how its rows are read, and its columns.

Every kind reads its rows through the same scoped selector as its page, with the page's own filters, so
an export never holds a row the page would not show. All of them go through the one mechanism in
`exports` (`export_request` checks purpose, format, identities and reason; `table` writes pseudonyms and
drops identity columns; `respond` audits and streams). The views and the API call `export`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from django.forms import ChoiceField
from django.http import Http404
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext

from sinergi.accounts.choices import OrganisationKind
from sinergi.accounts.models import Organisation
from sinergi.aftercare import access as aftercare_access
from sinergi.aftercare import domain as aftercare_domain
from sinergi.aftercare import selectors as aftercare_selectors
from sinergi.aftercare.models import AftercareCase, FollowUp
from sinergi.audit.services import audit_read
from sinergi.beneficiaries import selectors as registry_selectors
from sinergi.beneficiaries.access import REGISTRY
from sinergi.beneficiaries.choices import Sex
from sinergi.beneficiaries.models import CustodyEpisode
from sinergi.core.errors import ApplicationError, ForbiddenError
from sinergi.partnerships import access as partnerships_access
from sinergi.partnerships import selectors as partnerships_selectors
from sinergi.partnerships.choices import AgreementStatus
from sinergi.partnerships.models import Agreement
from sinergi.programs import access as programs_access
from sinergi.programs import selectors as programs_selectors
from sinergi.programs.choices import RunStatus
from sinergi.programs.models import Attendance, Certificate, Program, Session
from sinergi.regions.models import District
from sinergi.reports import access, exports, ring, selectors
from sinergi.reports.exports import Column, ExportRequest, choice_labels
from sinergi.reports.forms import FigureFilterForm

Table = tuple[list[str], Iterator[list[Any]]]


@dataclass(frozen=True)
class Rows:
    """What a kind read: its header and rows, how many, and the filters the audit event keeps."""

    header: list[str]
    rows: Iterator[list[Any]]
    count: int
    filters: dict[str, Any]


@dataclass(frozen=True)
class Kind:
    """One exportable list."""

    slug: str
    title: Any
    roles: tuple[str, ...]
    action: str
    read: Callable[[Any, Any, ExportRequest], Rows]
    # The record the list belongs to (a cohort, a run), read in the actor's scope: NotFoundError outside it.
    target: Callable[[Any, Any], Any] | None = None
    # The parameters a download link must give (GET): without them the export form opens instead, so that an
    # address without its list (an old link, a reloaded error page) never exports a list nobody chose.
    asks: tuple[str, ...] = ()


def _id(params: Any, name: str) -> int:
    """A required object id parameter; 404 when missing or not a number (as the page's URL would)."""
    value = str(params.get(name) or "")
    if not (value.isascii() and value.isdigit()) or len(value) > 12:
        raise Http404()
    return int(value)


def _text(params: Any, name: str) -> str:
    return str(params.get(name) or "").replace("\x00", "")


# --- Participants behind a dashboard number, and the registry -----------------------------------------------


BREAKDOWNS = ("district", "unit", "sex", "age", "ring")


def metric_base(actor: Any, params: Any, metric: str) -> tuple[FigureFilterForm, selectors.Scope, Any]:
    """The filter form, the scope and the rows behind one number, before the list's columns are joined in
    (enrolments, or screening results for `selectors.SCREENING_METRICS`).

    404 for a list the actor may not open (`selectors.may_list`: a breakdown by sex, say, for a TJSL
    officer, whose dashboard only counts it)."""
    by = str(params.get("by") or "")
    by = by if metric == "participants" and by in BREAKDOWNS else ""
    if metric not in selectors.METRICS or not selectors.may_list(
        actor, metric, by, str(params.get("key") or "")
    ):
        raise Http404()
    form = FigureFilterForm(params or None, actor=actor)
    scope = selectors.scope_of(actor, form.filters())
    rows: Any
    if by in ("district", "unit", "sex", "age"):
        rows = selectors.reached_queryset(scope, by, str(params.get("key") or ""))
    elif by == "ring":
        rows = ring.ring_queryset(scope, str(params.get("key") or ""))
    else:
        rows = selectors.metric_queryset(scope, metric)
    if metric not in selectors.SCREENING_METRICS and access.aggregates_only(actor):
        asked = {"metric": metric, "by": by, "key": str(params.get("key") or "") if by else ""}
        _refuse_small(actor, rows, people=metric == "participants", filters=asked | form.filters().query())
        _refuse_hidden(scope, asked, filters=asked | form.filters().query())
    return form, scope, rows


def listed(rows: Any, metric: str) -> Any:
    """`metric_base`'s rows with the list's columns, in the list's order."""
    if metric in selectors.SCREENING_METRICS:
        return rows.select_related("run__program").order_by("full_name", "pk")
    return selectors.enrollment_rows(rows)


def metric_rows(actor: Any, params: Any, metric: str) -> tuple[FigureFilterForm, selectors.Scope, Any]:
    """The filter form, the scope and the rows behind one number (shared by the page and the exports)."""
    form, scope, rows = metric_base(actor, params, metric)
    return form, scope, listed(rows, metric)


# The numbers the dashboard counts in people (distinct persons): the people reached (every breakdown) and
# the funnel's screening steps. The lists behind them have a row per enrolment or per screening result, so
# their heading states the people first (the dashboard's number), then the rows. The other funnel steps
# count enrolments, as their lists do.
PEOPLE_METRICS = ("participants", *selectors.SCREENING_METRICS)


@dataclass(frozen=True)
class Headline:
    """What a list's heading states: the dashboard's number and what it counts, and the rows listed when
    they are other things (enrolments or screening results of those people)."""

    count: int
    unit: str
    rows: int | None = None
    rows_unit: str = ""


def headline(rows: Any, metric: str, listed_count: int) -> Headline:
    """The heading's numbers for `metric_base`'s rows, of which the list shows `listed_count`."""
    rows_unit = (
        pgettext("counted", "screening results")
        if metric in selectors.SCREENING_METRICS
        else pgettext("counted", "enrolments")
    )
    if metric not in PEOPLE_METRICS:
        return Headline(listed_count, rows_unit)
    people = rows.order_by().values("person_id").distinct().count()
    if people == listed_count:
        return Headline(people, pgettext("counted", "people"))
    return Headline(people, pgettext("counted", "people"), listed_count, rows_unit)


RING_LABELS = {
    ring.IN_RING: gettext_lazy("In the ring areas"),
    ring.OUTSIDE: gettext_lazy("Outside the ring areas"),
    ring.UNKNOWN: gettext_lazy("Domicile not recorded"),
    ring.NO_RING: gettext_lazy("Agreement names no ring areas"),
}


def _slice(params: Any, metric: str) -> tuple[str, str] | None:
    """The part of the number a breakdown's list shows, as (what, which), in words."""
    by = str(params.get("by") or "")
    key = str(params.get("key") or "")
    if metric != "participants" or by not in BREAKDOWNS:
        return None
    if by == "district" or (by == "ring" and key not in RING_LABELS):
        district = District.objects.select_related("regency").filter(code=key).first() if key else None
        what = _("Domicile district") if by == "district" else _("Ring area")
        if district is None:
            return what, key or _("Unknown")
        return what, f"{ring.district_label(district)} ({district.code})"
    if by == "ring":
        return _("Ring area"), str(RING_LABELS[key])
    if by == "unit":
        unit = (
            Organisation.objects.filter(pk=int(key), kind=OrganisationKind.UNIT).first()
            if key.isascii() and key.isdigit() and len(key) <= 12
            else None
        )
        return _("Unit"), unit.name if unit is not None else key
    if by == "sex":
        return _("Sex"), str(dict(Sex.choices).get(key, key))
    return _("Age band"), key


def described(form: FigureFilterForm, params: Any, metric: str) -> list[tuple[str, str]]:
    """The slice and the filters a list shows, as (what, which) pairs in words, for under its heading."""
    pairs = [one] if (one := _slice(params, metric)) else []
    if not form.is_valid():
        return pairs
    for name in ("start", "end"):
        if form.cleaned_data.get(name):
            pairs.append((str(form.fields[name].label), date_format(form.cleaned_data[name], "j F Y")))
    for name in ("agreement", "program", "unit"):
        value = form.cleaned_data.get(name)
        field = form.fields.get(name)
        if value and isinstance(field, ChoiceField):
            choices: list[tuple[Any, Any]] = list(field.choices)  # type: ignore[arg-type]  # set as a list
            labels = {str(k): str(v) for k, v in choices}
            pairs.append((str(field.label), labels.get(str(value), str(value))))
    return pairs


SMALL_LIST = gettext_lazy(
    "This list has fewer than 5 people. For your role a number this small shows as “<5” so that nobody "
    "can be recognised, and its list is not opened. Widen the filters (a longer period, all units or all "
    "programs) to see the list."
)


SMALL_LIST_REFUSED = "participant.list_refused"


def _refuse_small(actor: Any, enrollments: Any, *, people: bool, filters: dict[str, Any]) -> None:
    """403 with `SMALL_LIST` when the list's number, counted as the dashboard counts it (people reached:
    distinct people; the funnel's later stages: enrolments), is "<5" for the actor. The refusal is audited
    (`SMALL_LIST_REFUSED`) with the metric and filters asked for, and without the count it keeps back."""
    rows = enrollments.order_by()
    count = rows.values("person_id").distinct().count() if people else rows.count()
    if access.refuses_small_list(actor, count):
        audit_read(actor=actor, action=SMALL_LIST_REFUSED, filters=filters, count=None, refused="small_list")
        raise ForbiddenError(SMALL_LIST)


HIDDEN_LIST = gettext_lazy(
    "This number is hidden on your dashboard (“×”) so that a number of fewer than 5 people beside it "
    "cannot be worked out, and its list is not opened. Widen the filters (a longer period, all units or all "
    "programs) to see the list."
)


def _refuse_hidden(scope: Any, asked: dict[str, str], *, filters: dict[str, Any]) -> None:
    """403 with `HIDDEN_LIST` when the dashboard, under the same filters, hides the list's number for
    another's sake ("×", `dashboards.list_cell`): the list would give back the count the mark keeps, and
    with it a "<5" beside it. Audited as `_refuse_small`'s refusals are."""
    from sinergi.reports import dashboards

    shown = dashboards.list_cell(scope, asked["metric"], asked["by"], asked["key"])
    if isinstance(shown, str):
        audit_read(
            actor=scope.actor, action=SMALL_LIST_REFUSED, filters=filters, count=None, refused="hidden_cell"
        )
        raise ForbiddenError(SMALL_LIST if shown.startswith("<") else HIDDEN_LIST)


def _participants(actor: Any, params: Any, request: ExportRequest) -> Rows:
    metric = str(params.get("metric") or "participants")
    if metric in selectors.SCREENING_METRICS:
        raise Http404()
    _form, _scope, rows = metric_rows(actor, params, metric)
    header, table = exports.participant_table(rows, request, attributes=access.person_attributes(actor))
    kept = {k: v for k, v in params.items() if k not in ("reason", "csrfmiddlewaretoken")}
    return Rows(header, table, rows.count(), {"metric": metric, **kept})


def _registry(actor: Any, params: Any, request: ExportRequest) -> Rows:
    unit = _text(params, "unit")
    people = registry_selectors.person_list(
        actor=actor,
        q=_text(params, "q"),
        unit=int(unit) if unit.isascii() and unit.isdigit() and len(unit) <= 12 else None,
        status=_text(params, "status"),
    )
    header, table = exports.person_table(people, request)
    return Rows(
        header, table, people.count(), {k: v for k, v in params.items() if k in ("q", "unit", "status")}
    )


# --- Registry lists -----------------------------------------------------------------------------------------


def _pseudonym(person_id: Callable[[Any], Any]) -> Column:
    return Column(gettext_lazy("Pseudonym"), person_id, pseudonym=True)


def _name(person: Callable[[Any], Any]) -> Column:
    return Column(gettext_lazy("Name"), lambda row: getattr(person(row), "full_name", ""), identity=True)


def _releases_due(actor: Any, params: Any, request: ExportRequest) -> Rows:
    months = _text(params, "bulan")
    months_value = int(months) if months in ("1", "2", "3") else 3
    episodes = registry_selectors.releases_due_list(actor=actor, months=months_value)
    status = choice_labels(CustodyEpisode, "status")
    header, table = exports.table(
        episodes,
        request,
        [
            _pseudonym(lambda e: e.person_id),
            _name(lambda e: e.person),
            Column(gettext_lazy("Registration number"), lambda e: e.registration_number, identity=True),
            Column(gettext_lazy("Unit"), lambda e: e.unit.name),
            Column(gettext_lazy("Status"), lambda e: status(e.status)),
            Column(gettext_lazy("Release date"), lambda e: e.release_date),
            Column(gettext_lazy("Expiry"), lambda e: e.expiry_date),
        ],
        person="person_id",
    )
    return Rows(header, table, episodes.count(), {"months": months_value})


def _duplicate_pairs(actor: Any) -> list[tuple[Any, Any, str]]:
    """Every likely duplicate pair in scope, page after page of the page's own selector."""
    pairs: list[tuple[Any, Any, str]] = []
    number = 1
    while True:
        page = registry_selectors.duplicate_page(actor=actor, page=number, per_page=200)
        pairs += page.pairs
        if not page.has_next:
            return pairs
        number += 1


def _duplicates(actor: Any, params: Any, request: ExportRequest) -> Rows:
    pairs = _duplicate_pairs(actor)
    reasons = {"nik": _("Same NIK"), "name": _("Similar name, same birth date and district")}
    header, table = exports.table(
        pairs,
        request,
        [
            Column(gettext_lazy("Pseudonym (first)"), lambda p: p[0].pk, pseudonym=True),
            Column(gettext_lazy("Name (first)"), lambda p: p[0].full_name, identity=True),
            Column(gettext_lazy("Pseudonym (second)"), lambda p: p[1].pk, pseudonym=True),
            Column(gettext_lazy("Name (second)"), lambda p: p[1].full_name, identity=True),
            Column(gettext_lazy("Birth date"), lambda p: p[0].birth_date, identity=True),
            Column(gettext_lazy("Domicile district"), lambda p: p[0].domicile_district_id or ""),
            Column(gettext_lazy("Why"), lambda p: reasons.get(p[2], p[2])),
        ],
        person="0__pk",
    )
    # The count is people, as the duplicates page's audit counts them (a person in two pairs counts once);
    # the number of pairs (rows of the file) goes with the filters.
    people = len({person.pk for pair in pairs for person in pair[:2]})
    return Rows(header, table, people, {"pairs": len(pairs)})


# --- Programs: the list, a cohort's participants, attendance and certificates, a screening run --------------


def _programs(actor: Any, params: Any, request: ExportRequest) -> Rows:
    programs = programs_selectors.program_list(actor=actor).select_related("agreement")
    kind = choice_labels(Program, "program_type")
    pillar = choice_labels(Program, "pillar")
    header, table = exports.table(
        programs,
        request,
        [
            Column(gettext_lazy("Program"), lambda p: p.name),
            Column(gettext_lazy("Agreement"), lambda p: p.agreement.number),
            Column(gettext_lazy("Type"), lambda p: kind(p.program_type)),
            Column(gettext_lazy("TJSL pillar"), lambda p: pillar(p.pillar)),
            Column(gettext_lazy("SDG targets"), lambda p: ", ".join(str(t) for t in p.sdg_targets or [])),
            Column(gettext_lazy("Start date"), lambda p: p.start_date),
            Column(gettext_lazy("End date"), lambda p: p.end_date),
            Column(gettext_lazy("Target participants"), lambda p: p.kpi_participants),
            Column(gettext_lazy("Cohorts"), lambda p: p.cohort_count),
        ],
    )
    return Rows(header, table, programs.count(), {})


def _cohort(actor: Any, params: Any) -> Any:
    return programs_selectors.cohort_get(actor=actor, pk=_id(params, "cohort"))


def _cohort_participants(actor: Any, params: Any, request: ExportRequest) -> Rows:
    cohort = _cohort(actor, params)
    rows = selectors.enrollment_rows(cohort.enrollments.all())
    header, table = exports.participant_table(rows, request, attributes=access.person_attributes(actor))
    return Rows(header, table, rows.count(), {"cohort": cohort.pk})


def _attendance(actor: Any, params: Any, request: ExportRequest) -> Rows:
    cohort = _cohort(actor, params)
    marks = (
        Attendance.objects.filter(session__cohort=cohort)
        .select_related("session", "enrollment__person")
        .order_by("session__date", "session__start_time", "session_id", "enrollment__person__full_name", "pk")
    )
    mark = choice_labels(Attendance, "mark")
    status = choice_labels(Session, "status")
    header, table = exports.table(
        marks,
        request,
        [
            _pseudonym(lambda a: a.enrollment.person_id),
            _name(lambda a: a.enrollment.person),
            Column(gettext_lazy("Date"), lambda a: a.session.date),
            # "08:30", whatever the language: a spreadsheet reads it as a time, and "08.30" as 8.3.
            Column(gettext_lazy("From"), lambda a: a.session.start_time.strftime("%H:%M")),
            Column(gettext_lazy("Session"), lambda a: status(a.session.status)),
            Column(gettext_lazy("Attendance"), lambda a: mark(a.mark)),
        ],
        person="enrollment__person_id",
    )
    return Rows(header, table, marks.count(), {"cohort": cohort.pk})


def _certificates(actor: Any, params: Any, request: ExportRequest) -> Rows:
    cohort = _cohort(actor, params)
    certificates = (
        Certificate.objects.filter(enrollment__cohort=cohort)
        .select_related("enrollment__person")
        .order_by("issued_on", "pk")
    )
    header, table = exports.table(
        certificates,
        request,
        [
            _pseudonym(lambda c: c.enrollment.person_id),
            _name(lambda c: c.enrollment.person),
            Column(gettext_lazy("Number"), lambda c: c.number, identity=True),
            Column(gettext_lazy("Issuer"), lambda c: c.issuer),
            Column(gettext_lazy("Competency"), lambda c: c.competency),
            Column(gettext_lazy("Issued on"), lambda c: c.issued_on),
            Column(gettext_lazy("Expires on"), lambda c: c.expires_on),
            Column(gettext_lazy("Revoked on"), lambda c: c.revoked_on),
        ],
        person="enrollment__person_id",
    )
    return Rows(header, table, certificates.count(), {"cohort": cohort.pk})


def _run(actor: Any, params: Any) -> Any:
    return programs_selectors.run_get(actor=actor, pk=_id(params, "run"))


RUN_NOT_DONE = gettext_lazy(
    "This screening is not finished yet (or its background job failed): there is nothing to export. Open the "
    "run's page to follow it or to start it again, then export when it is done."
)


def _screening(actor: Any, params: Any, request: ExportRequest) -> Rows:
    run = _run(actor, params)
    if run.status != RunStatus.DONE:
        raise ApplicationError(RUN_NOT_DONE, code="run_not_done")
    results = programs_selectors.run_results(actor=actor, run=run)
    yes, no = _("Yes"), _("No")
    sexes = {str(value): str(label) for value, label in Sex.choices}
    header, table = exports.table(
        results,
        request,
        [
            _pseudonym(lambda r: r.person_id),
            Column(gettext_lazy("Name"), lambda r: r.full_name, identity=True),
            Column(gettext_lazy("Registration number"), lambda r: r.registration_number, identity=True),
            Column(gettext_lazy("Sex"), lambda r: sexes.get(r.sex, r.sex)),
            Column(gettext_lazy("Unit"), lambda r: r.unit_code),
            Column(gettext_lazy("Domicile district"), lambda r: r.domicile_district_code or ""),
            Column(gettext_lazy("Eligible"), lambda r: yes if r.eligible else no),
            Column(gettext_lazy("Reasons"), lambda r: "; ".join(str(t) for t in r.reason_texts)),
        ],
        # The reasons come from the run's frozen facts, a chunk at a time (as the page does per page).
        prepare=lambda chunk: programs_selectors.with_reasons(chunk, run=run),
        person="person_id",
    )
    return Rows(header, table, results.count(), {"run": run.pk})


# --- Aftercare: cases and their follow-ups ------------------------------------------------------------------


def _cases_of(actor: Any, params: Any) -> tuple[Any, dict[str, Any]]:
    officer = _text(params, "officer")
    officer_id = int(officer) if officer.isascii() and officer.isdigit() and len(officer) <= 12 else None
    q = _text(params, "q")
    cases = aftercare_selectors.case_list(actor=actor, q=q, officer=officer_id)
    filters: dict[str, Any] = {"q": q, "officer": officer_id}
    # The list page's `?followups=due|overdue`: only the cases with such a follow-up, as the page shows.
    followups = _text(params, "followups")
    if followups in (aftercare_domain.DUE, aftercare_domain.OVERDUE):
        cases = cases.filter(pk__in=aftercare_selectors.cases_with_followups(actor=actor, status=followups))
        filters["followups"] = followups
    return cases, filters


def _officer(user: Any) -> str:
    return user.display_name if user is not None else ""


def _cases(actor: Any, params: Any, request: ExportRequest) -> Rows:
    cases, filters = _cases_of(actor, params)
    today = timezone.localdate()
    counted = aftercare_selectors.with_followups(cases)

    def due(case: AftercareCase, status: str) -> Any:
        return "" if case.closed_on else aftercare_selectors.followup_counts(case, today=today)[status]

    header, table = exports.table(
        counted,
        request,
        [
            _pseudonym(lambda c: c.person_id),
            _name(lambda c: c.person),
            Column(gettext_lazy("Bapas"), lambda c: c.bapas.name if c.bapas_id else ""),
            Column(gettext_lazy("PK officer"), lambda c: _officer(c.pk_officer)),
            Column(
                gettext_lazy("Program"), lambda c: c.enrollment.cohort.program.name if c.enrollment_id else ""
            ),
            Column(gettext_lazy("Release"), lambda c: c.release_kind),
            Column(gettext_lazy("Released on"), lambda c: c.released_on),
            Column(gettext_lazy("Opened on"), lambda c: c.opened_on),
            Column(gettext_lazy("Closed on"), lambda c: c.closed_on),
            Column(gettext_lazy("Follow-ups due"), lambda c: due(c, "due")),
            Column(gettext_lazy("Follow-ups overdue"), lambda c: due(c, "overdue")),
        ],
        person="person_id",
    )
    return Rows(header, table, cases.count(), filters)


def _followups(actor: Any, params: Any, request: ExportRequest) -> Rows:
    cases, filters = _cases_of(actor, params)
    followups = (
        FollowUp.objects.filter(case__in=cases.values("pk"))
        .select_related("case__person", "case__bapas", "case__pk_officer")
        .order_by("case__opened_on", "case_id", "milestone", "pk")
    )
    work = choice_labels(FollowUp, "work_status")
    housing = choice_labels(FollowUp, "housing")
    yes, no = _("Yes"), _("No")
    header, table = exports.table(
        followups,
        request,
        [
            _pseudonym(lambda f: f.case.person_id),
            _name(lambda f: f.case.person),
            Column(gettext_lazy("Bapas"), lambda f: f.case.bapas.name if f.case.bapas_id else ""),
            Column(gettext_lazy("PK officer"), lambda f: _officer(f.case.pk_officer)),
            Column(gettext_lazy("Released on"), lambda f: f.case.released_on),
            Column(gettext_lazy("Milestone (months)"), lambda f: f.milestone),
            Column(gettext_lazy("Date"), lambda f: f.done_on),
            Column(gettext_lazy("Could be contacted"), lambda f: yes if f.contacted else no),
            Column(gettext_lazy("Work"), lambda f: work(f.work_status)),
            Column(gettext_lazy("Monthly income (Rp)"), lambda f: f.monthly_income),
            Column(gettext_lazy("Housing"), lambda f: housing(f.housing)),
        ],
        person="case__person_id",
    )
    return Rows(header, table, followups.count(), filters)


# --- Agreements ---------------------------------------------------------------------------------------------


AGREEMENT_FILTERS = ("status", "kind", "partner", "district", "year", "q")


def _agreements(actor: Any, params: Any, request: ExportRequest) -> Rows:
    filters = {k: _text(params, k) for k in AGREEMENT_FILTERS if params.get(k)}
    agreements = partnerships_selectors.agreement_list(actor=actor, filters=filters)
    kind = choice_labels(Agreement, "kind")
    statuses = {str(value): str(label) for value, label in AgreementStatus.choices}
    header, table = exports.table(
        agreements,
        request,
        [
            Column(gettext_lazy("Number"), lambda a: a.number),
            Column(gettext_lazy("Title"), lambda a: a.title),
            Column(gettext_lazy("Kind"), lambda a: kind(a.kind)),
            Column(gettext_lazy("Status"), lambda a: statuses.get(a.status, a.status)),
            Column(gettext_lazy("Start date"), lambda a: a.start_date),
            Column(gettext_lazy("End date"), lambda a: a.end_date),
            Column(
                gettext_lazy("Parties"), lambda a: "; ".join(p.organisation.name for p in a.parties.all())
            ),
        ],
    )
    return Rows(header, table, agreements.count(), filters)


KINDS: dict[str, Kind] = {
    kind.slug: kind
    for kind in (
        Kind(
            "peserta",
            gettext_lazy("Export the participants list"),
            access.PERSON_LIST_ROLES,
            "participant.export",
            _participants,
            asks=("metric",),
        ),
        Kind(
            "wbp",
            gettext_lazy("Export the registry list"),
            access.REGISTRY_EXPORT_ROLES,
            "person.export",
            _registry,
        ),
        Kind(
            "bebas-segera",
            gettext_lazy("Export the releases due"),
            REGISTRY,
            "person.releases_due.export",
            _releases_due,
        ),
        Kind(
            "duplikat",
            gettext_lazy("Export the likely duplicates"),
            REGISTRY,
            "person.duplicates.export",
            _duplicates,
        ),
        Kind(
            "program",
            gettext_lazy("Export the programs"),
            programs_access.READERS,
            "program.export",
            _programs,
        ),
        Kind(
            "angkatan",
            gettext_lazy("Export the cohort's participants"),
            programs_access.READERS,
            "cohort.participants.export",
            _cohort_participants,
            _cohort,
        ),
        Kind(
            "presensi",
            gettext_lazy("Export the cohort's attendance"),
            # Per-session marks: the roles that may open the attendance page (not every programs reader).
            programs_access.DELIVERY,
            "cohort.attendance.export",
            _attendance,
            _cohort,
        ),
        Kind(
            "sertifikat",
            gettext_lazy("Export the cohort's certificates"),
            programs_access.READERS,
            "cohort.certificates.export",
            _certificates,
            _cohort,
        ),
        Kind(
            "penyaringan",
            gettext_lazy("Export the screening results"),
            programs_access.SCREENERS,
            "screening_run.export",
            _screening,
            _run,
        ),
        Kind(
            "pembimbingan",
            gettext_lazy("Export the aftercare cases"),
            aftercare_access.LIST_READERS,
            "aftercare_case.export",
            _cases,
        ),
        Kind(
            "pemantauan",
            gettext_lazy("Export the follow-ups"),
            aftercare_access.LIST_READERS,
            "aftercare_followup.export",
            _followups,
        ),
        Kind(
            "kerja-sama",
            gettext_lazy("Export the agreements"),
            partnerships_access.READERS,
            "agreement.export",
            _agreements,
        ),
    )
}


def kind_for(actor: Any, slug: str) -> Kind:
    """The kind, if the actor's role may export it: 404 for an unknown list, 403 for a role that may not."""
    kind = KINDS.get(slug)
    if kind is None:
        raise Http404()
    if actor is not None and access.role_of(actor) not in kind.roles:
        raise ForbiddenError()
    return kind


def export(*, actor: Any, slug: str, params: Any, fmt: str) -> Any:
    """Check, read (scoped as the page), audit and stream one list export."""
    kind = kind_for(actor, slug)
    request = exports.export_request(actor=actor, params=params, fmt=fmt)
    read = kind.read(actor, params, request)
    return exports.respond(
        actor=actor,
        request=request,
        action=kind.action,
        name=kind.slug,
        header=read.header,
        rows=read.rows,
        count=read.count,
        filters=read.filters,
    )
