"""Health check and friendly error pages."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_not_required
from django.db import DatabaseError, connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from sinergi.core.errors import error_body


@login_not_required
@require_GET
@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness and readiness: answers ok only after the database answered a query."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        return JsonResponse({"status": "error", "code": "database_unavailable"}, status=503)
    return JsonResponse({"status": "ok"})


@login_not_required
@require_GET
@never_cache
def livez(request: HttpRequest) -> HttpResponse:
    """Liveness only: the process answers, without asking the database (also the bare view `make bench`
    compares the app's pages with)."""
    return HttpResponse(b"ok", content_type="text/plain")


def _error_page(request: HttpRequest, template: str, status: int, **context: Any) -> HttpResponse:
    if request.path.startswith("/api/"):
        return JsonResponse(error_body(status), status=status)
    return render(request, template, context, status=status)


def error_403(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error_page(request, "errors/403.html", 403)


def error_404(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error_page(request, "errors/404.html", 404)


def error_500(request: HttpRequest) -> HttpResponse:
    # No context processors or database here: the failure may be the database itself.
    if request.path.startswith("/api/"):
        return JsonResponse(error_body(500), status=500)
    from django.template import loader

    return HttpResponse(loader.get_template("errors/500.html").render(), status=500)
