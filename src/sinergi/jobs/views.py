"""Job pages: a list of the user's jobs and a detail page whose progress bar polls with HTMX, with a button
that runs a failed job again."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from sinergi.core.access import ANY_ROLE, allow
from sinergi.jobs.selectors import job_get, job_list
from sinergi.jobs.services import job_can_retry, job_retry, jobs_fail_stale


@allow(ANY_ROLE)
def job_list_view(request: HttpRequest) -> HttpResponse:
    return render(request, "jobs/job_list.html", {"jobs": job_list(actor=request.user)[:50]})


@allow(ANY_ROLE)
def job_detail(request: HttpRequest, job_id: uuid.UUID) -> HttpResponse:
    job = job_get(actor=request.user, job_id=job_id)
    if jobs_fail_stale(job_id=job.pk):
        job.refresh_from_db()
    template = "jobs/_status.html" if request.headers.get("HX-Request") else "jobs/job_detail.html"
    return render(request, template, {"job": job, "can_retry": job_can_retry(actor=request.user, job=job)})


@allow(ANY_ROLE)
@require_POST
def job_retry_view(request: HttpRequest, job_id: uuid.UUID) -> HttpResponse:
    job = job_get(actor=request.user, job_id=job_id)
    job, retried = job_retry(actor=request.user, job=job)
    if retried:
        messages.success(request, _("The job was put back in the queue and will run again."))
    else:
        messages.info(
            request, _("This job is not failed (it may have been run again already): nothing to do.")
        )
    return redirect("jobs:job_detail", job_id=job.pk)
