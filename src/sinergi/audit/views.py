"""The audit timeline for administrators, and starting a background check of the chain."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from sinergi.accounts.choices import Role
from sinergi.audit.filters import AuditEventFilter
from sinergi.audit.selectors import audit_action_choices, audit_event_list, audit_summary
from sinergi.audit.services import audit_unseal
from sinergi.audit.tasks import audit_verify_task
from sinergi.core.access import allow
from sinergi.jobs.services import job_start


@allow(Role.ADMIN)
def event_list(request: HttpRequest) -> HttpResponse:
    filterset = AuditEventFilter(request.GET or None)
    events = audit_event_list(actor=request.user, filters=request.GET.dict())
    page = Paginator(events, 50).get_page(request.GET.get("page"))
    page.object_list = audit_unseal(page.object_list)
    return render(
        request,
        "audit/event_list.html",
        {
            "page_obj": page,
            "filter": filterset,
            "actions": audit_action_choices(),
            "summary": audit_summary(),
        },
    )


@allow(Role.ADMIN)
@require_POST
def verify(request: HttpRequest) -> HttpResponse:
    job = job_start(
        actor=request.user, kind="audit.verify", title=_("Check the audit chain"), task=audit_verify_task
    )
    return redirect("jobs:job_detail", job_id=job.pk)
