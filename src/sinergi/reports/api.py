"""List exports over the API: the same lists, checks, pseudonyms, audit and streaming as the pages' exports.

`GET /api/v1/exports/{kind}.{format}` with the list's own filters (for example `?cohort=12` or `?q=...`) and
`purpose`, `delimiter`; `identities=1` with a `reason` for roles that may see names. The kinds are those of
`reports.lists.KINDS`; a role that may not export a list gets 403, an unknown list 404.
"""

from __future__ import annotations

from django.http import HttpRequest
from django.http.response import HttpResponseBase
from ninja import Router

from sinergi.reports import lists

router = Router(tags=["exports"])


@router.get(
    "/{kind}.{fmt}",
    summary="A list as CSV or XLSX, pseudonymised unless identities are asked for with a reason",
    openapi_extra={"responses": {"200": {"description": "The file (text/csv or XLSX), streamed."}}},
)
def list_export(request: HttpRequest, kind: str, fmt: str) -> HttpResponseBase:
    return lists.export(actor=request.user, slug=kind, params=request.GET, fmt=fmt)
