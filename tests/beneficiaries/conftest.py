from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from sinergi.accounts.choices import Role
from sinergi.beneficiaries.services import person_create
from tests.authz import World


def register(actor: Any, unit: Any, name: str, registration: str, **extra: Any) -> Any:
    """Register a synthetic person by hand at `unit` (through the service)."""
    from sinergi.regions.models import District

    data = {
        "full_name": name,
        "sex": "L",
        "birth_date": dt.date(1990, 5, 17),
        "domicile_district": District.objects.get(code="16.71.14"),
        "offence_category": "Pencurian",
    } | extra
    episode = {
        "unit": unit,
        "registration_number": registration,
        "status": "narapidana",
        "start_date": dt.date(2021, 1, 1),
        "sentence_years": 2,
        "sentence_months": 0,
        "sentence_days": 0,
        "remission_days": 0,
        "release_date": None,
    }
    return person_create(
        actor=actor, data=data, nik=extra.pop("nik", "") if "nik" in extra else "", episode=episode
    )


@pytest.fixture
def people(world: World) -> dict[str, Any]:
    """One person in the 'own' unit and one in the 'other' unit of the world's unit officers."""
    own_unit = world.organisation(Role.UNIT_OFFICER, "own")
    other_unit = world.organisation(Role.UNIT_OFFICER, "other")
    return {
        "own": register(None, own_unit, "Warga Milik Sendiri", "OWN-1", nik="1671141705900001"),
        "other": register(None, other_unit, "Warga Unit Lain", "OTH-1"),
    }
