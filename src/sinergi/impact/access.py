"""Who may do what in impact: role tuples and predicates shared by views, API, services and the menu.

Finance and value maps are edited (and read in detail) by administrators and by the Kanwil and TJSL officers
of an organisation that is a party to the program's agreement, its parent or its grandparent. Impact pages
(aggregates) are read by those roles and by monitors. TJSL officers and monitors see person counts under
MIN_CELL as "<5". Unit officers, Bapas officers and facilitators see no finance.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Exists, OuterRef, Q
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy

from sinergi.accounts.choices import Role
from sinergi.impact.domain import MIN_CELL, too_small
from sinergi.partnerships.models import AgreementParty

FINANCE_EDITORS = (Role.ADMIN, Role.KANWIL_OFFICER, Role.CSR_OFFICER)
FINANCE_READERS = FINANCE_EDITORS
IMPACT_READERS = (Role.ADMIN, Role.KANWIL_OFFICER, Role.CSR_OFFICER, Role.MONITOR)
AGGREGATES_ONLY = (Role.CSR_OFFICER, Role.MONITOR)


def _role(actor: Any) -> str:
    return str(getattr(actor, "role", "") or "")


def party_organisations(actor: Any) -> list[int] | None:
    """The organisations through which the actor reaches programs; None means all (administrators, system)."""
    if actor is None or _role(actor) == Role.ADMIN:
        return None
    if _role(actor) in (Role.KANWIL_OFFICER, Role.CSR_OFFICER) and getattr(actor, "organisation_id", None):
        return [actor.organisation_id]
    return []


def agreement_party_q(organisations: list[int], ref: str = "pk") -> Q:
    """A condition on agreements (through `ref`): one of the organisations is a party to it, its parent
    or its grandparent."""

    def party_of(path: str) -> Exists:
        return Exists(
            AgreementParty.objects.filter(agreement=OuterRef(path), organisation_id__in=organisations)
        )

    prefix = "" if ref == "pk" else f"{ref}__"
    first = "pk" if ref == "pk" else ref
    return Q(party_of(first)) | Q(party_of(f"{prefix}parent")) | Q(party_of(f"{prefix}parent__parent"))


def program_scope(actor: Any, *, for_reading: bool = True) -> Q | None:
    """Programs the actor reaches in impact: None means all, otherwise a condition on programs."""
    role = _role(actor)
    if actor is None or role == Role.ADMIN or (for_reading and role == Role.MONITOR):
        return None
    organisations = party_organisations(actor)
    if not organisations:
        return Q(pk__in=[])
    return agreement_party_q(organisations, "agreement")


def is_party(actor: Any, agreement: Any) -> bool:
    """True when the actor's organisation is a party to the agreement, its parent or its grandparent."""
    organisations = party_organisations(actor)
    if organisations is None:
        return True
    if not organisations:
        return False
    chain = [agreement.pk]
    if agreement.parent_id:
        chain.append(agreement.parent_id)
        parent = agreement.parent
        if parent is not None and parent.parent_id:
            chain.append(parent.parent_id)
    return AgreementParty.objects.filter(agreement_id__in=chain, organisation_id__in=organisations).exists()


def may_edit_agreement(actor: Any, agreement: Any) -> bool:
    return actor is None or (_role(actor) in FINANCE_EDITORS and is_party(actor, agreement))


def may_edit_program(actor: Any, program: Any) -> bool:
    """Edit budgets, expenditures, in-kind contributions, value maps, surveys and SDG tags of a program."""
    return may_edit_agreement(actor, program.agreement)


def may_read_finance(actor: Any, program: Any) -> bool:
    """Budget lines, expenditures with receipts and in-kind details: the same people as the editors."""
    return may_edit_program(actor, program)


def aggregates_only(actor: Any) -> bool:
    return _role(actor) in AGGREGATES_ONLY


def cell(actor: Any, count: int | None) -> int | str | None:
    """A person count as the actor may see it: "<5" for roles that see aggregates only."""
    if aggregates_only(actor) and too_small(count):
        return f"<{MIN_CELL}"
    return count


