"""The independence index counted by band in the database (`selectors.band_counts`, behind
`index_distribution` and the dashboards' `drilldown.independence_rows`) equals the rule read row by row in
Python: each case's latest score (by date, then by id), banded by `domain.score_band`, none for not
contacted. Bounds of every band, several scores per case, ties on the date, and a day before the latest."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from sinergi.aftercare import domain, selectors
from sinergi.aftercare.models import FollowUp, IndexScore
from tests.aftercare.conftest import release_and_open

pytestmark = pytest.mark.django_db

DAY = dt.date(2022, 8, 3)


def _reference(scores: Any) -> dict[str, int]:
    latest: dict[int, IndexScore] = {}
    for score in scores.order_by("scored_on", "pk"):
        latest[score.case_id] = score  # the last by (date, id) wins
    counts = {f"{low}-{high}": 0 for low, high in domain.SCORE_BANDS} | {"not_contacted": 0}
    for score in latest.values():
        counts["not_contacted" if score.score is None else domain.score_band(score.score)] += 1
    return counts


def _score(case: Any, followup: Any, on: dt.date, score: int | None) -> IndexScore:
    return IndexScore.objects.create(
        case=case, followup=followup, milestone=3, scored_on=on, score=score, ruleset_version="uji"
    )


@pytest.mark.parametrize(
    "latest",
    [
        (0, 24, 25),
        (49, 50, 74),
        (75, 100, None),
        (None, None, 24),
        (100, 0, 50),
    ],
)
def test_band_counts_equal_the_rule_row_by_row(handover: dict[str, Any], latest: tuple[Any, ...]) -> None:
    cases = [release_and_open(handover, index) for index in range(3)]
    for case, last in zip(cases, latest, strict=True):
        followup = FollowUp.objects.create(case=case, milestone=3, done_on=DAY, contacted=last is not None)
        _score(case, followup, DAY - dt.timedelta(days=30), 10)  # older: never the one counted
        _score(case, followup, DAY, 90)  # the same day, a lower id: not the latest either
        _score(case, followup, DAY, last)
    expected = _reference(IndexScore.objects.all())
    assert selectors.index_distribution() == expected
    assert sum(expected.values()) == 3
    # The scores of one case only, and none at all.
    one = selectors.latest_scores().filter(case=cases[0])
    assert selectors.band_counts(one) == _reference(IndexScore.objects.filter(case=cases[0]))
    assert selectors.band_counts(IndexScore.objects.none()) == dict.fromkeys(expected, 0)
