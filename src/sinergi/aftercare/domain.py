"""Pure aftercare rules: follow-up and reporting schedules, what is due, input checks and the independence
index. No ORM, no request, no settings: callers pass in every fact."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from dateutil.relativedelta import relativedelta
from django.utils.translation import gettext_lazy as _

from sinergi.core.dates import long_date

MILESTONES = (3, 6, 12, 24)
# A follow-up shows as due from two weeks before its date, and as overdue a month after it.
FOLLOWUP_OPENS_DAYS = 14
FOLLOWUP_GRACE_DAYS = 30
# A mandatory report is late a week after its date; it is missed when its period ends without one.
REPORT_GRACE_DAYS = 7
# A mentoring visit is expected every three months (from the release, then from the last visit).
VISIT_EVERY_MONTHS = 3
VISITS_FOR_MONTHS = 24
# An income above this is refused as absurd (Rp 1 miliar a month).
MAX_MONTHLY_INCOME = 1_000_000_000

UPCOMING, DUE, OVERDUE, DONE, MISSED, CLOSED = "upcoming", "due", "overdue", "done", "missed", "closed"

DATE_BEFORE_RELEASE = _("The date cannot be before the release (%(date)s).")
DATE_IN_FUTURE = _("The date cannot be in the future.")
INCOME_NEGATIVE = _("Income cannot be negative.")
INCOME_ABSURD = _("Income over Rp 1.000.000.000 a month is not plausible; check the number.")
INCOME_NEEDED = _("Enter the monthly income (0 when there is none).")
WORK_NEEDED = _("Choose the work status of a person who could be contacted.")
HOUSING_NEEDED = _("Choose the housing of a person who could be contacted.")
BUSINESS_SINCE_FUTURE = _("A business cannot have started after the follow-up date.")
AID_VALUE_POSITIVE = _("The value of aid must be more than Rp 0.")
AID_FUNDER_NEEDED = _("Choose the organisation that funded the aid.")
MILESTONE_UNKNOWN = _("Follow-ups are at 3, 6, 12 or 24 months.")


def add_months(start: dt.date, months: int) -> dt.date:
    """`start` plus calendar months; a day that does not exist is clamped to the month's end (31 Jan + 1
    month = 28 or 29 Feb)."""
    return start + relativedelta(months=months)


# --- Follow-ups ------------------------------------------------------------------------------------


def followup_due_dates(released_on: dt.date) -> dict[int, dt.date]:
    """The date of each follow-up: 3, 6, 12 and 24 months after the release, each counted from the release
    (never chained, so 31 August gives 30 November, 28 February, 31 August and 31 August)."""
    return {months: add_months(released_on, months) for months in MILESTONES}


def followup_status(*, due: dt.date, today: dt.date, done: bool, closed_from: dt.date | None = None) -> str:
    """done; closed (the obligation ended before its date, e.g. a return to custody); upcoming until two
    weeks before the date; due until 30 days after it; overdue after that."""
    if done:
        return DONE
    if closed_from is not None and closed_from <= due:
        return CLOSED
    if today < due - dt.timedelta(days=FOLLOWUP_OPENS_DAYS):
        return UPCOMING
    if today <= due + dt.timedelta(days=FOLLOWUP_GRACE_DAYS):
        return DUE
    return OVERDUE


def followup_due_counts(
    *, released_on: dt.date, done: Iterable[int], closed_from: dt.date | None, today: dt.date
) -> dict[str, int]:
    """How many of a case's follow-ups are due and overdue today (`followup_status` of each milestone not
    done). The rule the dashboards' counts in SQL (`selectors.followup_counts_by`) must give."""
    taken = set(done)
    counts = {DUE: 0, OVERDUE: 0}
    for months, due in followup_due_dates(released_on).items():
        status = followup_status(due=due, today=today, done=months in taken, closed_from=closed_from)
        if status in counts:
            counts[status] += 1
    return counts


# --- Mandatory reporting (wajib lapor) ---------------------------------------------------------------


def reporting_schedule(
    *, released_on: dt.date, until: dt.date | None, every_months: int = 1
) -> list[dt.date]:
    """The report dates of a client on PB, CB or CMB: every `every_months` months after the release (each
    counted from the release), up to and including the expiry date `until`. None (no expiry) gives none."""
    if until is None or every_months < 1:
        return []
    dates: list[dt.date] = []
    k = 1
    while (due := add_months(released_on, k * every_months)) <= until:
        dates.append(due)
        k += 1
    return dates


@dataclass(frozen=True)
class ReportSlot:
    """One report date, the report that satisfied it (if any) and its status."""

    due: dt.date
    period_end: dt.date
    status: str
    reported_on: dt.date | None = None


