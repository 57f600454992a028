from __future__ import annotations

from django.http import Http404, HttpRequest
from ninja import Router, Schema

from sinergi.core.access import ANY_ROLE, require_roles
from sinergi.regions.selectors import district_search, region_children, region_get

router = Router(tags=["regions"])


class RegionOut(Schema):
    code: str
    name: str


class DistrictOut(Schema):
    code: str
    name: str
    regency_code: str
    regency_name: str
    province_name: str


@router.get("/districts", response=list[DistrictOut], summary="Search districts by name or code")
def districts(request: HttpRequest, q: str) -> list[dict[str, str]]:
    require_roles(request, ANY_ROLE)
    return [
        {
            "code": d.code,
            "name": d.name,
            "regency_code": d.regency.code,
            "regency_name": d.regency.name,
            "province_name": d.regency.province.name,
        }
        for d in district_search(q=q)
    ]


@router.get("/{code}/children", response=list[RegionOut], summary="The regions one level below a code")
def children(request: HttpRequest, code: str) -> list[dict[str, str]]:
    require_roles(request, ANY_ROLE)
    if region_get(code=code) is None:
        raise Http404
    return [{"code": r.code, "name": r.name} for r in region_children(code=code)]
