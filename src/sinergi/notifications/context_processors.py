"""The bell in the menu bar: how many notifications the user has not read."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from sinergi.notifications.selectors import unread_count


def unread(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"unread_notifications": unread_count(actor=user)}
