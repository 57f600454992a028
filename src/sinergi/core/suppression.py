"""Small-cell suppression for roles that see aggregates only: one rule, used by every table and figure.

A count of 1 to MIN_CELL − 1 people is hidden ("<5": primary suppression). Hiding it is not enough when a
shown total and the other shown parts give it back by subtraction, so in every additive group (a total and
the parts that sum to it) more parts are hidden (secondary suppression, "×") until the hidden parts are at
least two and together at least MIN_CELL, or the total is hidden as well. Zero is shown: it identifies
nobody.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping, Sequence
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
) -> dict[Hashable, str]:
    """Which cells to hide and why: {key: "primary" | "secondary"} for the hidden ones only.

    `given`: cells already decided by another table masked on its own, {key: hidden}: those given hidden
    start hidden, those given shown are never hidden. Raises `Unresolvable` when a hidden cell could only be
    kept hidden by hiding one given as shown (the caller then hides more of its own cells)."""
    floor = min_cell() if minimum is None else minimum
    given = given or {}
    hidden: dict[Hashable, str] = {
        key: PRIMARY for key, n in counts.items() if too_small(n, floor) and given.get(key) is not False
    }
    hidden |= {key: hidden.get(key, SECONDARY) for key, hide in given.items() if hide and key in counts}
    fixed = {key for key, hide in given.items() if not hide}
    groups = list(groups)
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
    return hidden


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
) -> dict[Hashable, int | str]:
    """The counts as shown: "<5" for a small cell, "×" for a cell hidden so a small one stays hidden
    (`given`: as `suppress`)."""
    floor = min_cell() if minimum is None else minimum
    hidden = suppress(counts, groups, minimum=floor, given=given)
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
    for index in [*range(len(rows)), "total"]:
        gaps, chained = nested_groups(counts, [(index, column) for column in nested], tag="gap")
        counts |= gaps
        groups += chained
    for outer, inner in zip(nested, nested[1:], strict=False):  # the rows' gaps add up to the total's
        groups.append(
            Group(
                parts=[("gap", (i, outer), (i, inner)) for i in range(len(rows))],
                total=("gap", ("total", outer), ("total", inner)),
            )
        )
    shown_cells = masked(counts, groups, minimum=minimum)
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
    groups = [
        Group(parts=[(name, key) for key, _l, _n in rows], total=("total", ""))
        for name, rows in breakdowns.items()
    ]
    shown_cells = masked(counts, groups, minimum=minimum)
    return {
        name: [(key, label, shown_cells[(name, key)]) for key, label, _n in rows]
        for name, rows in breakdowns.items()
    }