def report_slots(
    *, schedule: list[dt.date], until: dt.date | None, reports: Iterable[dt.date], today: dt.date
) -> list[ReportSlot]:
    """Match reports to report dates. A report counts for the period from one date up to the next (the
    last period ends at the expiry date). A period over without a report is missed; a current one is due,
    and overdue a week after its date; later ones are upcoming."""
    taken = sorted(reports)
    slots: list[ReportSlot] = []
    for i, due in enumerate(schedule):
        end = schedule[i + 1] - dt.timedelta(days=1) if i + 1 < len(schedule) else (until or due)
        end = max(end, due)
        found = next((r for r in taken if due - dt.timedelta(days=REPORT_GRACE_DAYS) <= r <= end), None)
        if found is not None:
            taken.remove(found)
            status = DONE
        elif today < due:
            status = UPCOMING
        elif today > end:
            status = MISSED
        elif today > due + dt.timedelta(days=REPORT_GRACE_DAYS):
            status = OVERDUE
        else:
            status = DUE
        slots.append(ReportSlot(due=due, period_end=end, status=status, reported_on=found))
    return slots


def next_visit_due(*, released_on: dt.date, last_visit: dt.date | None) -> dt.date:
    """A visit is expected three months after the release, then three months after the last visit."""
    return add_months(last_visit or released_on, VISIT_EVERY_MONTHS)


# --- What is due on a case, and how urgent ------------------------------------------------------------


@dataclass(frozen=True)
class AgendaItem:
    """Something a case needs: a report, a visit or a follow-up, with its date and status."""

    kind: str  # "report" | "visit" | "followup"
    due: dt.date
    status: str
    milestone: int | None = None


_RANK = {OVERDUE: 0, MISSED: 0, DUE: 1, UPCOMING: 2}


def case_agenda(
    *,
    released_on: dt.date,
    today: dt.date,
    report_slots: list[ReportSlot],
    last_visit: dt.date | None,
    followups_done: Iterable[int],
    closed_from: dt.date | None,
) -> list[AgendaItem]:
    """The open items of a case: missed and current reports, the next visit, and the follow-ups not done,
    most urgent first. A case closed (or whose person returned to custody) on `closed_from` has nothing
    open after that day."""
    items: list[AgendaItem] = []
    for slot in report_slots:
        if slot.status in (MISSED, OVERDUE, DUE) and (closed_from is None or slot.due < closed_from):
            items.append(AgendaItem("report", slot.due, slot.status))
    upcoming_reports = [s for s in report_slots if s.status == UPCOMING]
    if upcoming_reports and closed_from is None:
        items.append(AgendaItem("report", upcoming_reports[0].due, UPCOMING))
    visit = next_visit_due(released_on=released_on, last_visit=last_visit)
    # Visits are expected during the two years of follow-up, not for ever.
    if closed_from is None and visit <= add_months(released_on, VISITS_FOR_MONTHS):
        visit_status = (
            UPCOMING if today < visit else (DUE if today <= visit + dt.timedelta(days=14) else OVERDUE)
        )
        items.append(AgendaItem("visit", visit, visit_status))
    done = set(followups_done)
    for months, due in followup_due_dates(released_on).items():
        status = followup_status(due=due, today=today, done=months in done, closed_from=closed_from)
        if status in (DUE, OVERDUE, UPCOMING):
            items.append(AgendaItem("followup", due, status, months))
    return sorted(items, key=lambda item: (_RANK[item.status], item.due))


def urgency_key(items: list[AgendaItem]) -> tuple[int, dt.date]:
    """Sort key for a caseload: cases with overdue or missed items first, then due, then upcoming, each by
    the oldest date; cases with nothing open last."""
    if not items:
        return (9, dt.date.max)
    first = items[0]
    return (_RANK[first.status], first.due)


# --- Input checks -----------------------------------------------------------------------------------


def date_problems(*, on: dt.date | None, released_on: dt.date, today: dt.date) -> str | None:
    """A follow-up, visit, report or re-offence happens after the release and not in the future."""
    if on is None:
        return None
    if on < released_on:
        return str(DATE_BEFORE_RELEASE % {"date": long_date(released_on)})
    if on > today:
        return str(DATE_IN_FUTURE)
    return None


def income_problem(income: int | None) -> str | None:
    if income is None:
        return None
    if income < 0:
        return str(INCOME_NEGATIVE)
    if income > MAX_MONTHLY_INCOME:
        return str(INCOME_ABSURD)
    return None


def followup_problems(data: Mapping[str, Any], *, released_on: dt.date, today: dt.date) -> dict[str, str]:
    """Every problem of a follow-up at once, by field. Someone not contacted needs only the date."""
    problems: dict[str, str] = {}
    if data.get("milestone") not in MILESTONES:
        problems["milestone"] = str(MILESTONE_UNKNOWN)
    if message := date_problems(on=data.get("done_on"), released_on=released_on, today=today):
        problems["done_on"] = message
    if not data.get("contacted", True):
        return problems
    if not data.get("work_status"):
        problems["work_status"] = str(WORK_NEEDED)
    if not data.get("housing"):
        problems["housing"] = str(HOUSING_NEEDED)
    income = data.get("monthly_income")
    if income is None and data.get("work_status") in ("employed", "self_employed"):
        problems["monthly_income"] = str(INCOME_NEEDED)
    elif message := income_problem(income):
        problems["monthly_income"] = message
    since, done_on = data.get("business_since"), data.get("done_on")
    if since and done_on and since > done_on:
        problems["business_since"] = str(BUSINESS_SINCE_FUTURE)
    return problems


