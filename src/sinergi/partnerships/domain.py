"""Agreement rules as plain functions: end dates, status from dates, expiry alerts and coverage."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol

from dateutil.relativedelta import relativedelta
from django.utils.translation import gettext as _

from sinergi.core.dates import long_date
from sinergi.partnerships.choices import AgreementStatus

EXPIRING_DAYS = 90
ALERT_THRESHOLDS = (90, 60, 30)


def end_from_duration(start: dt.date, *, years: int = 0, months: int = 0) -> dt.date:
    """The last day of an agreement that runs `years` and `months` from `start` (inclusive).

    A two-year MoU that starts on 9 June 2021 ends on 8 June 2023.
    """
    if years < 0 or months < 0 or (years == 0 and months == 0):
        raise ValueError("duration must be positive")
    return start + relativedelta(years=years, months=months) - dt.timedelta(days=1)


def days_left(end: dt.date, today: dt.date) -> int:
    """Days from today to the last day; 0 on the last day itself, negative once expired."""
    return (end - today).days


def agreement_status(
    *,
    today: dt.date,
    start: dt.date,
    end: dt.date,
    signed: bool = True,
    terminated_on: dt.date | None = None,
    renewed: bool = False,
) -> AgreementStatus:
    """The status implied by the dates.

    - terminated: a termination date has been reached;
    - draft: not yet signed, or the start date is still ahead;
    - renewed: a renewal exists and the agreement is in its last 90 days or over;
    - expired: the last day has passed;
    - expiring: 90 days or fewer left (the last day counts as 0 left);
    - active: otherwise.
    """
    if terminated_on is not None and today >= terminated_on:
        return AgreementStatus.TERMINATED
    if not signed or today < start:
        return AgreementStatus.DRAFT
    left = days_left(end, today)
    if renewed and left <= EXPIRING_DAYS:
        return AgreementStatus.RENEWED
    if left < 0:
        return AgreementStatus.EXPIRED
    if left <= EXPIRING_DAYS:
        return AgreementStatus.EXPIRING
    return AgreementStatus.ACTIVE


def alert_due(*, days: int, already_sent: set[int]) -> int | None:
    """The expiry warning to send now (90, 60 or 30), or None.

    Only the tightest threshold crossed is sent: an agreement first seen with 45 days left gets the 60-day
    warning, not the 90-day one as well. A threshold already sent is never sent again.
    """
    if days < 0:
        return None
    crossed = [t for t in ALERT_THRESHOLDS if days <= t]
    if not crossed:
        return None
    tightest = min(crossed)
    if tightest in already_sent or any(sent < tightest for sent in already_sent):
        return None
    return tightest


@dataclass(frozen=True)
class Coverage:
    """Whether an agreement covers a date and a district, with the reasons when it does not."""

    covered: bool
    reasons: tuple[str, ...] = field(default_factory=tuple)


def coverage(
    *,
    on: dt.date,
    start: dt.date,
    end: dt.date,
    terminated_on: dt.date | None,
    district_code: str | None,
    focus_districts: frozenset[str],
    number: str,
) -> Coverage:
    """Check one activity (a date, optionally a district) against an agreement's period and ring areas."""
    reasons: list[str] = []
    last_day = min(end, terminated_on - dt.timedelta(days=1)) if terminated_on else end
    if on < start:
        reasons.append(
            _("date %(date)s is before agreement %(number)s takes effect (%(start)s)")
            % {"date": long_date(on), "number": number, "start": long_date(start)}
        )
    elif on > last_day:
        reasons.append(
            _("date %(date)s is after agreement %(number)s ended (%(end)s)")
            % {"date": long_date(on), "number": number, "end": long_date(last_day)}
        )
    if district_code and focus_districts and district_code not in focus_districts:
        reasons.append(
            _("district %(district)s is outside the ring areas of agreement %(number)s")
            % {"district": district_code, "number": number}
        )
    return Coverage(covered=not reasons, reasons=tuple(reasons))


@dataclass(frozen=True)
class TimelineEntry:
    """One dated event in an agreement's life."""

    date: dt.date
    label: str
    kind: str
    future: bool


class AgreementLike(Protocol):
    """The fields the timeline reads (an Agreement, or any object with them)."""

    kind: str
    number: str
    start_date: dt.date
    end_date: dt.date

    def get_kind_display(self) -> str: ...


def timeline(
    *,
    agreement: AgreementLike,
    children: Sequence[AgreementLike],
    today: dt.date,
    programs: Sequence[tuple[dt.date, str]] = (),
) -> list[TimelineEntry]:
    """Signing, start, each agreement and program under it, termination and end, in date order."""
    entries: list[tuple[dt.date, str, str]] = []
    signed_on = getattr(agreement, "signed_on", None)
    if signed_on:
        place = getattr(agreement, "signed_place", "")
        label = _("Signed at %(place)s") % {"place": place} if place else _("Signed")
        entries.append((signed_on, label, "signed"))
    entries.append((agreement.start_date, _("Comes into force"), "start"))
    for child in children:
        label = _("%(kind)s %(number)s starts") % {"kind": child.get_kind_display(), "number": child.number}
        entries.append((child.start_date, label, str(child.kind)))
    for start, name in programs:
        entries.append((start, _("Program %(name)s starts") % {"name": name}, "program"))
    terminated_on = getattr(agreement, "terminated_on", None)
    if terminated_on:
        reason = getattr(agreement, "termination_reason", "")
        entries.append((terminated_on, _("Terminated: %(reason)s") % {"reason": reason}, "terminated"))
    entries.append((agreement.end_date, _("Last day in force"), "end"))
    entries.sort(key=lambda entry: entry[0])
    return [TimelineEntry(date=d, label=label, kind=kind, future=d > today) for d, label, kind in entries]
