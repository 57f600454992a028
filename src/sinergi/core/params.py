"""Query parameters of pages, parsed in one place: whole numbers within bounds, ids and years.

A parameter that is present but not a number in range raises `BadParameter` (400). Pages show it through
`ApplicationErrorMiddleware` as the page-level message; the API has the same bounds in `core.api`.
Numbers are parsed from plain digits only: "1e23", "0x10", " 5 " or 30 digits are refused, never turned
into a float or an integer the database cannot hold.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from sinergi.core.errors import ApplicationError

# The largest primary key a 64-bit signed integer column holds; every id parameter is at most this.
MAX_ID = 2**63 - 1
# Years that make sense for agreements, programs, reports and filters (a year outside is a typo).
MIN_YEAR = 1945
MAX_YEAR = 2100
MAX_OFFSET = 10_000_000

_INTEGER = re.compile(r"-?[0-9]{1,19}")


class BadParameter(ApplicationError):
    """A query parameter outside what the page accepts (400)."""

    status = 400
    code = "bad_parameter"


def _source(source: HttpRequest | Mapping[str, Any]) -> Mapping[str, Any]:
    return source.GET if isinstance(source, HttpRequest) else source


def query_int(
    source: HttpRequest | Mapping[str, Any],
    name: str,
    *,
    minimum: int = 0,
    maximum: int = MAX_ID,
    default: int | None = None,
) -> int | None:
    """The parameter `name` as a whole number from `minimum` to `maximum`; `default` when absent or empty."""
    raw = _source(source).get(name)
    if raw is None or str(raw).strip() == "":
        return default
    text = str(raw).strip()
    value = int(text) if _INTEGER.fullmatch(text) else None
    if value is None or not minimum <= value <= maximum:
        raise BadParameter(
            _("The parameter “%(name)s” must be a whole number from %(minimum)s to %(maximum)s.")
            % {"name": name, "minimum": minimum, "maximum": maximum},
            detail={name: str(raw)[:40]},
        )
    return value


def query_id(source: HttpRequest | Mapping[str, Any], name: str) -> int | None:
    """An id parameter (1 or more, within a 64-bit key); None when absent."""
    return query_int(source, name, minimum=1, maximum=MAX_ID)


def query_year(source: HttpRequest | Mapping[str, Any], name: str = "year") -> int | None:
    """A year parameter (1945 to 2100); None when absent."""
    return query_int(source, name, minimum=MIN_YEAR, maximum=MAX_YEAR)


def query_offset(source: HttpRequest | Mapping[str, Any], name: str = "offset") -> int:
    """An offset into a list (0 to ten million); 0 when absent."""
    return query_int(source, name, minimum=0, maximum=MAX_OFFSET, default=0) or 0