def aid_problems(
    *, value: int | None, funder: Any, given_on: dt.date | None, released_on: dt.date, today: dt.date
) -> dict[str, str]:
    problems: dict[str, str] = {}
    if value is None or value <= 0:
        problems["value"] = str(AID_VALUE_POSITIVE)
    if funder is None:
        problems["funder"] = str(AID_FUNDER_NEEDED)
    if message := date_problems(on=given_on, released_on=released_on, today=today):
        problems["given_on"] = message
    return problems


# --- Independence index ------------------------------------------------------------------------------

INDEX_RULESET = "kemandirian-2026.1"
# Points out of 100 per component (DESIGN.md: "Independence index").
DEFAULT_WEIGHTS: dict[str, int] = {
    "income": 25,  # has income from work or business
    "income_at_umk": 20,  # that income is at or above the regency's UMK
    "business_6_months": 15,  # a business running for 6 months or more
    "stable_housing": 15,  # own home, with family or rented
    "family_support": 10,
    "no_reoffence": 15,  # no re-offence recorded since the release, up to the follow-up
}
STABLE_HOUSING = ("own", "family", "rented")


@dataclass(frozen=True)
class IndexFacts:
    """What the index reads from the latest follow-up and the case."""

    contacted: bool
    on: dt.date
    work_status: str = ""
    monthly_income: int | None = None
    business_running: bool | None = None
    business_since: dt.date | None = None
    housing: str = ""
    family_support: bool | None = None
    reoffended: bool = False
    minimum_wage: int | None = None


@dataclass(frozen=True)
class IndexResult:
    """A score (None when not contacted), the points each component earned, the weights and the ruleset."""

    score: int | None
    components: dict[str, dict[str, Any]] = field(default_factory=dict)
    weights: dict[str, int] = field(default_factory=dict)
    ruleset_version: str = INDEX_RULESET


def weights_problems(weights: Mapping[str, int]) -> list[str]:
    """Weights name exactly the six components, are whole numbers of 0 or more, and add up to 100."""
    problems = []
    if set(weights) != set(DEFAULT_WEIGHTS):
        problems.append("components")
    if any(not isinstance(w, int) or w < 0 for w in weights.values()):
        problems.append("negative")
    if sum(weights.values()) != 100:
        problems.append("sum")
    return problems


def ruleset_version(weights: Mapping[str, int]) -> str:
    """The default weights are the ruleset itself; other weights add a short digest of themselves."""
    if dict(weights) == DEFAULT_WEIGHTS:
        return INDEX_RULESET
    digest = hashlib.sha256(json.dumps(dict(sorted(weights.items()))).encode()).hexdigest()[:8]
    return f"{INDEX_RULESET}+w{digest}"


def independence_index(facts: IndexFacts, weights: Mapping[str, int] | None = None) -> IndexResult:
    """The 0-100 independence score: each component met earns its full weight, and the score is their
    sum. A person who could not be contacted gets no score (None), never a zero."""
    weights = dict(weights or DEFAULT_WEIGHTS)
    if problems := weights_problems(weights):
        raise ValueError(f"invalid index weights: {', '.join(problems)}")
    version = ruleset_version(weights)
    if not facts.contacted:
        return IndexResult(None, {}, weights, version)
    income = facts.monthly_income or 0
    working = facts.work_status in ("employed", "self_employed")
    has_income = working and income > 0
    at_umk = has_income and facts.minimum_wage is not None and income >= facts.minimum_wage
    business = bool(
        facts.business_running
        and facts.business_since is not None
        and facts.business_since <= facts.on - relativedelta(months=6)
    )
    met = {
        "income": has_income,
        "income_at_umk": at_umk,
        "business_6_months": business,
        "stable_housing": facts.housing in STABLE_HOUSING,
        "family_support": bool(facts.family_support),
        "no_reoffence": not facts.reoffended,
    }
    components: dict[str, dict[str, Any]] = {
        name: {"met": met[name], "points": weights[name] if met[name] else 0} for name in weights
    }
    if has_income and facts.minimum_wage is None:
        components["income_at_umk"]["note"] = "umk_unknown"
    return IndexResult(sum(c["points"] for c in components.values()), components, weights, version)


COMPONENT_LABELS = {
    "income": _("Income from work or business"),
    "income_at_umk": _("Income at or above the UMK"),
    "business_6_months": _("Business running 6 months or more"),
    "stable_housing": _("Stable housing"),
    "family_support": _("Family support"),
    "no_reoffence": _("No re-offence"),
}

# Buckets of the score distribution (a program page shows how many latest scores fall in each).
SCORE_BANDS = ((0, 24), (25, 49), (50, 74), (75, 100))


def score_band(score: int) -> str:
    for low, high in SCORE_BANDS:
        if low <= score <= high:
            return f"{low}-{high}"
    raise ValueError(score)
