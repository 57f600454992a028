"""Display filters for impact figures; they round only here, never in the rules."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django import template
from django.utils.formats import get_format

register = template.Library()


def _decimal_text(value: Decimal, places: int) -> str:
    quantum = Decimal(1).scaleb(-places)
    number = value.quantize(quantum, rounding=ROUND_HALF_UP)
    sign = "-" if number < 0 else ""
    whole, _dot, fraction = f"{abs(number):f}".partition(".")
    grouped = f"{int(whole):,}".replace(",", str(get_format("THOUSAND_SEPARATOR")))
    return sign + grouped + (str(get_format("DECIMAL_SEPARATOR")) + fraction if fraction else "")


@register.filter
def decimal(value: Any, places: int = 2) -> str:
    """A number with the language's separators: 1,49 (id) or 1.49 (en)."""
    if value in (None, ""):
        return "–"
    return _decimal_text(Decimal(str(value)), int(places))


@register.filter
def percent(value: Any, places: int = 1) -> str:
    """A percentage already in percent (89.5 → "89,5%")."""
    if value in (None, ""):
        return "–"
    return _decimal_text(Decimal(str(value)), int(places)) + "%"


@register.filter
def fraction_percent(value: Any, places: int = 1) -> str:
    """A fraction as a percentage (0.25 → "25,0%")."""
    if value in (None, ""):
        return "–"
    return _decimal_text(Decimal(str(value)) * 100, int(places)) + "%"


@register.filter
def months(value: Any) -> str:
    if value in (None, ""):
        return "–"
    return _decimal_text(Decimal(str(value)), 1)
