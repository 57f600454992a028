"""Small-cell suppression for roles that see aggregates only: one rule, used by every table and figure.

A count of 1 to MIN_CELL − 1 people is hidden ("<5": primary suppression). Hiding it is not enough when a
shown total and the other shown parts give it back by subtraction, so in every additive group (a total and
the parts that sum to it) more parts are hidden (secondary suppression, "×") until the hidden parts are at
least two and together at least MIN_CELL, or the total is hidden as well. Zero is shown: it identifies
nobody.

The marks say something too: a "<5" is 1 to MIN_CELL − 1 and a "×" at least MIN_CELL. So every call then
checks, over all its groups at once, that each small cell keeps two possible values given the shown counts
and the marks' ranges (`_Bounds`), and hides more until it does (docs/security.md, "What the marks say").
"""

from __future__ import annotations

import math
from collections.abc import Collection, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings

PRIMARY = "primary"
SECONDARY = "secondary"


def min_cell() -> int:
    return int(getattr(settings, "SINERGI_MIN_CELL", 5))


def too_small(count: int | None, minimum: int | None = None) -> bool:
    """A count of 1 to minimum − 1 people (the primary rule)."""
    floor = min_cell() if minimum is None else minimum
    return count is not None and 0 < count < floor


def shown(count: int | None, minimum: int | None = None) -> int | str | None:
    """One count on its own: "<5" when too small, else the count."""
    floor = min_cell() if minimum is None else minimum
    return f"<{floor}" if too_small(count, floor) else count


@dataclass(frozen=True)
class Group:
    """An additive relation among cells: `total` (a key, or None when no total is shown) = sum of `parts`.

    `both_ways`: the total may be hidden while its parts are shown (a subtotal hidden for another group's
    sake), so a hidden total also needs one of its parts hidden, or the parts give it back by addition.
    """

    parts: Sequence[Hashable]
    total: Hashable | None = None
    both_ways: bool = False


class Unresolvable(Exception):
    """`suppress` with `given` cells: a hidden cell can be protected only by hiding a cell given as shown.

    `cells`: the group's cells that were hidden here and not given, with why ("primary" or "secondary"). A
    secondary one can be worked out from cells given as shown, so hiding it protects nothing: the caller may
    give it as shown and try again (`reports.dashboards.reach_masked`)."""

    def __init__(self, cells: dict[Hashable, str]) -> None:
        super().__init__(cells)
        self.cells = cells


def suppress(
    counts: Mapping[Any, int],
    groups: Iterable[Group] = (),
    *,
    minimum: int | None = None,
    given: Mapping[Hashable, bool] | None = None,
    unseen: Collection[Hashable] = (),
) -> dict[Hashable, str]:
    """Which cells to hide and why: {key: "primary" | "secondary"} for the hidden ones only.

    `given`: cells already decided by another table masked on its own, {key: hidden}: those given hidden
    start hidden, those given shown are never hidden. Raises `Unresolvable` when a hidden cell could only be
    kept hidden by hiding one given as shown (the caller then hides more of its own cells). Without
    `given`, when the marks alone would still give a small cell back once every cell that can be hidden
    is, every cell but the zeros is hidden as "×" (the marks then tell only which cells are not zero).
    `unseen`: cells no page shows (a gap between nested steps, a difference between two windows): the
    viewer knows of them only the relations they take part in, so the bound check takes them as unknown
    (a small one is still protected); without it, every cell counts as shown or marked, which is safe but
    hides more."""
    floor = min_cell() if minimum is None else minimum
    given = given or {}
    hidden: dict[Hashable, str] = {
        key: PRIMARY for key, n in counts.items() if too_small(n, floor) and given.get(key) is not False
    }
    hidden |= {key: hidden.get(key, SECONDARY) for key, hide in given.items() if hide and key in counts}
    fixed = {key for key, hide in given.items() if not hide}
    groups = list(groups)
    bounds = _Bounds(counts, groups, floor, frozenset(unseen))
    while True:
        _by_counts(counts, groups, hidden, fixed, given, floor)
        exposed = bounds.exposed(hidden)
        if not exposed:
            return hidden
        cell = bounds.cover(exposed[0], hidden, fixed)
        if cell is not None:
            hidden[cell] = SECONDARY
        elif given:
            raise Unresolvable(bounds.decided_near(exposed[0], hidden, given))
        else:
            # Every cell that could be hidden is, and the marks still pin a small one (four "<5" under a
            # total of "<5": each is 1). Then every cell but the zeros reads "×", small ones included: the
            # marks say no more than that a cell is not zero.
            return {key: SECONDARY for key, n in counts.items() if n}


