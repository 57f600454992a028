"""Shared pieces of the JSON API: bounded paging for every list."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TypeVar

from django.db.models import QuerySet
from ninja import Field, Schema

T = TypeVar("T")

MAX_PAGE_SIZE = 200
MAX_OFFSET = 10_000_000
# Largest primary key a filter accepts (a 64-bit signed integer); anything larger is refused with 400.
MAX_ID = 2**63 - 1


class PageParams(Schema):
    """`limit` (1 to 200, default 50) and `offset` (0 or more); out-of-range values are refused with 400."""

    limit: int = Field(50, ge=1, le=MAX_PAGE_SIZE)
    offset: int = Field(0, ge=0, le=MAX_OFFSET)


def page_of(rows: QuerySet[Any] | Sequence[T], params: PageParams) -> list[Any]:
    """One page of a list, as the API returns it (a JSON array)."""
    return list(rows[params.offset : params.offset + params.limit])
