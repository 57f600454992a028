"""Template filters for Indonesian formats: dates ("9 Juni 2021"), money ("Rp 1.234.567"), masked NIK."""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django import template
from django.utils import formats, timezone
from django.utils.html import format_html_join
from django.utils.safestring import mark_safe

register = template.Library()


@register.filter
def tanggal(value: Any) -> str:
    """A date in the active language's long form: "9 Juni 2021" (id) or "9 June 2021" (en)."""
    if value in (None, ""):
        return "–"
    if isinstance(value, dt.datetime):
        value = timezone.localtime(value) if timezone.is_aware(value) else value
        return formats.date_format(value, "DATETIME_FORMAT")
    return formats.date_format(value, "DATE_FORMAT")


@register.filter
def rupiah(value: Any) -> str:
    """Money in rupiah with dots between thousands: "Rp 1.234.567"; never through a float."""
    if value in (None, ""):
        return "–"
    amount = Decimal(str(value)).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    sign = "-" if amount < 0 else ""
    grouped = f"{abs(int(amount)):,}".replace(",", ".")
    return f"{sign}Rp {grouped}"


@register.filter
def angka(value: Any) -> str:
    """An integer with Indonesian thousands separators: 83.762."""
    if value in (None, ""):
        return "–"
    return f"{int(value):,}".replace(",", ".")


@register.filter
def mask_nik(value: Any) -> str:
    """Show only the last four digits of a NIK: ************1234."""
    text = str(value or "")
    if not text:
        return "–"
    return "*" * max(len(text) - 4, 0) + text[-4:]


@register.filter
def get_item(mapping: Any, key: Any) -> Any:
    """Look a key up in a dict from a template: {{ progress|get_item:enrollment.pk }}."""
    if not mapping:
        return None
    return mapping.get(key)


@register.simple_tag
def select_options(choices: Any, selected: Any = "") -> str:
    """`<option>` elements for (value, label) pairs, the one equal to `selected` (compared as text) selected.
    Pairs with an empty value are skipped (the template writes its own "All" option).

    A filter's dropdown of every unit or organisation has hundreds of entries; rendered by a template loop
    it cost more than the rest of the page, here it is one join."""
    chosen = "" if selected is None else str(selected)
    return format_html_join(
        "",
        '<option value="{}"{}>{}</option>',
        (
            (value, mark_safe(" selected") if str(value) == chosen else "", label)  # noqa: S308 (constant)
            for value, label in choices
            if value not in ("", None)
        ),
    )
