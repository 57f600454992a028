"""The retention cutoff is a domain rule (calendar years back, 29 February to 28 February)."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sinergi.beneficiaries.domain import retention_cutoff


@pytest.mark.parametrize(
    ("as_of", "years", "cutoff"),
    [
        (dt.date(2040, 1, 1), 10, dt.date(2030, 1, 1)),
        (dt.date(2034, 6, 30), 10, dt.date(2024, 6, 30)),
        # 29 February: the earlier year has none, so the cutoff is 28 February ...
        (dt.date(2036, 2, 29), 10, dt.date(2026, 2, 28)),
        (dt.date(2036, 2, 29), 1, dt.date(2035, 2, 28)),
        # ... unless the earlier year is a leap year too.
        (dt.date(2036, 2, 29), 4, dt.date(2032, 2, 29)),
        (dt.date(2036, 2, 29), 8, dt.date(2028, 2, 29)),
        (dt.date(2036, 3, 1), 10, dt.date(2026, 3, 1)),
        (dt.date(2040, 1, 1), 0, dt.date(2040, 1, 1)),
    ],
)
def test_the_cutoff_is_the_same_calendar_day_years_before(
    as_of: dt.date, years: int, cutoff: dt.date
) -> None:
    assert retention_cutoff(as_of, years) == cutoff


@given(st.dates(min_value=dt.date(1950, 1, 1), max_value=dt.date(2100, 12, 31)), st.integers(0, 40))
def test_the_cutoff_is_never_later_than_the_exact_anniversary(as_of: dt.date, years: int) -> None:
    cutoff = retention_cutoff(as_of, years)
    assert cutoff.year == as_of.year - years
    assert (cutoff.month, cutoff.day) == (as_of.month, as_of.day) or (as_of.month, as_of.day) == (2, 29)
    assert cutoff <= as_of
