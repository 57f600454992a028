"""Navigation by role: each entry names the roles that may see it, the same roles its view allows."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from sinergi.core.navigation import menu_for


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": []}
    return {"nav_items": menu_for(user, request.path)}
