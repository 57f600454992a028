"""Nested funnel steps give no small difference back (review finding, rfix 4).

Each funnel step was masked on its own: screened 40 and eligible 37 told an aggregate-only role that 3 were
not eligible; enrolled − completed and completed − certified likewise. The monitor's program table masked
each column on its own (participants 7, completed 6 → 1). Now the nested steps are masked together
(`reports.dashboards.funnel_masked`, `core.suppression.masked_table(nested=...)`): for aggregate-only roles
no two shown neighbours of a chain differ by 1 to 4, whatever the counts."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from sinergi.accounts.choices import Role
from sinergi.core.suppression import masked_table
from sinergi.reports.dashboards import FUNNEL_CHAINS, funnel_masked

SMALL = range(1, 5)


@st.composite
def funnels(draw: Any) -> dict[str, int | None]:
    """Counts that respect the nesting: each step at most the one before it in its chain."""
    screened = draw(st.integers(0, 60))
    eligible = draw(st.integers(0, screened))
    enrolled = draw(st.integers(0, 60))
    completed = draw(st.integers(0, enrolled))
    certified = draw(st.integers(0, completed))
    released = draw(st.integers(0, enrolled))
    followed_up = draw(st.integers(0, released))
    in_work = draw(st.integers(0, followed_up))
    counts: dict[str, int | None] = {
        "screened": screened,
        "eligible": eligible,
        "enrolled": enrolled,
        "completed": completed,
        "certified": certified,
        "released": released,
        "followed_up": followed_up,
        "in_work": in_work,
    }
    withheld = draw(st.sets(st.sampled_from(sorted(counts))))
    return {key: n for key, n in counts.items() if key not in withheld}


def _small_gaps(shown: dict[str, Any], chains: Any) -> list[tuple[str, str, int]]:
    found = []
    for chain in chains:
        present = [key for key in chain if key in shown]
        for outer, inner in zip(present, present[1:], strict=False):
            a, b = shown[outer], shown[inner]
            if isinstance(a, int) and isinstance(b, int) and a - b in SMALL:
                found.append((outer, inner, a - b))
    return found


@settings(max_examples=300, deadline=None)
@given(funnels(), st.sampled_from([Role.CSR_OFFICER, Role.MONITOR]))
def test_no_two_shown_nested_steps_differ_by_a_small_count(counts: dict[str, int | None], role: str) -> None:
    shown = funnel_masked(SimpleNamespace(role=role), counts)
    assert _small_gaps(shown, FUNNEL_CHAINS) == []
    for key, n in counts.items():  # a shown cell is the true count; a small one is never shown
        assert shown[key] in (n, "<5", "×")
        assert not (isinstance(shown[key], int) and shown[key] in SMALL)


def test_the_reviewers_example_hides_the_three_not_eligible() -> None:
    shown = funnel_masked(SimpleNamespace(role=Role.CSR_OFFICER), {"screened": 40, "eligible": 37})
    assert "×" in (shown["screened"], shown["eligible"])


def test_exact_roles_see_the_counts_as_they_are() -> None:
    counts: dict[str, int | None] = {"screened": 40, "eligible": 37, "enrolled": 3}
    assert funnel_masked(SimpleNamespace(role=Role.KANWIL_OFFICER), counts) == counts


@st.composite
def program_rows(draw: Any) -> list[dict[str, int]]:
    rows = []
    for _ in range(draw(st.integers(1, 6))):
        participants = draw(st.integers(0, 30))
        completed = draw(st.integers(0, participants))
        certified = draw(st.integers(0, completed))
        ended = draw(st.integers(completed, participants))
        rows.append(
            {"participants": participants, "completed": completed, "certified": certified, "ended": ended}
        )
    return rows


NESTED = ("participants", "completed", "certified")


@settings(max_examples=300, deadline=None)
@given(program_rows())
def test_no_program_table_row_gives_a_small_difference_back(rows: list[dict[str, int]]) -> None:
    table, totals = masked_table(rows, ("participants", "completed", "certified", "ended"), nested=NESTED)
    for row in [*table, totals]:
        assert _small_gaps(row, [NESTED]) == []
    # Each column still gives no hidden cell back from its total (the column groups hold as before).
    for column in ("participants", "completed", "certified"):
        cells = [row[column] for row in table]
        hidden = [rows[i][column] for i, cell in enumerate(cells) if not isinstance(cell, int)]
        if isinstance(totals[column], int) and hidden:
            assert len(hidden) >= 2 or sum(hidden) == 0 or sum(hidden) >= 5


def test_the_reviewers_program_row_hides_the_one_not_completed() -> None:
    rows = [
        {"participants": 7, "completed": 6, "certified": 6, "ended": 7},
        {"participants": 20, "completed": 10, "certified": 10, "ended": 20},
    ]
    table, _totals = masked_table(rows, ("participants", "completed", "certified", "ended"), nested=NESTED)
    assert "×" in (table[0]["participants"], table[0]["completed"])
