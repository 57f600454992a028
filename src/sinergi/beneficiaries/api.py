"""The registry over the API, within the caller's units. NIK, offence and sentence: corrections roles only."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Schema

from sinergi.audit.services import audit_read
from sinergi.beneficiaries import selectors
from sinergi.beneficiaries.access import REGISTRY
from sinergi.beneficiaries.models import Person
from sinergi.beneficiaries.services import person_view_record
from sinergi.core.access import require_roles
from sinergi.core.api import Id, PageParams

router = Router(tags=["registry"])


class EpisodeOut(Schema):
    unit_code: str | None
    registration_number: str
    status: str
    start_date: dt.date | None = None
    sentence: str | None = None
    remission_days: int | None = None
    expiry_date: dt.date | None = None
    half_date: dt.date | None = None
    two_thirds_date: dt.date | None = None
    parole_eligible_from: dt.date | None = None
    conditional_leave_eligible_from: dt.date | None = None
    ruleset_version: str | None = None
    release_date: dt.date | None


class PersonOut(Schema):
    id: int
    full_name: str
    sex: str
    birth_date: dt.date
    domicile_district: str | None
    domicile_village: str | None
    nik_masked: str | None = None
    offence_category: str | None = None
    episodes: list[EpisodeOut]


class PersonFilters(PageParams):
    q: str = ""
    unit: Id | None = None
    status: str = ""


def _out(person: Person, *, sensitive: bool) -> dict[str, Any]:
    episodes = []
    for e in person.episodes.all():
        item: dict[str, Any] = {
            "unit_code": e.unit.code,
            "registration_number": e.registration_number,
            "status": e.status,
            "release_date": e.release_date,
        }
        if sensitive:
            item |= {
                "start_date": e.start_date,
                "remission_days": e.remission_days,
                "expiry_date": e.expiry_date,
                "half_date": e.half_date,
                "two_thirds_date": e.two_thirds_date,
                "parole_eligible_from": e.parole_eligible_from,
                "conditional_leave_eligible_from": e.conditional_leave_eligible_from,
                "ruleset_version": e.ruleset_version or None,
                "sentence": f"{e.sentence_years} tahun {e.sentence_months} bulan {e.sentence_days} hari",
            }
        episodes.append(item)
    data: dict[str, Any] = {
        "id": person.pk,
        "full_name": person.full_name,
        "sex": person.sex,
        "birth_date": person.birth_date,
        "domicile_district": person.domicile_district_id,
        "domicile_village": person.domicile_village_id,
        "episodes": episodes,
    }
    if sensitive:
        data |= {
            "nik_masked": f"************{person.nik_last4}" if person.nik_last4 else None,
            "offence_category": person.offence_category,
        }
    return data


@router.get("", response=list[PersonOut], exclude_none=True, summary="People in the caller's units")
def person_list(request: HttpRequest, filters: Query[PersonFilters]) -> list[dict[str, Any]]:
    require_roles(request, *REGISTRY)
    search = selectors.PersonSearch(actor=request.user, q=filters.q, unit=filters.unit, status=filters.status)
    sensitive = selectors.may_see_sensitive(request.user)
    page = search.page(filters.offset, filters.offset + filters.limit)
    rows = [_out(p, sensitive=sensitive) for p in page]
    audit_read(
        actor=request.user,
        action="person.list",
        filters={"via": "api", **filters.dict()},
        count=len(rows),
    )
    return rows


@router.get("/{person_id}", response=PersonOut, exclude_none=True, summary="One person")
def person_detail(request: HttpRequest, person_id: int) -> dict[str, Any]:
    require_roles(request, *REGISTRY)
    person = selectors.person_get(actor=request.user, pk=person_id)
    person_view_record(actor=request.user, person=person)
    return _out(person, sensitive=selectors.may_see_sensitive(request.user))
