"""What a viewer can work out from a masked table: every assignment of the hidden cells that fits what is
shown (each mark's range, each shown count, every relation the viewer knows), by exhaustive search. For
tests of `core.suppression` on small tables only."""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from typing import Any

from sinergi.core.suppression import Group

Equation = dict[Hashable, int]  # Σ coefficient × cell = 0
STEPS = 200_000  # steps of the search per check (a few seconds at most)


def _equations(groups: Sequence[Group], cells: Mapping[Hashable, Any]) -> list[Equation]:
    found = []
    for group in groups:
        if group.total is None or group.total not in cells:
            continue
        equation: Equation = {group.total: -1}
        for key in group.parts:
            if key in cells:
                equation[key] = equation.get(key, 0) + 1
        found.append(equation)
    return found


def _domain(value: Any, cap: int) -> range:
    if value == "<5":
        return range(1, 5)
    if value == "×":
        return range(5, cap + 1)
    if value is None:  # a cell no page shows: anything
        return range(0, cap + 1)
    return range(value, value + 1)


class SearchTooLarge(Exception):
    """The exhaustive search went past its budget of steps (`possible_values`): the example is too large for
    this oracle, which is exponential in the number of hidden cells. A property test discards it."""


def possible_values(
    shown: Mapping[Hashable, Any],
    equations: Sequence[Equation],
    key: Hashable,
    *,
    cap: int,
    budget: list[int] | None = None,
) -> set[int]:
    """Every value `key` takes in some assignment of all cells that fits what is shown: each cell in its
    mark's range (a "×" up to `cap`, which only leaves out assignments, never adds one) and every equation.
    A depth-first search with the equations' ranges checked at each step. `budget`: steps left (shared by
    the calls of one check, decremented); SearchTooLarge when it runs out."""
    cells = sorted(shown, key=lambda k: (len(_domain(shown[k], cap)), repr(k)))
    domains = {k: _domain(shown[k], cap) for k in cells}
    steps = budget if budget is not None else [STEPS]

    def fits(assigned: dict[Hashable, int]) -> bool:
        steps[0] -= 1
        if steps[0] < 0:
            raise SearchTooLarge
        for equation in equations:
            low = high = 0
            for cell, a in equation.items():
                if cell in assigned:
                    low += a * assigned[cell]
                    high += a * assigned[cell]
                else:
                    d = domains[cell]
                    low += min(a * d[0], a * d[-1])
                    high += max(a * d[0], a * d[-1])
            if not low <= 0 <= high:
                return False
        return True

    def solvable(assigned: dict[Hashable, int], rest: list[Hashable]) -> bool:
        if not fits(assigned):
            return False
        if not rest:
            return True
        cell, *others = rest
        for value in domains[cell]:
            assigned[cell] = value
            if solvable(assigned, others):
                del assigned[cell]
                return True
            del assigned[cell]
        return False

    others = [cell for cell in cells if cell != key]
    return {value for value in domains[key] if solvable({key: value}, others)}


def assert_every_small_mark_has_two_values(
    counts: Mapping[Hashable, int],
    shown: Mapping[Hashable, Any],
    groups: Sequence[Group],
    *,
    unseen: Sequence[Hashable] = (),
) -> None:
    if any(value == "×" and counts[key] < 5 for key, value in shown.items()):
        # The last resort (`core.suppression.suppress`): every cell but the zeros reads "×".
        assert all(value == "×" for key, value in shown.items() if counts[key]), shown
        return
    view: dict[Hashable, Any] = dict(shown) | dict.fromkeys(unseen)
    equations = _equations(groups, view)
    cap = 2 * max(counts.values()) + 10
    budget = [STEPS]
    try:
        _check_marks(counts, shown, view, equations, cap, budget)
    except SearchTooLarge:
        # Too large for the exhaustive oracle (a few random examples are; searching them took minutes and
        # once stalled CI): a property test discards the example, any other test fails.
        import hypothesis

        if hypothesis.currently_in_test_context():
            hypothesis.reject()
        raise


def _check_marks(
    counts: Mapping[Hashable, int],
    shown: Mapping[Hashable, Any],
    view: Mapping[Hashable, Any],
    equations: Sequence[Equation],
    cap: int,
    budget: list[int],
) -> None:
    for key, value in shown.items():
        assert value in (counts[key], "<5", "×"), (key, value)
        if value == "×":
            assert counts[key] >= 5, key
        if value == "<5":
            assert 0 < counts[key] < 5, key
            values = possible_values(view, equations, key, cap=cap, budget=budget)
            assert counts[key] in values and len(values) >= 2, (key, values, shown)
        elif 0 < counts[key] < 5:
            raise AssertionError(f"small cell {key!r} shown")