def _by_counts(
    counts: Mapping[Any, int],
    groups: Sequence[Group],
    hidden: dict[Hashable, str],
    fixed: set[Hashable],
    given: Mapping[Hashable, bool],
    floor: int,
) -> None:
    """The rule by counts, group by group: in a group with a shown total, at least two hidden parts that
    sum to at least `floor`, or the total hidden too; a hidden `both_ways` total, one hidden part."""
    changed = True
    while changed:  # hiding a cell in one group can expose another group: repeat until stable
        changed = False
        for group in groups:
            parts = [key for key in group.parts if key in counts]
            if group.both_ways and group.total in hidden and not any(key in hidden for key in parts):
                shown_parts = sorted(
                    (key for key in parts if counts[key] > 0 and key not in fixed), key=lambda k: counts[k]
                )
                if shown_parts:
                    hidden[shown_parts[0]] = SECONDARY
                    changed = True
                elif any(counts[key] > 0 for key in parts):
                    raise Unresolvable(_decided_here(group, hidden, given))
                continue
            # Without a shown total, the shown parts give nothing away by subtraction.
            if group.total is None or group.total in hidden:
                continue
            secret = [key for key in parts if key in hidden]
            if not secret:
                continue
            while secret and (len(secret) < 2 or sum(counts[k] for k in secret) < floor):
                candidates = sorted(
                    (key for key in parts if key not in hidden and key not in fixed and counts[key] > 0),
                    key=lambda k: counts[k],
                )
                if not candidates:
                    if counts.get(group.total, 0) > 0:
                        if group.total in fixed:
                            raise Unresolvable(_decided_here(group, hidden, given))
                        hidden[group.total] = SECONDARY
                        changed = True
                    break
                hidden[candidates[0]] = SECONDARY
                secret.append(candidates[0])
                changed = True


class _OutOfBudget(Exception):
    pass


# How many steps the search for a second possible value of one small cell may take before the cell is
# taken as given away (and more is hidden): the search is exponential at worst, the check must not be.
SEARCH_BUDGET = 2000
# Sweeps of the interval propagation; stopping early leaves intervals wider than the fixpoint, which only
# makes the search below prune less (every interval still holds every value consistent with the page).
SWEEPS = 60


