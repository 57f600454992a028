"""Labels for stored codes the dashboards show (the codes stay in the data and the API)."""

from __future__ import annotations

from typing import Any

from django import template

from sinergi.beneficiaries.choices import CustodyStatus, IntegrationKind

register = template.Library()


def _release_labels() -> dict[str, Any]:
    return {CustodyStatus.RELEASED.value: CustodyStatus.RELEASED.label} | {
        kind.value: kind.label for kind in IntegrationKind
    }


@register.filter
def release_label(code: Any) -> str:
    """How an aftercare case's person left custody, in the page's language: "bebas" → "Bebas", "pb" →
    "Pembebasan bersyarat (PB)". An unknown code is shown as stored."""
    return str(_release_labels().get(str(code or ""), code or "–"))
