"""Shared pieces of the JSON API: bounded paging for every list, bounded ids and years for filters."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, Any, TypeVar

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from ninja import Field, Schema

from sinergi.core.params import MAX_ID, MAX_OFFSET, MAX_YEAR, MIN_YEAR

T = TypeVar("T")

MAX_PAGE_SIZE = 200

# Use these for query parameters and JSON fields: a value out of range is refused with 400 before any query.
Id = Annotated[int, Field(ge=1, le=MAX_ID)]
Year = Annotated[int, Field(ge=MIN_YEAR, le=MAX_YEAR)]
Offset = Annotated[int, Field(ge=0, le=MAX_OFFSET)]


class PageParams(Schema):
    """`limit` (1 to 200, default 50) and `offset` (0 to ten million); out of range is refused with 400.

    List filters inherit from it (`class PersonFilters(PageParams)`), then `page_of(rows, filters)`.
    """

    limit: int = Field(50, ge=1, le=MAX_PAGE_SIZE)
    offset: int = Field(0, ge=0, le=MAX_OFFSET)


def page_of(rows: QuerySet[Any] | Sequence[T], params: PageParams) -> list[Any]:
    """One page of a list, as the API returns it (a JSON array)."""
    return list(rows[params.offset : params.offset + params.limit])


def _field(location: Sequence[Any]) -> str:
    parts = [str(p) for p in location if p not in ("query", "body", "path", "payload", "filters", "page")]
    return ".".join(parts) or "request"


def validation_detail(errors: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """Pydantic's validation errors as {"field", "message"} in the user's language (Indonesian by default)."""
    detail = []
    for error in errors:
        kind = str(error.get("type", ""))
        context = error.get("ctx") or {}
        field = _field(error.get("loc", ()))
        if kind in ("greater_than_equal", "greater_than"):
            message = _("Must be at least %(limit)s.") % {"limit": context.get("ge", context.get("gt"))}
        elif kind in ("less_than_equal", "less_than"):
            message = _("Must be at most %(limit)s.") % {"limit": context.get("le", context.get("lt"))}
        elif kind in ("int_parsing", "int_type", "int_from_float"):
            message = _("Must be a whole number.")
        elif kind.startswith("date_"):
            message = _("Must be a date written as YYYY-MM-DD.")
        elif kind == "missing":
            message = _("This field is required.")
        elif kind in ("string_too_long",):
            message = _("At most %(limit)s characters.") % {"limit": context.get("max_length")}
        else:
            message = _("This value is not valid.")
        detail.append({"field": field, "message": str(message), "type": kind})
    return detail
