"""One date format on pages and in messages: "9 Juni 2021" (Indonesian) or "9 June 2021" (English).

ISO dates (2021-06-09) are for files and the API only.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import formats, timezone


def long_date(value: Any) -> str:
    """A date (or the date of a datetime, in local time) in the active language's long form."""
    if value in (None, ""):
        return "–"
    if isinstance(value, str):
        try:
            value = dt.date.fromisoformat(value[:10])
        except ValueError:
            return value
    if isinstance(value, dt.datetime):
        value = timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    return formats.date_format(value, "DATE_FORMAT")
