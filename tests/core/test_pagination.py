"""CappedPaginator counts at most `cap` rows and says when there are more."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from sinergi.accounts.models import Organisation
from sinergi.core.pagination import DEFAULT_CAP, CappedPaginator, window_cap
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


def test_a_page_counts_a_window_of_pages_ahead_of_it_never_more_than_the_cap() -> None:
    assert window_cap(None, 25) == window_cap("x", 25) == window_cap("0", 25) == 11 * 25
    assert window_cap("40", 25) == 50 * 25
    assert window_cap("9999", 25) == DEFAULT_CAP


def test_a_windowed_count_offers_the_next_page_and_asks_to_narrow_only_at_the_limit() -> None:
    rows = list(range(100))
    first = CappedPaginator(rows, 5, cap=window_cap(1, 5, window=2, cap=50), limit=50).get_page(1)
    assert first.paginator.capped and not first.paginator.narrow and first.has_next()
    assert first.paginator.num_pages == 3
    last = CappedPaginator(rows, 5, cap=window_cap(9, 5, window=2, cap=50), limit=50).get_page(9)
    assert last.paginator.cap == 50 and last.paginator.narrow and last.number == 9
    exact = CappedPaginator(rows, 5, cap=window_cap(19, 5, window=2, cap=200), limit=200).get_page(19)
    assert not exact.paginator.capped and exact.paginator.num_pages == 20
    assert CappedPaginator(rows, 5, cap=10).narrow  # without a window the cap is the limit


def test_a_windowed_page_says_more_than_and_offers_the_next_page(rf: Any) -> None:
    """A capped count below the limit is "page n of more than m" with a next page, not "narrow the search"."""
    from django.template.loader import render_to_string
    from django.utils import translation

    request = rf.get("/wbp/")
    page = CappedPaginator(list(range(100)), 5, cap=window_cap(1, 5, window=2), limit=50).get_page(1)
    at_limit = CappedPaginator(list(range(100)), 5, cap=50, limit=50).get_page(10)
    with translation.override("en"):
        html = render_to_string("includes/pagination.html", {"page_obj": page}, request=request)
        narrow = render_to_string("includes/pagination.html", {"page_obj": at_limit}, request=request)
    assert "Page 1 of more than 3<" in html and "narrow" not in html and "?page=2" in html
    assert "narrow the search" in narrow
