from __future__ import annotations

from django.http import HttpRequest
from ninja import Router, Schema

from sinergi.accounts.models import User
from sinergi.accounts.selectors import unit_list
from sinergi.core.access import ANY_ROLE, require_roles

router = Router(tags=["accounts"])


class OrganisationOut(Schema):
    id: int
    kind: str
    name: str
    code: str | None


class MeOut(Schema):
    username: str
    full_name: str
    role: str
    role_label: str
    organisation: OrganisationOut | None


class UnitOut(Schema):
    id: int
    code: str | None
    name: str
    unit_kind: str
    regency_code: str | None
    district_code: str | None
    regional_office: str | None


@router.get("/me", response=MeOut, summary="The user who owns the token")
def me(request: HttpRequest) -> dict[str, object]:
    require_roles(request, ANY_ROLE)
    user = request.user
    assert isinstance(user, User)  # noqa: S101 (TokenAuth sets a real user)
    return {
        "username": user.username,
        "full_name": user.full_name,
        "role": user.role,
        "role_label": str(user.get_role_display()),
        "organisation": user.organisation,
    }


@router.get("/units", response=list[UnitOut], summary="Correctional units (reference data)")
def units(request: HttpRequest, kind: str = "", q: str = "") -> list[dict[str, object]]:
    require_roles(request, ANY_ROLE)
    return [
        {
            "id": u.pk,
            "code": u.code,
            "name": u.name,
            "unit_kind": u.unit_kind,
            "regency_code": u.regency_id,
            "district_code": u.district_id,
            "regional_office": u.regional_office.name if u.regional_office else None,
        }
        for u in unit_list(actor=request.user, kind=kind, q=q)
    ]