AS_OF_IN_FUTURE = gettext_lazy(
    "The as-of date %(value)s is later than today (%(today)s). Choose today or an earlier date."
)
AS_OF_NOT_QUARTER_END = gettext_lazy(
    "For your role the as-of date must be today or the last day of a quarter (31 March, 30 June, "
    "30 September or 31 December), not %(value)s. Choose one of those dates."
)
#: (month, day) of the quarters' last days: the as-of dates aggregate-only roles may choose besides today.
QUARTER_ENDS = ((3, 31), (6, 30), (9, 30), (12, 31))
#: Months in which a quarter starts (on the 1st): the value-map period starts aggregate-only roles may set.
QUARTER_START_MONTHS = (1, 4, 7, 10)
PERIOD_END_NOT_QUARTER_END = gettext_lazy(
    "For your role the end of the period must be the last day of a quarter (31 March, 30 June, 30 September "
    "or 31 December), not %(value)s. Choose one of those dates."
)
PERIOD_START_NOT_QUARTER_START = gettext_lazy(
    "For your role the start of the period must be the first day of a quarter (1 January, 1 April, 1 July "
    "or 1 October), not %(value)s. Choose one of those dates."
)


def is_quarter_end(day: dt.date) -> bool:
    return (day.month, day.day) in QUARTER_ENDS


def quarter_end_on_or_before(day: dt.date) -> dt.date:
    """The last quarter's last day on or before `day` (`day` itself when it is one)."""
    ends = [dt.date(day.year, month, last) for month, last in QUARTER_ENDS]
    return max([d for d in ends if d <= day] or [dt.date(day.year - 1, 12, 31)])


def quarter_end_on_or_after(day: dt.date) -> dt.date:
    """The last day of the quarter `day` falls in."""
    return min(
        dt.date(day.year, month, last)
        for month, last in QUARTER_ENDS
        if dt.date(day.year, month, last) >= day
    )


def quarter_start_on_or_before(day: dt.date) -> dt.date:
    """The first day of the quarter `day` falls in."""
    return dt.date(day.year, max(m for m in QUARTER_START_MONTHS if m <= day.month), 1)


def aggregate_as_of(end: dt.date, *, today: dt.date) -> dt.date:
    """The day an aggregate-only role's cumulative figures count up to, for a period (report, value map)
    ending on `end`: today when it runs to today or later, else the last quarter end on or before `end`. So
    two periods whose ends fall in the same quarter give the same figures (`reports.joint.wide_as_of`)."""
    return today if end >= today else quarter_end_on_or_before(end)


def period_problems(
    actor: Any, *, start: dt.date | None = None, end: dt.date | None = None
) -> dict[str, str]:
    """What is wrong, for the actor, with a value map's period they set: aggregate-only roles (TJSL officers)
    start it on a quarter's first day and end it on a quarter's last day, so that the live figures of two
    maps ending a day apart cannot be subtracted to count one person. Other roles choose any days."""
    if not aggregates_only(actor):
        return {}
    problems: dict[str, str] = {}
    if start is not None and (start.day != 1 or start.month not in QUARTER_START_MONTHS):
        problems["period_start"] = str(
            PERIOD_START_NOT_QUARTER_START % {"value": date_format(start, "j F Y")}
        )
    if end is not None and not is_quarter_end(end):
        problems["period_end"] = str(PERIOD_END_NOT_QUARTER_END % {"value": date_format(end, "j F Y")})
    return problems


def as_of_problems(actor: Any, as_of: dt.date, *, today: dt.date) -> list[str]:
    """What is wrong with an as-of date someone asks a figure for. Nobody gets a future date: a planned
    release date would count as a release and tell when someone still in custody is due out. Roles that
    see aggregates only get today or a quarter's last day, so that figures of one day and the next cannot
    be subtracted to follow one person (a window closing, a release)."""
    shown = {"value": date_format(as_of, "j F Y"), "today": date_format(today, "j F Y")}
    if as_of > today:
        return [str(AS_OF_IN_FUTURE % shown)]
    if aggregates_only(actor) and as_of != today and not is_quarter_end(as_of):
        return [str(AS_OF_NOT_QUARTER_END % shown)]
    return []
