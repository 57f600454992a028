"""CappedPaginator counts at most `cap` rows and says when there are more."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from sinergi.accounts.models import Organisation
from sinergi.core.pagination import CappedPaginator
from tests.factories import UnitFactory


@pytest.mark.django_db
def test_the_count_stops_at_the_cap_and_says_there_are_more() -> None:
    for i in range(7):
        UnitFactory(name=f"Lapas Hitung {i}")
    rows = Organisation.objects.filter(name__startswith="Lapas Hitung").order_by("name", "pk")
    capped = CappedPaginator(rows, 2, cap=5)
    with CaptureQueriesContext(connection) as captured:
        assert capped.count == 5 and capped.capped and capped.num_pages == 3
    assert len(captured.captured_queries) == 1 and "LIMIT 6" in captured.captured_queries[0]["sql"]
    assert [o.name for o in capped.get_page(3).object_list] == ["Lapas Hitung 4"]  # the rows up to the cap
    exact = CappedPaginator(rows, 2, cap=7)
    assert exact.count == 7 and not exact.capped and exact.num_pages == 4


def test_a_list_is_counted_the_same_way() -> None:
    assert CappedPaginator(list(range(12)), 5, cap=10).capped
    assert not CappedPaginator(list(range(10)), 5, cap=10).capped
