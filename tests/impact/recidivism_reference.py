"""The recidivism figures, and the people behind them, as `impact.selectors` computed them before they moved
into SQL: the day each episode left its unit worked out from its integration events (not the stored
`left_on`), every released episode and every later episode loaded into Python. Kept as the reference the
SQL version is compared with (tests/impact/test_recidivism_sql.py); not used by the application."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from django.db.models import F, Min, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce

from sinergi.impact import domain
from sinergi.impact.selectors import COUNTED_REOFFENCES, PARTICIPANT_STAGES, _eligible, _rule_checks
from sinergi.programs.models import Enrollment, Program

LEAVE_KINDS = ("pb", "cb", "cmb")

EPISODE_FIELDS = (
    "pk",
    "person_id",
    "unit_id",
    "left_at",
    "sentence_years",
    "sentence_months",
    "sentence_days",
    "person__sex",
    "person__birth_date",
    "person__offence_category",
    "person__domicile_district_id",
    "person__risk_level",
)


def left_at() -> Any:
    """The day an episode left its unit, from its integration events: the first PB, CB or CMB (the person
    becomes a klien of the Bapas), otherwise the release date."""
    from sinergi.beneficiaries.models import IntegrationEvent

    leave = (
        IntegrationEvent.objects.filter(episode=OuterRef("pk"), kind__in=LEAVE_KINDS)
        .order_by("date")
        .values("date")[:1]
    )
    return Coalesce(Subquery(leave), F("release_date"))


def _recorded_reoffences(person_ids: set[int]) -> dict[int, list[dt.date]]:
    from sinergi.aftercare.models import Reoffence

    found: dict[int, list[dt.date]] = defaultdict(list)
    for person_id, on in Reoffence.objects.filter(
        case__person_id__in=list(person_ids), kind__in=COUNTED_REOFFENCES
    ).values_list("case__person_id", "occurred_on"):
        found[person_id].append(on)
    return found


def _sentence_months(years: int, months: int, days: int) -> int | None:
    total = years * 12 + months
    return total if (total or days) else None


def _released_people(
    rows: list[dict[str, Any]],
    readmissions: dict[int, list[tuple[dt.date, int]]],
    convictions: dict[int, list[dt.date]],
) -> list[domain.ReleasedPerson]:
    people = []
    for row in rows:
        released = row["left_at"]
        later = [d for d, pk in readmissions.get(row["person_id"], []) if d > released and pk != row["pk"]]
        later += [d for d in convictions.get(row["person_id"], []) if d >= released]
        people.append(
            domain.ReleasedPerson(
                key=row["person_id"],
                released_on=released,
                reoffended_on=min(later) if later else None,
                sex=row["person__sex"] or None,
                birth_date=row["person__birth_date"],
                offence=row["person__offence_category"] or None,
                sentence_months=_sentence_months(
                    row["sentence_years"], row["sentence_months"], row["sentence_days"]
                ),
            )
        )
    return people


def _first_per_person(rows: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    first: dict[int, dict[str, Any]] = {}
    for row in rows:
        first.setdefault(row["person_id"], row)
    return list(first.values())


def _gathered(
    programs: QuerySet[Program], months: int, as_of: dt.date, start: dt.date | None, end: dt.date | None
) -> tuple[list[domain.ReleasedPerson], list[domain.ReleasedPerson], dt.date, dt.date]:
    from sinergi.beneficiaries.models import CustodyEpisode

    problems = domain.window_problems(months)
    if problems:
        raise ValueError(problems[0])
    if start is None:
        start = programs.aggregate(first=Min("start_date"))["first"] or as_of
    end = min(end, as_of) if end is not None else as_of
    joined = dict(
        Enrollment.objects.filter(cohort__program__in=programs, stage__in=PARTICIPANT_STAGES)
        .order_by()
        .values_list("person_id")
        .annotate(first=Min("cohort__start_date"))
    )
    released = (
        CustodyEpisode.objects.annotate(left_at=left_at())
        .filter(left_at__gte=start, left_at__lte=end, person__merged_into__isnull=True)
        .order_by("left_at", "pk")
    )
    participant_rows = _first_per_person(
        row
        for row in released.filter(person_id__in=list(joined)).values(*EPISODE_FIELDS)
        if row["left_at"] >= joined[row["person_id"]]
    )
    units = {row["unit_id"] for row in participant_rows}
    rules = _rule_checks(programs)
    comparison_rows = [
        row
        for row in _first_per_person(
            released.filter(unit_id__in=units).exclude(person_id__in=list(joined)).values(*EPISODE_FIELDS)
        )
        if _eligible(rules, row | {"left_on": row["left_at"]})
    ]
    person_ids = {row["person_id"] for row in participant_rows} | {
        row["person_id"] for row in comparison_rows
    }
    readmissions: dict[int, list[tuple[dt.date, int]]] = defaultdict(list)
    concerned = released.filter(Q(unit_id__in=units) | Q(person_id__in=list(joined))).values("person_id")
    for person_id, started, pk in CustodyEpisode.objects.filter(
        person_id__in=concerned, start_date__gt=start
    ).values_list("person_id", "start_date", "pk"):
        if started is not None:
            readmissions[person_id].append((started, pk))
    convictions = _recorded_reoffences(person_ids)
    return (
        _released_people(participant_rows, readmissions, convictions),
        _released_people(comparison_rows, readmissions, convictions),
        start,
        end,
    )


def recidivism_by_rows(
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
    """
    participants, comparison, start, end = _gathered(programs, months, as_of, start, end)
    return domain.recidivism(participants, comparison, start=start, end=end, as_of=as_of, months=months)


def recidivism_groups_by_rows(
    *,
    programs: QuerySet[Program],
    months: int,
    as_of: dt.date,
    start: dt.date | None = None,
    end: dt.date | None = None,
) -> domain.RecidivismGroups:
    """The people behind each count of `recidivism_by_rows`, from the same rows."""
    participants, comparison, start, end = _gathered(programs, months, as_of, start, end)
    return domain.recidivism_groups(
        participants, comparison, start=start, end=end, as_of=as_of, months=months
    )
