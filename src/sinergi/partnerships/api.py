"""Agreements over the API: list, show, create and update, within the caller's scope."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext
from ninja import Field, Query, Router, Schema, Status

from sinergi.accounts.models import Organisation
from sinergi.core.access import require_roles
from sinergi.core.api import Id, PageParams, Year, page_of
from sinergi.core.errors import ApplicationError
from sinergi.partnerships import selectors, services
from sinergi.partnerships.access import EDITORS, READERS
from sinergi.partnerships.choices import AgreementKind
from sinergi.partnerships.models import Agreement

router = Router(tags=["agreements"])


class PartyIO(Schema):
    organisation_id: int
    role: str
    signatory_name: str = ""
    signatory_title: str = ""


class AgreementOut(Schema):
    id: int
    kind: str
    parent_id: int | None
    number: str
    title: str
    status: str
    signed_on: dt.date | None
    signed_place: str
    start_date: dt.date
    end_date: dt.date
    terminated_on: dt.date | None
    scope: str
    program_types: list[str]
    focus_districts: list[str]
    parties: list[PartyIO]
    is_synthetic: bool
    version: int


class AgreementIn(Schema):
    kind: AgreementKind
    parent_id: Id | None = None
    number: str
    title: str
    signed_on: dt.date | None = None
    signed_place: str = ""
    start_date: dt.date
    end_date: dt.date | None = None
    duration_years: int | None = Field(None, ge=0, le=100)
    duration_months: int | None = Field(None, ge=0, le=1200)
    scope: str = ""
    program_types: list[str] = []
    focus_districts: list[str] = []
    parties: list[PartyIO]


class AgreementUpdate(AgreementIn):
    version: int


class AgreementFilters(PageParams):
    """The list's filters, and `limit`/`offset` (50 a page by default, as every API list)."""

    status: str = ""
    kind: str = ""
    partner: Id | None = None
    district: str = ""
    year: Year | None = None
    q: str = ""


class Created(Schema):
    agreement: AgreementOut
    warnings: list[str]


def _out(agreement: Agreement) -> dict[str, Any]:
    return {
        "id": agreement.pk,
        "kind": agreement.kind,
        "parent_id": agreement.parent_id,
        "number": agreement.number,
        "title": agreement.title,
        "status": getattr(agreement, "status", ""),
        "signed_on": agreement.signed_on,
        "signed_place": agreement.signed_place,
        "start_date": agreement.start_date,
        "end_date": agreement.end_date,
        "terminated_on": agreement.terminated_on,
        "scope": agreement.scope,
        "program_types": agreement.program_types,
        "focus_districts": sorted(d.code for d in agreement.focus_districts.all()),
        "parties": [
            {
                "organisation_id": p.organisation_id,
                "role": p.role,
                "signatory_name": p.signatory_name,
                "signatory_title": p.signatory_title,
            }
            for p in agreement.parties.all()
        ],
        "is_synthetic": agreement.is_synthetic,
        "version": agreement.version,
    }


def _inputs(request: HttpRequest, payload: AgreementIn) -> tuple[dict[str, Any], list[services.PartyInput]]:
    data = payload.dict(exclude={"parties", "focus_districts", "parent_id", "version"})
    data["parent"] = (
        selectors.agreement_get(actor=request.user, pk=payload.parent_id) if payload.parent_id else None
    )
    organisations = Organisation.objects.in_bulk([p.organisation_id for p in payload.parties])
    missing = [p.organisation_id for p in payload.parties if p.organisation_id not in organisations]
    if missing:
        raise ApplicationError(
            gettext("Organisation {ids} does not exist.").format(ids=missing),
            code="invalid",
            detail={"parties": missing},
        )
    parties = [
        services.PartyInput(
            organisation=organisations[p.organisation_id],
            role=p.role,
            signatory_name=p.signatory_name,
            signatory_title=p.signatory_title,
        )
        for p in payload.parties
    ]
    return data, parties


@router.get("", response=list[AgreementOut], summary="Agreements in the caller's scope, a page at a time")
def agreement_list(request: HttpRequest, filters: Query[AgreementFilters]) -> list[dict[str, Any]]:
    require_roles(request, *READERS)
    paging = {"limit", "offset"}
    values = {k: v for k, v in filters.dict().items() if v not in (None, "") and k not in paging}
    qs = selectors.agreement_list(actor=request.user, filters=values).prefetch_related("focus_districts")
    return [_out(a) for a in page_of(qs, filters)]


@router.get("/{agreement_id}", response=AgreementOut, summary="One agreement")
def agreement_detail(request: HttpRequest, agreement_id: int) -> dict[str, Any]:
    require_roles(request, *READERS)
    return _out(selectors.agreement_get(actor=request.user, pk=agreement_id))


@router.post("", response={201: Created}, summary="Record an agreement")
def agreement_create(request: HttpRequest, payload: AgreementIn) -> Status[dict[str, Any]]:
    require_roles(request, *EDITORS)
    data, parties = _inputs(request, payload)
    agreement, warnings = services.agreement_create(
        actor=request.user, data=data, parties=parties, district_codes=payload.focus_districts
    )
    return Status(
        201,
        {
            "agreement": _out(selectors.agreement_get(actor=request.user, pk=agreement.pk)),
            "warnings": warnings,
        },
    )


@router.put("/{agreement_id}", response=Created, summary="Update an agreement (send the version you read)")
def agreement_update(request: HttpRequest, agreement_id: int, payload: AgreementUpdate) -> dict[str, Any]:
    require_roles(request, *EDITORS)
    agreement = selectors.agreement_get(actor=request.user, pk=agreement_id)
    data, parties = _inputs(request, payload)
    _, warnings = services.agreement_update(
        actor=request.user,
        agreement=agreement,
        data=data,
        parties=parties,
        district_codes=payload.focus_districts,
        version=payload.version,
    )
    return {
        "agreement": _out(selectors.agreement_get(actor=request.user, pk=agreement_id)),
        "warnings": warnings,
    }


class CoverageOut(Schema):
    covered: bool
    reasons: list[str]


@router.get(
    "/{agreement_id}/coverage", response=CoverageOut, summary="Does the agreement cover a date and district?"
)
def agreement_coverage(
    request: HttpRequest, agreement_id: int, date: dt.date, district: str = ""
) -> dict[str, Any]:
    require_roles(request, *READERS)
    agreement = selectors.agreement_get(actor=request.user, pk=agreement_id)
    result = selectors.agreement_coverage(agreement=agreement, on=date, district_code=district or None)
    return {"covered": result.covered, "reasons": list(result.reasons)}
