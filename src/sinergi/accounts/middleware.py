"""A user whose password was given by an administrator changes it before doing anything else."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

# Pages a user with a password to change may still open.
ALLOWED = frozenset(
    {
        "accounts:password_change",
        "accounts:logout",
        "accounts:login",
        "set_language",
        "accounts:two_factor_verify",
    }
)


class PasswordChangeRequiredMiddleware:
    """Sends a logged-in user with `must_change_password` to the password page (pages only, not the API)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view_func: Callable[..., Any], view_args: Any, view_kwargs: Any
    ) -> HttpResponse | None:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or not getattr(user, "must_change_password", False):
            return None
        match = request.resolver_match
        name = match.view_name if match else ""
        if (
            name in ALLOWED
            or request.path.startswith("/api/")
            or not getattr(view_func, "login_required", True)
        ):
            return None
        messages.warning(
            request, _("Your password was set by an administrator. Choose your own password to continue.")
        )
        return redirect("accounts:password_change")


class TwoFactorRequiredMiddleware:
    """After the password, a user with two-factor login on must enter a code before any other page."""

    ALLOWED = frozenset({"accounts:two_factor_verify", "accounts:logout", "accounts:login", "set_language"})

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view_func: Callable[..., Any], view_args: Any, view_kwargs: Any
    ) -> HttpResponse | None:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or request.path.startswith("/api/"):
            return None
        if not request.session.get("sinergi_two_factor") or user.is_verified():
            return None
        match = request.resolver_match
        if (match.view_name if match else "") in self.ALLOWED or not getattr(
            view_func, "login_required", True
        ):
            return None
        return redirect(f"{reverse('accounts:two_factor_verify')}?next={request.get_full_path()}")
