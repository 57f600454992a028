"""The recidivism figures as `impact.selectors.recidivism` computed them before they moved into SQL: every
released episode and every later episode loaded into Python. Kept as the reference the SQL version is
compared with (tests/impact/test_recidivism_sql.py); not used by the application."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from django.db.models import F, Min, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce

from sinergi.impact import domain
from sinergi.impact.selectors import (
    COUNTED_REOFFENCES,
    LEAVE_KINDS,
    PARTICIPANT_STAGES,
    _aftercare,
    _eligible,
    _rule_checks,
    _sentence_months,
)
from sinergi.programs.models import Enrollment, Program


def _recorded_reoffences(person_ids: set[int]) -> dict[int, list[dt.date]]:
    """New convictions (and readmissions) recorded in aftercare, per person. Custody episodes are the primary
    source (a readmission is a later episode); aftercare's records add convictions without custody. A
    re-arrest alone does not count."""
    reoffence = _aftercare("Reoffence")
    if reoffence is None or not person_ids:
        return {}
    found: dict[int, list[dt.date]] = defaultdict(list)
    for person_id, on in reoffence.objects.filter(
        case__person_id__in=list(person_ids), kind__in=COUNTED_REOFFENCES
    ).values_list("case__person_id", "occurred_on"):
        found[person_id].append(on)
    return found


_EPISODE_FIELDS = (
    "pk",
    "person_id",
    "unit_id",
    "left_on",
    "sentence_years",
    "sentence_months",
    "sentence_days",
    "person__sex",
    "person__birth_date",
    "person__offence_category",
    "person__domicile_district_id",
    "person__risk_level",
)


def _released_people(
    rows: list[dict[str, Any]],
    readmissions: dict[int, list[tuple[dt.date, int]]],
    convictions: dict[int, list[dt.date]],
) -> list[domain.ReleasedPerson]:
    people = []
    for row in rows:
        released = row["left_on"]
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


def _first_per_person(rows: Any) -> list[dict[str, Any]]:
    first: dict[int, dict[str, Any]] = {}
    for row in rows:
        first.setdefault(row["person_id"], row)
    return list(first.values())


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
    are left out. Six or seven queries.
    """
    from sinergi.beneficiaries.models import CustodyEpisode, IntegrationEvent

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
    # Leaving the unit: the first parole, conditional leave or leave before release (the person becomes a
    # klien of the Bapas), otherwise the release date.
    leave = (
        IntegrationEvent.objects.filter(episode=OuterRef("pk"), kind__in=LEAVE_KINDS)
        .order_by("date")
        .values("date")[:1]
    )
    released = (
        CustodyEpisode.objects.annotate(left_on=Coalesce(Subquery(leave), F("release_date")))
        .filter(left_on__gte=start, left_on__lte=end, person__merged_into__isnull=True)
        .order_by("left_on", "pk")
    )
    participant_rows = _first_per_person(
        row
        for row in released.filter(person_id__in=list(joined)).values(*_EPISODE_FIELDS)
        if row["left_on"] >= joined[row["person_id"]]
    )
    units = {row["unit_id"] for row in participant_rows}
    rules = _rule_checks(programs)
    comparison_rows = [
        row
        for row in _first_per_person(
            released.filter(unit_id__in=units).exclude(person_id__in=list(joined)).values(*_EPISODE_FIELDS)
        )
        if _eligible(rules, row)
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
    return domain.recidivism(
        _released_people(participant_rows, readmissions, convictions),
        _released_people(comparison_rows, readmissions, convictions),
        start=start,
        end=end,
        as_of=as_of,
        months=months,
    )
