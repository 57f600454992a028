"""Template filters for audit events (a builtin: no {% load %} needed)."""

from __future__ import annotations

from django import template

from sinergi.audit.labels import action_label as label
from sinergi.audit.labels import change_lines

register = template.Library()


@register.filter
def action_label(code: str) -> str:
    """An audit action's readable name: {{ event.action|action_label }}."""
    return label(code)


@register.filter
def audit_changes(changes: dict[str, object] | None) -> str:
    """An event's changes as readable phrases joined by "; " ({{ event.changes|audit_changes }})."""
    return "; ".join(change_lines(changes))
