"""The person page within the viewer's scope: change history, the NIK-exists message, the handover."""

from __future__ import annotations

import datetime as dt

from django.test import Client

from sinergi.accounts.choices import Role
from sinergi.beneficiaries.models import Person
from sinergi.beneficiaries.selectors import duplicate_candidates, person_history
from sinergi.beneficiaries.services import episode_add, person_update
from sinergi.core.errors import ApplicationError
from tests.beneficiaries.conftest import register


def _second_episode(world, person, registration: str = "OTH-2") -> None:
    episode_add(
        actor=None,
        person=person,
        data={
            "unit": world.organisation(Role.UNIT_OFFICER, "other"),
            "registration_number": registration,
            "status": "tahanan",
            "start_date": dt.date(2023, 2, 1),
            "sentence_years": 0,
            "sentence_months": 0,
            "sentence_days": 0,
            "remission_days": 0,
            "release_date": None,
        },
    )


def test_the_history_hides_other_units_episodes_and_who_changed_what_there(
    client: Client, world, people
) -> None:
    person = people["own"]
    _second_episode(world, person)
    other_officer = world.others[Role.UNIT_OFFICER]
    person_update(
        actor=other_officer,
        person=person,
        data={"full_name": "Nama Diubah Unit Lain", "birth_date": person.birth_date},
        version=person.version,
    )
    officer = world.users[Role.UNIT_OFFICER]
    actions = [(e.action, e.actor_label, e.changes) for e in person_history(actor=officer, person=person)]
    assert "person.episode_add" not in [a for a, _, _ in actions]
    update = next(entry for entry in actions if entry[0] == "person.update")
    assert update[1] in ("another unit", "unit lain") and update[2] == {}
    everything = person_history(actor=world.users[Role.ADMIN], person=person)
    assert {"person.episode_add", "person.update"} <= {e.action for e in everything}
    client.force_login(officer)
    html = client.get(f"/wbp/{person.pk}/").content.decode()
    assert "OTH-2" not in html and other_officer.username not in html
    assert world.organisation(Role.UNIT_OFFICER, "other").name not in html


def test_the_nik_exists_message_only_for_people_in_scope(db, world) -> None:
    own_unit = world.organisation(Role.UNIT_OFFICER, "own")
    other_unit = world.organisation(Role.UNIT_OFFICER, "other")
    officer = world.users[Role.UNIT_OFFICER]
    register(None, own_unit, "Warga Sendiri", "N-1", nik="1671141705900001")
    register(None, other_unit, "Warga Jauh", "N-2", nik="1671141705900002")
    try:
        register(officer, own_unit, "Warga Baru", "N-3", nik="1671141705900001")
    except ApplicationError as error:
        assert "nik" in error.detail
    else:
        raise AssertionError("a NIK already recorded in the officer's own unit must be refused")
    # The same NIK as someone elsewhere: registered without a word; an administrator sees the pair.
    newcomer = register(officer, own_unit, "Warga Kembar", "N-4", nik="1671141705900002")
    assert Person.objects.filter(nik_hash=newcomer.nik_hash).count() == 2
    pairs = duplicate_candidates(actor=world.users[Role.ADMIN])
    assert any(
        {a.pk, b.pk} == {newcomer.pk, Person.objects.get(full_name="Warga Jauh").pk} for a, b, _ in pairs
    )
    assert not any(reason == "nik" for _a, _b, reason in duplicate_candidates(actor=officer))


def test_the_person_page_shows_the_handover_to_the_bapas(client: Client, world, people) -> None:
    from sinergi.accounts.models import Organisation
    from sinergi.beneficiaries.services import episode_guidance_assign
    from tests.factories import OrganisationFactory

    person = people["own"]
    bapas = Organisation.objects.filter(unit_kind="bapas").first() or OrganisationFactory(
        kind="unit", unit_kind="bapas", name="Bapas Uji"
    )
    episode_guidance_assign(actor=None, episode=person.episodes.get(), bapas=bapas)
    client.force_login(world.users[Role.UNIT_OFFICER])
    html = client.get(f"/wbp/{person.pk}/").content.decode()
    assert 'data-testid="handover"' in html and bapas.name in html


def test_every_bulk_read_of_people_is_audited_once_per_request(client: Client, world, people) -> None:
    from sinergi.accounts.services import token_create
    from sinergi.audit.models import AuditEvent

    officer = world.users[Role.UNIT_OFFICER]
    client.force_login(officer)
    client.get("/wbp/", {"q": "1671141705900001"})
    listed = AuditEvent.objects.get(action="person.list", actor=officer)
    assert listed.changes["count"] == 1 and "1671141705900001" not in str(listed.changes)
    client.get("/wbp/bebas-segera/")
    client.get("/wbp/duplikat/")
    assert AuditEvent.objects.filter(action="person.releases_due.list").count() == 1
    assert AuditEvent.objects.filter(action="person.duplicates.list").count() == 1
    token = token_create(actor=None, user=officer)
    response = client.get("/api/v1/persons", {"limit": 5}, headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200 and len(response.json()) == 1
    api = AuditEvent.objects.filter(action="person.list").order_by("-seq").first()
    assert api.changes["filters"]["via"] == "api" and api.changes["count"] == 1
    bad = client.get("/api/v1/persons", {"offset": -5}, headers={"Authorization": f"Bearer {token}"})
    assert 400 <= bad.status_code < 500
    assert client.get("/wbp/", {"unit": "1" * 30, "q": "a\x00b"}).status_code == 400
