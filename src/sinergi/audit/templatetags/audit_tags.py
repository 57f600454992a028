"""Template filters for audit events (a builtin: no {% load %} needed)."""

from __future__ import annotations

from django import template

from sinergi.audit.labels import action_label as label

register = template.Library()


@register.filter
def action_label(code: str) -> str:
    """An audit action's readable name: {{ event.action|action_label }}."""
    return label(code)
