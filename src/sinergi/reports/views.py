"""The home page: one dashboard per role."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from sinergi.core.access import ANY_ROLE, allow
from sinergi.reports.dashboards import dashboard_context


@allow(ANY_ROLE)
def dashboard(request: HttpRequest) -> HttpResponse:
    """The home page: what this role can do and where to start."""
    context = dashboard_context(actor=request.user)
    return render(request, f"reports/dashboard/{context['template']}.html", context)