class _Bounds:
    """What a viewer can work out about the hidden cells from what is shown, marks included.

    Each group with a total is an equation (total = sum of parts) that the viewer knows, read both ways.
    A shown cell is its count; a hidden one lies in what its mark says: "<5" is 1 to floor − 1, "×" at
    least floor (a smaller count would read "<5", and zero is shown). A cell in `unseen` (on no page: a gap
    between nested steps, an overlap) is known only through its equations; any other cell no page shows is
    treated as shown or marked: the viewer is credited with more than they have, never less.

    A small cell is safe when a second assignment of every hidden cell exists that fits all of that and
    gives it another value: `exposed` looks for one (moving the cell by one and repairing each equation in
    turn by moving another hidden cell by one, depth first), after narrowing each hidden cell's interval by
    propagation over the equations (a cell whose interval narrows to one value is given away without a
    search; the intervals alone can be wider than what all the equations together allow, so a wide one
    proves nothing). For equations whose matrix is totally unimodular (several breakdowns of one total; a
    two-way table with its margins) any other solution differs from the true one by a sum of ±1 steps that
    each fit, so the search misses no second value; elsewhere it may, and then more is hidden than needed.
    It is cut at `SEARCH_BUDGET` steps per cell: a cell whose second value is not found is taken as given
    away. So every "<5" left as such has a second possible value, found."""

    def __init__(
        self, counts: Mapping[Any, int], groups: Sequence[Group], floor: int, unseen: frozenset[Hashable]
    ) -> None:
        self.counts = counts
        self.floor = floor
        self.unseen = unseen
        self.equations: list[dict[Hashable, int]] = []
        for group in groups:
            if group.total is None or group.total not in counts:
                continue
            equation: dict[Hashable, int] = {group.total: -1}
            for key in group.parts:
                if key in counts:
                    equation[key] = equation.get(key, 0) + 1
            equation = {key: a for key, a in equation.items() if a}
            if len(equation) > 1:
                self.equations.append(equation)
        self.of: dict[Hashable, list[int]] = {}
        for index, equation in enumerate(self.equations):
            for key in equation:
                self.of.setdefault(key, []).append(index)
        self.safe: set[Hashable] = set()  # a second value found stays found as more cells are hidden

    def _mark(self, key: Hashable, hidden: Mapping[Hashable, str]) -> tuple[float, float]:
        n = self.counts[key]
        if key in self.unseen:
            return 0, math.inf
        if key not in hidden:
            return n, n
        if 0 < n < self.floor:
            return 1, self.floor - 1
        if n >= self.floor:
            return self.floor, math.inf
        return 0, math.inf  # a zero given hidden by another table

    def intervals(self, hidden: Mapping[Hashable, str]) -> dict[Hashable, tuple[float, float]]:
        """Each cell's interval after propagating the marks through the equations (to a fixpoint, or
        `SWEEPS` sweeps)."""
        bound = {key: self._mark(key, hidden) for key in self.counts}
        unknown = self.unknown(hidden)
        live = [index for index, equation in enumerate(self.equations) if any(k in unknown for k in equation)]
        for _sweep in range(SWEEPS):
            changed = False
            for index in live:
                equation = self.equations[index]
                lows = {k: a * (bound[k][0] if a > 0 else bound[k][1]) for k, a in equation.items()}
                highs = {k: a * (bound[k][1] if a > 0 else bound[k][0]) for k, a in equation.items()}
                low_inf = sum(1 for v in lows.values() if v == -math.inf)
                high_inf = sum(1 for v in highs.values() if v == math.inf)
                low_sum = sum(v for v in lows.values() if v != -math.inf)
                high_sum = sum(v for v in highs.values() if v != math.inf)
                for key, a in equation.items():
                    if key not in unknown:
                        continue
                    # a × key = −(the others): the others lie in [rest_low, rest_high]
                    own_low, own_high = lows[key], highs[key]
                    if low_inf - (own_low == -math.inf) > 0:
                        rest_low = -math.inf
                    else:
                        rest_low = low_sum - (own_low if own_low != -math.inf else 0)
                    if high_inf - (own_high == math.inf) > 0:
                        rest_high = math.inf
                    else:
                        rest_high = high_sum - (own_high if own_high != math.inf else 0)
                    first, second = -rest_high / a, -rest_low / a
                    low, high = min(first, second), max(first, second)
                    low = math.ceil(low) if low != -math.inf else low
                    high = math.floor(high) if high != math.inf else high
                    old = bound[key]
                    new = (max(old[0], low), min(old[1], high))
                    if new != old:
                        bound[key] = new
                        changed = True
            if not changed:
                break
        return bound

    def unknown(self, hidden: Mapping[Hashable, str]) -> set[Hashable]:
        return set(hidden) | {key for key in self.unseen if key in self.counts}

    def exposed(self, hidden: Mapping[Hashable, str]) -> list[Hashable]:
        """The small hidden cells without a second possible value found, smallest first."""
        small = [
            key for key in self.unknown(hidden) if 0 < self.counts[key] < self.floor and key not in self.safe
        ]
        if not small:
            return []
        bound = self.intervals(hidden)
        unknown = self.unknown(hidden)
        # Per equation, the cells the search may move (unknown, with room in their interval), fewest
        # equations first: computed once per check, not at every step.
        movable = [
            sorted(
                ((key, a) for key, a in equation.items() if key in unknown and bound[key][1] > bound[key][0]),
                key=lambda cell: len(self.of[cell[0]]),
            )
            for equation in self.equations
        ]
        found = []
        for key in sorted(small, key=lambda k: (self.counts[k], repr(k))):
            low, high = bound[key]
            if high > low and self._second_value(key, movable, bound):
                self.safe.add(key)
            else:
                found.append(key)
        return found

    def _second_value(
        self,
        key: Hashable,
        movable: Sequence[list[tuple[Hashable, int]]],
        bound: Mapping[Hashable, tuple[float, float]],
    ) -> bool:
        for step in (1, -1):
            n = self.counts[key] + step
            if not bound[key][0] <= n <= bound[key][1]:
                continue
            try:
                if self._search(key, step, movable, bound):
                    return True
            except _OutOfBudget:
                continue
        return False

    def _search(
        self,
        start: Hashable,
        step: int,
        movable: Sequence[list[tuple[Hashable, int]]],
        bound: Mapping[Hashable, tuple[float, float]],
    ) -> bool:
        moved: dict[Hashable, int] = {}
        off: dict[int, int] = {}  # equation → how far it is off balance
        spent = [0]

        def move(key: Hashable, by: int) -> None:
            moved[key] = moved.get(key, 0) + by
            for index in self.of.get(key, []):
                off[index] = off.get(index, 0) + self.equations[index][key] * by
                if not off[index]:
                    del off[index]

        def options(index: int) -> list[tuple[Hashable, int]]:
            r = off[index]
            found = []
            for key, a in movable[index]:
                if key in moved:
                    continue
                by = -1 if (a > 0) == (r > 0) else 1
                if bound[key][0] <= self.counts[key] + by <= bound[key][1]:
                    found.append((key, by))
            return found

        def search() -> bool:
            spent[0] += 1
            if spent[0] > SEARCH_BUDGET:
                raise _OutOfBudget
            if not off:
                return True
            # The equation off balance with the fewest cells to move (its options, computed for it alone).
            choices = options(min(off, key=lambda index: len(movable[index])))
            for key, by in choices:
                move(key, by)
                if search():
                    return True
                move(key, -by)
                del moved[key]
            return False

        move(start, step)
        return search()

    def cover(self, key: Hashable, hidden: Mapping[Hashable, str], fixed: set[Hashable]) -> Hashable | None:
        """The cell to hide next for the small cell `key`: the smallest shown one in an equation with it
        (a part before a total), else in an equation with a hidden cell reached from it; None if none."""
        unknown = self.unknown(hidden)
        seen = {key}
        frontier = [key]
        while frontier:
            candidates: dict[Hashable, tuple[int, int]] = {}
            reached: list[Hashable] = []
            for cell in frontier:
                for index in self.of.get(cell, []):
                    for other, a in self.equations[index].items():
                        if other in unknown:
                            if other not in seen:
                                seen.add(other)
                                reached.append(other)
                        elif other not in fixed and self.counts[other] > 0:
                            rank = (int(a < 0), self.counts[other])
                            candidates[other] = min(candidates.get(other, rank), rank)
            if candidates:
                return min(candidates, key=lambda k: (candidates[k], repr(k)))
            frontier = reached
        return None

    def decided_near(
        self, key: Hashable, hidden: Mapping[Hashable, str], given: Mapping[Hashable, bool]
    ) -> dict[Hashable, str]:
        cells = {key, *(other for index in self.of.get(key, []) for other in self.equations[index])}
        return {cell: hidden[cell] for cell in cells if cell in hidden and cell not in given}


