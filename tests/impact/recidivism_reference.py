"""The recidivism figures as `impact.selectors.recidivism` computed them before they moved into SQL: every
released episode and every later episode loaded into Python. Kept as the reference the SQL version is
compared with (tests/impact/test_recidivism_sql.py); not used by the application."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.db.models import F, Min, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce

from sinergi.impact import domain
from sinergi.impact.selectors import (
    _EPISODE_FIELDS,
    LEAVE_KINDS,
    PARTICIPANT_STAGES,
    _eligible,
    _first_per_person,
    _recorded_reoffences,
    _released_people,
    _rule_checks,
)
from sinergi.programs.models import Enrollment, Program


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
