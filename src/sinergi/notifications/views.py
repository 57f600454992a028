from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from sinergi.core.access import ANY_ROLE, allow
from sinergi.notifications.selectors import notification_list
from sinergi.notifications.services import notifications_mark_read


@allow(ANY_ROLE)
def notification_list_view(request: HttpRequest) -> HttpResponse:
    page = Paginator(notification_list(actor=request.user), 30).get_page(request.GET.get("page"))
    return render(request, "notifications/notification_list.html", {"page_obj": page})


@allow(ANY_ROLE)
@require_POST
def mark_all_read(request: HttpRequest) -> HttpResponse:
    notifications_mark_read(actor=request.user)
    return redirect("notifications:notification_list")