def _decided_here(
    group: Group, hidden: dict[Hashable, str], given: Mapping[Hashable, bool]
) -> dict[Hashable, str]:
    return {key: hidden[key] for key in (*group.parts, group.total) if key in hidden and key not in given}


def masked(
    counts: Mapping[Any, int],
    groups: Iterable[Group] = (),
    *,
    minimum: int | None = None,
    given: Mapping[Hashable, bool] | None = None,
    unseen: Collection[Hashable] = (),
) -> dict[Hashable, int | str]:
    """The counts as shown: "<5" for a small cell, "×" for a cell hidden so a small one stays hidden
    (`given`, `unseen`: as `suppress`)."""
    floor = min_cell() if minimum is None else minimum
    hidden = suppress(counts, groups, minimum=floor, given=given, unseen=unseen)
    return {
        key: (f"<{floor}" if hidden.get(key) == PRIMARY else "×" if key in hidden else n)
        for key, n in counts.items()
    }


def nested_groups(
    counts: Mapping[Hashable, int | None], chain: Sequence[Hashable], *, tag: Hashable = "gap"
) -> tuple[dict[Hashable, int], list[Group]]:
    """A chain of nested counts (each a subset of the one before it: enrolled ⊇ completed ⊇ certified) as
    additive groups: the gap between two neighbours is a count of people too (`(tag, outer, inner)`, never
    shown), so outer = inner + gap, both ways. Masked with them, two shown neighbours never differ by 1 to
    MIN_CELL − 1. Cells missing from `counts` (or None) are skipped, their neighbours then paired."""
    present = [key for key in chain if counts.get(key) is not None]
    gaps: dict[Hashable, int] = {}
    groups: list[Group] = []
    for outer, inner in zip(present, present[1:], strict=False):
        gap = (tag, outer, inner)
        gaps[gap] = max(int(counts[outer] or 0) - int(counts[inner] or 0), 0)
        groups.append(Group(parts=[inner, gap], total=outer, both_ways=True))
    return gaps, groups


