"""Response hardening and the page-side handler for ApplicationError."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from typing import Any

from django.conf import settings
from django.db import DataError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from sinergi.core.errors import ApplicationError, NotFoundError
from sinergi.core.params import BadParameter

NUL_MESSAGE = _(
    "The request contains a NUL character, which no field accepts. "
    "Remove it (it often comes from copying out of another program) and try again."
)

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


class SecurityHeadersMiddleware:
    """Adds a strict Content-Security-Policy and Permissions-Policy: everything is served from this site."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        return response


class LanguageMiddleware:
    """Bahasa Indonesia unless the user chose English: stored on the user (logged in) or in a cookie.

    Django's LocaleMiddleware would follow the browser's language, and many phones here are set to English;
    officers expect the Indonesian interface unless they ask otherwise.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        stored = getattr(user, "language", "") if user is not None and user.is_authenticated else ""
        chosen = stored or request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        language = chosen if chosen in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        response.headers.setdefault("Vary", "Cookie")
        return response


class ApplicationErrorMiddleware:
    """Turns an ApplicationError that escaped a view into a page that says what to fix."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, ApplicationError) or request.path.startswith("/api/"):
            return None
        if isinstance(exception, NotFoundError):
            return render(request, "errors/404.html", status=404)
        return render(request, "errors/application_error.html", {"error": exception}, status=exception.status)


def _has_nul(values: Iterable[Any]) -> bool:
    for value in values:
        if isinstance(value, str) and "\x00" in value:
            return True
        if isinstance(value, dict) and (_has_nul(value.keys()) or _has_nul(value.values())):
            return True
        if isinstance(value, list) and _has_nul(value):
            return True
    return False


def _json_has_nul(body: bytes) -> bool:
    if b"\x00" in body:
        return True
    if b"\\u0000" not in body:
        return False
    try:
        return _has_nul([json.loads(body)])
    except ValueError:
        return False  # not JSON after all: the view refuses it with its own message


def bad_request_response(request: HttpRequest, error: ApplicationError) -> HttpResponse:
    """A 400 as the API (JSON) or a page (the message in the layout) answers it."""
    if request.path.startswith("/api/"):
        return JsonResponse(error.as_dict(), status=error.status)
    return render(request, "errors/application_error.html", {"error": error}, status=error.status)


class NulByteMiddleware:
    """Refuse NUL characters in the path, the query string and form or JSON bodies with a 400.

    PostgreSQL text cannot hold NUL, so without this a search box or JSON field with one ends in a 500.
    Uploaded files are not looked at (binary files are full of NUL bytes); their own checks apply.
    Runs as a view middleware, after CSRF has parsed the form, so uploads are read only once.
    NUL characters in the fields of an import's multipart form are left to the import's own checks.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view_func: Callable[..., Any], view_args: Any, view_kwargs: Any
    ) -> HttpResponse | None:
        if self._has_nul(request):
            return bad_request_response(request, BadParameter(NUL_MESSAGE, code="nul_character"))
        return None

    @staticmethod
    def _has_nul(request: HttpRequest) -> bool:
        if "\x00" in request.path or _has_nul(request.GET.keys()):
            return True
        if any(_has_nul(request.GET.getlist(key)) for key in request.GET):
            return True
        if request.method in ("GET", "HEAD", "OPTIONS"):
            return False
        content_type = request.content_type or ""
        # A multipart form is looked at only once parsed (CSRF parses it); a view that sets its own upload
        # handlers parses it itself, and reading it here first would take that choice away from it.
        parsed = hasattr(request, "_post")
        if content_type == "application/x-www-form-urlencoded" or (
            content_type == "multipart/form-data" and parsed
        ):
            form = request.POST
            return _has_nul(form.keys()) or any(_has_nul(form.getlist(key)) for key in form)
        if content_type.endswith("json"):
            return _json_has_nul(request.body)
        return False


class DataErrorMiddleware:
    """Last line of defence: a value the database cannot store (overflow, out of range) answers 400, not 500.

    Parameters are validated before they reach a query (`core.params`, `core.api`); this only catches what
    slipped through, and logs it so the missing check can be added.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, (DataError, OverflowError)):
            return None
        import logging

        logging.getLogger(__name__).warning(
            "Unvalidated parameter reached the database on %s: %s", request.path, type(exception).__name__
        )
        return bad_request_response(request, BadParameter(BAD_VALUE_MESSAGE))


BAD_VALUE_MESSAGE = _("A value in the request is out of range (too large, too small or malformed). Check it.")
