"""Pagination whose count stays cheap on large tables: count at most `cap` rows.

Django's `Paginator` counts every matching row on every page (`SELECT COUNT(*)` over the whole registry at
national scale costs more than the page itself). `CappedPaginator` counts with
`SELECT COUNT(*) FROM (... LIMIT cap + 1)`, so the count reads at most `cap + 1` rows; past the cap, the
page says "more than". Every page up to the cap is reachable as before.

A list page counts only a window ahead of the page asked for (`window_cap`): page 1 counts up to 11 pages'
rows, page 40 up to 50 pages', never more than `DEFAULT_CAP`. Counting 10,001 rows for page 1 of a list
nobody reads to its end was most of the count's cost (a Kanwil's 12,000 people, a search matching the whole
registry). Below `limit` (the absolute cap) a capped page says "page n of more than m" and offers the next
page; at `limit` it asks the viewer to narrow the search (`narrow`).
"""

from __future__ import annotations

from functools import cached_property
from typing import Any

from django.core.paginator import Paginator

DEFAULT_CAP = 10_000
WINDOW_PAGES = 10


def window_cap(number: Any, per_page: int, *, window: int = WINDOW_PAGES, cap: int = DEFAULT_CAP) -> int:
    """The rows a page's count needs: those of page `number` (as given in the URL; 1 when not a number) and
    of the `window` pages after it, at most `cap`."""
    try:
        page = max(1, int(number))
    except (TypeError, ValueError):
        page = 1
    return min(cap, (page + window) * per_page)


class CappedPaginator(Paginator):
    """A `Paginator` that counts at most `cap` rows; `capped` says whether there are more. `limit` is the
    most a list ever counts (`cap` unless a window, `window_cap`, counts less): at it, `narrow` is true."""

    def __init__(
        self,
        object_list: Any,
        per_page: int,
        *,
        cap: int = DEFAULT_CAP,
        limit: int | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(object_list, per_page, **kwargs)
        self.cap = cap
        self.limit = cap if limit is None else max(limit, cap)

    @cached_property
    def _limited_count(self) -> int:
        rows = self.object_list
        if hasattr(rows, "order_by"):
            return int(rows.order_by()[: self.cap + 1].count())
        return len(rows[: self.cap + 1])

    @cached_property
    def count(self) -> int:
        return min(self._limited_count, self.cap)

    @property
    def capped(self) -> bool:
        """True when more rows match than were counted (the page shows "more than")."""
        return self._limited_count > self.cap

    @property
    def narrow(self) -> bool:
        """True when more rows match than any page counts: the viewer narrows the search to see the rest."""
        return self.capped and self.cap >= self.limit
