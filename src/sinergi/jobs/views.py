"""Job pages: a list of the user's jobs and a detail page whose progress bar polls with HTMX."""

from __future__ import annotations

import uuid

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from sinergi.core.access import ANY_ROLE, allow
from sinergi.jobs.selectors import job_get, job_list


@allow(ANY_ROLE)
def job_list_view(request: HttpRequest) -> HttpResponse:
    return render(request, "jobs/job_list.html", {"jobs": job_list(actor=request.user)[:50]})


@allow(ANY_ROLE)
def job_detail(request: HttpRequest, job_id: uuid.UUID) -> HttpResponse:
    job = job_get(actor=request.user, job_id=job_id)
    template = "jobs/_status.html" if request.headers.get("HX-Request") else "jobs/job_detail.html"
    return render(request, template, {"job": job})
