"""Pagination whose count stays cheap on large tables: count at most `cap` rows.

Django's `Paginator` counts every matching row on every page (`SELECT COUNT(*)` over the whole registry at
national scale costs more than the page itself). `CappedPaginator` counts with
`SELECT COUNT(*) FROM (... LIMIT cap + 1)`, so the count reads at most `cap + 1` rows; past the cap, the
page says "more than" and the viewer narrows the search. Every page up to the cap is reachable as before.
"""

from __future__ import annotations

from functools import cached_property
from typing import Any

from django.core.paginator import Paginator

DEFAULT_CAP = 10_000


class CappedPaginator(Paginator):
    """A `Paginator` that counts at most `cap` rows; `capped` says whether there are more."""

    def __init__(self, object_list: Any, per_page: int, *, cap: int = DEFAULT_CAP, **kwargs: Any) -> None:
        super().__init__(object_list, per_page, **kwargs)
        self.cap = cap

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
