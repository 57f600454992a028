"""Aftercare cases opened at release, for the responsible Bapas."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from sinergi.aftercare.access import CASE_READERS
from sinergi.aftercare.selectors import case_list
from sinergi.core.access import allow


@allow(*CASE_READERS)
def case_list_view(request: HttpRequest) -> HttpResponse:
    page = Paginator(case_list(actor=request.user), 25).get_page(request.GET.get("page"))
    return render(request, "aftercare/case_list.html", {"page_obj": page})
