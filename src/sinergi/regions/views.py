"""Browse and search the official regions (reference data, open to every role)."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from sinergi.core.access import ANY_ROLE, allow
from sinergi.regions.selectors import (
    district_search,
    region_children,
    region_counts,
    region_get,
    village_search,
)


@allow(ANY_ROLE)
def region_search(request: HttpRequest) -> HttpResponse:
    q = request.GET.get("q", "").strip()
    template = "regions/_results.html" if request.headers.get("HX-Request") else "regions/region_search.html"
    return render(
        request,
        template,
        {
            "q": q,
            "results": district_search(q=q) if q else [],
            "villages": village_search(q=q) if q else [],
            "provinces": region_children(code=None),
            "counts": region_counts(),
        },
    )


@allow(ANY_ROLE)
def region_detail(request: HttpRequest, code: str) -> HttpResponse:
    region = region_get(code=code)
    if region is None:
        raise Http404
    return render(
        request,
        "regions/region_detail.html",
        {
            "region": region,
            "children": region_children(code=code) if len(code) < 13 else [],
            "trail": _trail(region),
        },
    )


def _trail(region: object) -> list[object]:
    trail: list[object] = []
    node = region
    for attr in ("district", "regency", "province"):
        parent = getattr(node, attr, None)
        if parent is not None:
            trail.insert(0, parent)
            node = parent
    return trail


@allow(ANY_ROLE)
def district_picker(request: HttpRequest) -> HttpResponse:
    """HTMX partial: districts matching `dq`, each with a button that adds it to a form's ring areas."""
    q = request.GET.get("dq", "").strip()
    return render(
        request, "regions/_picker.html", {"q": q, "results": district_search(q=q, limit=10) if q else []}
    )
