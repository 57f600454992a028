"""Recidivism for aggregate-only roles, masked over every follow-up window at once.

The dashboard lets the viewer choose the window (12, 24 or 60 months: `impact.domain.WINDOW_MONTHS`), and the
joint report shows the 12-month window of the same scope. Masked one window at a time, two windows can be
subtracted: the same count in two windows differs by people, and that difference is itself a count of
people the masking never saw. With the same participants in both windows (everyone released more than 24
months ago), the re-offended at 24 months minus the re-offended at 12 months is how many re-offended in
their second year; the counted at 12 minus the counted at 24 months (or the waiting at 24 minus the waiting
at 12) is how many were released between 12 and 24 months ago.

So for TJSL officers and monitors every window's cells are masked in one `core.suppression.masked` call:
- within a window, for the participants and the comparison group: counted = re-offended + did not; for the
  participants also released in the period = counted + waiting (the same total in every window), and
  counted = matched + unmatched (the matched give the difference its size);
- across windows: for each of those counts and each pair of windows, the larger = the smaller + their
  difference, the difference being a cell of its own (never shown, but hidden as a count of 1 to 4 is),
  so a small difference hides one of the two cells it comes from.
Counts that are not shown (the difference cells, the released total, the matched, those who did not
re-offend) are passed as `unseen`: the bound check of `core.suppression` takes them as unknown to the
viewer (a small one is still protected), and the count rule hiding one of them hides nothing on the page.
Everyone else reads the exact figures of the window asked for (`impact.selectors.recidivism_figures`).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Mapping
from itertools import combinations
from typing import Any

from sinergi.core.suppression import PRIMARY, Group, min_cell, suppress
from sinergi.impact import domain as impact_domain
from sinergi.impact import selectors as impact_selectors
from sinergi.reports import access

PARTICIPANTS = "participants"
COMPARISON = "comparison"
# The counts of each group that take part, per window; the first three are the group's own relation.
PARTICIPANT_COUNTS = ("n", "reoffended", "not", "waiting", "released", "matched", "unmatched")
COMPARISON_COUNTS = ("n", "reoffended", "not", "waiting")
# The counts no page shows (with the difference cells, keyed (group, count, "difference", first, second)):
# a page shows n and the re-offended (or the re-offended's mark), never those who did not re-offend.
UNSEEN = ("not", "released", "matched")


def figures_for(
    actor: Any, result_of: Callable[[int], impact_domain.RecidivismResult], *, months: int
) -> impact_selectors.RecidivismFigures:
    """The figures of window `months` as the actor may see them; `result_of(window)` computes a window's
    result (called for every window for aggregate-only roles, once otherwise)."""
    if not access.aggregates_only(actor):
        return impact_selectors.recidivism_figures(actor=actor, result=result_of(months))
    results = {window: result_of(window) for window in impact_domain.WINDOW_MONTHS}
    if months not in results:
        results[months] = result_of(months)
    return masked_windows(results)[months]


def cells_of(results: Mapping[int, impact_domain.RecidivismResult]) -> dict[Hashable, int]:
    """Every count of every window, keyed (group, count, window)."""
    counts: dict[Hashable, int] = {}
    for window, result in results.items():
        p, c = result.participants, result.comparison
        counts |= {
            (PARTICIPANTS, "n", window): p.n,
            (PARTICIPANTS, "reoffended", window): p.reoffended,
            (PARTICIPANTS, "not", window): p.n - p.reoffended,
            (PARTICIPANTS, "waiting", window): p.waiting,
            (PARTICIPANTS, "released", window): p.n + p.waiting,
            (PARTICIPANTS, "matched", window): c.matched_participants,
            (PARTICIPANTS, "unmatched", window): c.unmatched_participants,
            (COMPARISON, "n", window): c.comparison_n,
            (COMPARISON, "reoffended", window): c.reoffended,
            (COMPARISON, "not", window): c.comparison_n - c.reoffended,
            (COMPARISON, "waiting", window): result.comparison_waiting,
        }
    return counts


def groups_of(counts: dict[Hashable, int], windows: list[int]) -> list[Group]:
    """The additive relations among the cells (see the module notes); adds the difference cells to
    `counts`. A window's own relations follow each difference group again: the masking goes through the
    groups in order, and a cell hidden for a difference should hide its complement in its window before the
    next difference is looked at (else that difference, its total still shown, hides more than it needs)."""
    own: dict[int, list[Group]] = {}
    for window in windows:
        own[window] = [
            Group(parts=[(group, "reoffended", window), (group, "not", window)], total=(group, "n", window))
            for group in (PARTICIPANTS, COMPARISON)
        ] + [
            Group(
                parts=[(PARTICIPANTS, "n", window), (PARTICIPANTS, "waiting", window)],
                total=(PARTICIPANTS, "released", window),
                both_ways=True,
            ),
            Group(
                parts=[(PARTICIPANTS, "matched", window), (PARTICIPANTS, "unmatched", window)],
                total=(PARTICIPANTS, "n", window),
                both_ways=True,
            ),
        ]
    groups = [group for window in windows for group in own[window]]
    for first, second in combinations(sorted(windows), 2):
        for group, names in ((PARTICIPANTS, PARTICIPANT_COUNTS), (COMPARISON, COMPARISON_COUNTS)):
            for name in names:
                a, b = (group, name, first), (group, name, second)
                larger, smaller = (a, b) if counts[a] >= counts[b] else (b, a)
                difference = (group, name, "difference", first, second)
                counts[difference] = counts[larger] - counts[smaller]
                groups += [Group(parts=[smaller, difference], total=larger), *own[first], *own[second]]
    return groups


def masked_windows(
    results: Mapping[int, impact_domain.RecidivismResult],
) -> dict[int, impact_selectors.RecidivismFigures]:
    """Every window's figures as an aggregate-only viewer may see them, masked together."""
    floor = min_cell()
    counts = cells_of(results)
    groups = groups_of(counts, list(results))
    unseen = [
        key for key in counts if isinstance(key, tuple) and (key[1] in UNSEEN or key[2] == "difference")
    ]
    hidden = suppress(counts, groups, minimum=floor, unseen=unseen)

    def mark(key: Hashable) -> str:
        return f"<{floor}" if hidden.get(key) == PRIMARY else "×"

    def shown(key: Hashable) -> int | str:
        return mark(key) if key in hidden else counts[key]

    def figure(group: str, window: int, rate: Any, interval: Any) -> impact_selectors.GroupFigure:
        n, reoffended = (group, "n", window), (group, "reoffended", window)
        if n in hidden:
            return impact_selectors.GroupFigure(
                n=None, reoffended=None, rate=None, interval=None, suppressed=True
            )
        if reoffended in hidden or (group, "not", window) in hidden:
            return impact_selectors.GroupFigure(
                n=counts[n],
                reoffended=None,
                rate=None,
                interval=None,
                suppressed=False,
                reoffended_mark=mark(reoffended) if reoffended in hidden else "×",
            )
        return impact_selectors.GroupFigure(
            n=counts[n], reoffended=counts[reoffended], rate=rate, interval=interval, suppressed=False
        )

    figures: dict[int, impact_selectors.RecidivismFigures] = {}
    for window, result in results.items():
        p, c = result.participants, result.comparison
        participants = figure(PARTICIPANTS, window, p.rate, p.interval)
        comparison = figure(COMPARISON, window, c.rate, c.interval)
        difference_hidden = (
            participants.suppressed
            or bool(participants.reoffended_mark)
            or comparison.suppressed
            or bool(comparison.reoffended_mark)
            or (PARTICIPANTS, "matched", window) in hidden
        )
        figures[window] = impact_selectors.RecidivismFigures(
            result=result,
            participants=participants,
            comparison=comparison,
            waiting=shown((PARTICIPANTS, "waiting", window)),
            unmatched=shown((PARTICIPANTS, "unmatched", window)),
            comparison_waiting=shown((COMPARISON, "waiting", window)),
            difference=None if difference_hidden else result.difference,
            difference_interval=None if difference_hidden else result.difference_interval,
        )
    return figures