def masked_table(
    rows: Sequence[Mapping[str, Any]],
    columns: Sequence[str],
    *,
    minimum: int | None = None,
    nested: Sequence[str] = (),
) -> tuple[list[dict[str, Any]], dict[str, int | str]]:
    """A table of counts (one dict per row) with a total row per column, masked together.

    Returns the rows with their count columns masked, and the total row masked. Each column is an additive
    group (the total is the sum of the rows), so a hidden cell cannot be recovered from the column total.
    `nested`: columns of which each counts a subset of the one before (participants ⊇ completed ⊇
    certified): in every row, two shown neighbours never differ by a small count (`nested_groups`).
    """
    counts: dict[Hashable, int] = {}
    for index, row in enumerate(rows):
        for column in columns:
            counts[(index, column)] = int(row[column] or 0)
    for column in columns:
        counts[("total", column)] = sum(int(row[column] or 0) for row in rows)
    groups = [Group(parts=[(i, c) for i in range(len(rows))], total=("total", c)) for c in columns]
    unseen: list[Hashable] = []
    for index in [*range(len(rows)), "total"]:
        gaps, chained = nested_groups(counts, [(index, column) for column in nested], tag="gap")
        counts |= gaps
        unseen += gaps
        groups += chained
    for outer, inner in zip(nested, nested[1:], strict=False):  # the rows' gaps add up to the total's
        groups.append(
            Group(
                parts=[("gap", (i, outer), (i, inner)) for i in range(len(rows))],
                total=("gap", ("total", outer), ("total", inner)),
            )
        )
    shown_cells = masked(counts, groups, minimum=minimum, unseen=unseen)
    masked_rows = [
        dict(row) | {column: shown_cells[(index, column)] for column in columns}
        for index, row in enumerate(rows)
    ]
    return masked_rows, {column: shown_cells[("total", column)] for column in columns}


def masked_breakdowns(
    total: int, breakdowns: Mapping[str, Sequence[tuple[Any, Any, int]]], *, minimum: int | None = None
) -> dict[str, list[tuple[Any, Any, int | str]]]:
    """Breakdowns of one total (by sex, age band, unit…: rows of (key, label, count)) as shown.

    Each breakdown adds up to `total`, which is shown beside it, so complements are hidden within each.
    """
    counts: dict[Any, int] = {("total", ""): total}
    for name, rows in breakdowns.items():
        for key, _label, n in rows:
            counts[(name, key)] = n
    groups = [  # both ways: a total hidden for one breakdown's sake is not added back up by another
        Group(parts=[(name, key) for key, _l, _n in rows], total=("total", ""), both_ways=True)
        for name, rows in breakdowns.items()
    ]
    shown_cells = masked(counts, groups, minimum=minimum)
    return {
        name: [(key, label, shown_cells[(name, key)]) for key, label, _n in rows]
        for name, rows in breakdowns.items()
    }
