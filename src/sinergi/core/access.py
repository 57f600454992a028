"""Access is denied unless granted: every page declares the roles that may open it.

`allow(...)` marks a view; AccessMiddleware refuses any logged-in request to a view that is not marked or
whose roles do not include the user's. Public views use Django's `login_not_required`.
Row-level scoping is not done here but in each app's selectors.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.urls import URLPattern, URLResolver

ANY_ROLE = "*"
V = TypeVar("V", bound=Callable[..., Any])


def allow(*roles: str) -> Callable[[V], V]:
    """Mark a view as open to the given roles (ANY_ROLE: every logged-in user)."""

    def mark(view: V) -> V:
        view.sinergi_roles = frozenset(roles)  # type: ignore[attr-defined]
        return view

    return mark


def role_allowed(user: Any, roles: Iterable[str]) -> bool:
    """True when the user is active and holds one of `roles` (or roles include ANY_ROLE)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    roles = frozenset(roles)
    return ANY_ROLE in roles or user.role in roles


def require_roles(request: HttpRequest, *roles: str) -> None:
    """Refuse (PermissionDenied, 403) unless the request's user holds one of `roles`; for API endpoints."""
    if not role_allowed(request.user, roles):
        raise PermissionDenied


def mark_public(patterns: Iterable[URLPattern | URLResolver]) -> None:
    """Exempt URL patterns (for example the token-authenticated API) from the login redirect."""
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            mark_public(pattern.url_patterns)
        else:
            pattern.callback.login_required = False  # type: ignore[attr-defined]


class AccessMiddleware:
    """Refuse every view that has not declared who may open it."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view_func: Callable[..., Any], view_args: Any, view_kwargs: Any
    ) -> None:
        if not getattr(view_func, "login_required", True):
            return None
        roles = getattr(view_func, "sinergi_roles", None)
        if roles is None or not role_allowed(request.user, roles):
            raise PermissionDenied
        return None
