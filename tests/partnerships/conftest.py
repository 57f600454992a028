from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from sinergi.accounts.choices import Role
from sinergi.partnerships.choices import AgreementKind, PartyRole
from sinergi.partnerships.services import PartyInput, agreement_create
from tests.authz import World
from tests.factories import OrganisationFactory


@pytest.fixture
def company(db: Any) -> Any:
    return OrganisationFactory(name="Perusahaan Uji")


def make_agreement(actor: Any, parties: list[Any], **overrides: Any) -> Any:
    """Record an agreement through the service (2 years from 9 June 2021 unless overridden)."""
    districts = overrides.pop("districts", ["16.71.14", "16.07.01"])
    data = {
        "kind": AgreementKind.MOU,
        "number": overrides.pop("number", "MOU-UJI-1"),
        "title": "MoU uji",
        "signed_on": dt.date(2021, 6, 9),
        "start_date": dt.date(2021, 6, 9),
        "duration_years": 2,
    } | overrides
    roles = [PartyRole.FIRST, PartyRole.SECOND, PartyRole.THIRD]
    agreement, _warnings = agreement_create(
        actor=actor,
        data=data,
        parties=[PartyInput(org, roles[i], f"Penandatangan {i}", "Jabatan") for i, org in enumerate(parties)],
        district_codes=districts,
    )
    return agreement


@pytest.fixture
def mou(world: World) -> Any:
    """An MoU between the 'own' Kanwil and the 'own' company of the world's users."""
    return make_agreement(
        None, [world.organisation(Role.KANWIL_OFFICER, "own"), world.organisation(Role.CSR_OFFICER, "own")]
    )
