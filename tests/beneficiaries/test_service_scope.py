"""The registry's write services check the actor's role and scope themselves, whoever calls them (the views
read the people through scoped selectors first; a command, a job or another caller need not): editing and
merging people held at another Kanwil's units, or by a role without the registry, is refused and changes
nothing."""

from __future__ import annotations

import pytest

from sinergi.accounts.choices import Role
from sinergi.beneficiaries import services
from sinergi.beneficiaries.models import Person
from sinergi.core.errors import ForbiddenError
from tests.authz import World
from tests.beneficiaries.conftest import register

pytestmark = pytest.mark.django_db


@pytest.fixture
def held(world: World) -> dict[str, Person]:
    own = world.organisation(Role.UNIT_OFFICER, "own")
    other = world.others[Role.UNIT_OFFICER].organisation
    return {
        "own": register(None, own, "Warga Uji Satu", "SC-1"),
        "twin": register(None, own, "Warga Uji Satu", "SC-2"),
        "other": register(None, other, "Warga Lain", "SC-3"),
    }


@pytest.mark.parametrize("role", [Role.UNIT_OFFICER, Role.KANWIL_OFFICER])
def test_an_officer_cannot_edit_or_merge_people_outside_their_units(
    world: World, held: dict[str, Person], role: str
) -> None:
    officer = world.users[role]
    other = held["other"]
    with pytest.raises(ForbiddenError):
        services.person_update(
            actor=officer, person=other, data={"full_name": "Diubah"}, version=other.version
        )
    with pytest.raises(ForbiddenError):
        services.person_merge(actor=officer, keep=held["own"], drop=other)
    other.refresh_from_db()
    assert other.full_name == "Warga Lain" and other.merged_into_id is None
    # Within their units the same calls go through.
    merged = services.person_merge(actor=officer, keep=held["own"], drop=held["twin"])
    assert merged.pk == held["own"].pk


@pytest.mark.parametrize("role", [Role.CSR_OFFICER, Role.MONITOR, Role.FACILITATOR])
def test_a_role_without_the_registry_writes_no_person(
    world: World, held: dict[str, Person], role: str
) -> None:
    person = held["own"]
    with pytest.raises(ForbiddenError):
        services.person_update(
            actor=world.users[role], person=person, data={"full_name": "Diubah"}, version=person.version
        )
    with pytest.raises(ForbiddenError):
        services.person_merge(actor=world.users[role], keep=person, drop=held["twin"])
    assert Person.objects.get(pk=person.pk).full_name == "Warga Uji Satu"


def test_consent_is_recorded_and_withdrawn_only_within_scope(world: World, held: dict[str, Person]) -> None:
    import datetime as dt

    from sinergi.beneficiaries.models import Consent

    officer, other = world.users[Role.UNIT_OFFICER], held["other"]
    with pytest.raises(ForbiddenError):
        services.consent_record(
            actor=officer, person=other, purpose="participation", given_on=dt.date(2021, 2, 1), evidence="Uji"
        )
    consent = services.consent_record(
        actor=None, person=other, purpose="participation", given_on=dt.date(2021, 2, 1), evidence="Uji"
    )
    with pytest.raises(ForbiddenError):
        services.consent_withdraw(actor=officer, consent=consent, on=dt.date(2022, 1, 1))
    with pytest.raises(ForbiddenError):
        services.consent_withdraw(
            actor=world.users[Role.CSR_OFFICER], consent=consent, on=dt.date(2022, 1, 1)
        )
    assert Consent.objects.get(pk=consent.pk).withdrawn_on is None
    own = services.consent_record(
        actor=officer,
        person=held["own"],
        purpose="participation",
        given_on=dt.date(2021, 2, 1),
        evidence="Uji",
    )
    assert services.consent_withdraw(actor=officer, consent=own, on=dt.date(2022, 1, 1)).withdrawn_on
