"""Agreement rules without a database: end dates, status across its boundaries, alerts, coverage, timeline."""

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sinergi.partnerships.choices import AgreementStatus as S
from sinergi.partnerships.domain import agreement_status, alert_due, coverage, end_from_duration

START, END = dt.date(2021, 6, 9), dt.date(2023, 6, 8)


def test_a_two_year_mou_signed_on_9_june_2021_ends_on_8_june_2023() -> None:
    assert end_from_duration(START, years=2) == END
    assert end_from_duration(dt.date(2024, 1, 31), months=1) == dt.date(2024, 2, 28)


def test_a_duration_must_be_positive() -> None:
    with pytest.raises(ValueError):
        end_from_duration(START)


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        (START - dt.timedelta(days=1), S.DRAFT),
        (START, S.ACTIVE),
        (END - dt.timedelta(days=91), S.ACTIVE),
        (END - dt.timedelta(days=90), S.EXPIRING),
        (END, S.EXPIRING),
        (END + dt.timedelta(days=1), S.EXPIRED),
    ],
)
def test_status_follows_the_dates_across_each_boundary(today: dt.date, expected: S) -> None:
    assert agreement_status(today=today, start=START, end=END) == expected


def test_an_unsigned_agreement_is_a_draft() -> None:
    assert agreement_status(today=START, start=START, end=END, signed=False) == S.DRAFT


def test_termination_counts_from_its_date() -> None:
    on = dt.date(2022, 1, 1)
    assert (
        agreement_status(today=on - dt.timedelta(days=1), start=START, end=END, terminated_on=on) == S.ACTIVE
    )
    assert agreement_status(today=on, start=START, end=END, terminated_on=on) == S.TERMINATED


def test_a_renewed_agreement_stops_counting_as_expiring() -> None:
    assert agreement_status(today=END - dt.timedelta(days=91), start=START, end=END, renewed=True) == S.ACTIVE
    assert (
        agreement_status(today=END - dt.timedelta(days=30), start=START, end=END, renewed=True) == S.RENEWED
    )
    assert (
        agreement_status(today=END + dt.timedelta(days=300), start=START, end=END, renewed=True) == S.RENEWED
    )


@pytest.mark.parametrize(
    ("days", "sent", "due"),
    [
        (91, set(), None),
        (90, set(), 90),
        (75, {90}, None),
        (60, {90}, 60),
        (45, set(), 60),
        (30, {90, 60}, 30),
        (10, {30}, None),
        (0, set(), 30),
        (-1, set(), None),
    ],
)
def test_each_expiry_warning_is_due_once(days: int, sent: set[int], due: int | None) -> None:
    assert alert_due(days=days, already_sent=sent) == due


def test_coverage_flags_dates_outside_the_period_and_districts_outside_the_ring() -> None:
    ring = frozenset({"16.71.14", "16.07.01"})
    inside = coverage(
        on=dt.date(2022, 3, 1),
        start=START,
        end=END,
        terminated_on=None,
        district_code="16.71.14",
        focus_districts=ring,
        number="MOU-1",
    )
    assert inside.covered and inside.reasons == ()
    late = coverage(
        on=dt.date(2023, 6, 9),
        start=START,
        end=END,
        terminated_on=None,
        district_code="16.71.01",
        focus_districts=ring,
        number="MOU-1",
    )
    assert not late.covered and len(late.reasons) == 2
    cut = coverage(
        on=dt.date(2022, 3, 1),
        start=START,
        end=END,
        terminated_on=dt.date(2022, 3, 1),
        district_code=None,
        focus_districts=ring,
        number="MOU-1",
    )
    assert not cut.covered


@given(
    start=st.dates(min_value=dt.date(2015, 1, 1), max_value=dt.date(2030, 1, 1)),
    length=st.integers(min_value=0, max_value=2000),
    offset=st.integers(min_value=-400, max_value=2500),
)
def test_exactly_one_status_applies_and_expiring_means_90_days_or_fewer(
    start: dt.date, length: int, offset: int
) -> None:
    end = start + dt.timedelta(days=length)
    today = start + dt.timedelta(days=offset)
    status = agreement_status(today=today, start=start, end=end)
    if status == S.EXPIRING:
        assert 0 <= (end - today).days <= 90
    if status == S.ACTIVE:
        assert (end - today).days > 90 and today >= start


def test_coverage_reasons_give_dates_in_the_long_format_of_the_language() -> None:
    from django.utils import translation

    def reasons(on: dt.date) -> tuple[str, ...]:
        return coverage(
            on=on,
            start=START,
            end=END,
            terminated_on=None,
            district_code=None,
            focus_districts=frozenset(),
            number="MOU-1",
        ).reasons

    with translation.override("id"):
        (early,) = reasons(dt.date(2021, 6, 1))
        (late,) = reasons(dt.date(2023, 6, 9))
    assert "1 Juni 2021" in early and "9 Juni 2021" in early and "01-06-2021" not in early
    assert "9 Juni 2023" in late and "8 Juni 2023" in late
    with translation.override("en"):
        (early,) = reasons(dt.date(2021, 6, 1))
    assert "1 June 2021" in early and "9 June 2021" in early
