"""The audit trail after anonymisation (issue 15): events about a person hold the name only sealed with the
person's own key; `sinergi retention apply` destroys the key. Afterwards no raw row, audit page or audit
export contains the name or NIK, `sinergi audit verify` passes, and a changed row is still caught."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client

from sinergi.accounts.choices import Role
from sinergi.accounts.services import token_create
from sinergi.audit.models import AuditEvent, SubjectKey
from sinergi.audit.services import audit_record, audit_verify
from sinergi.beneficiaries.models import CustodyEpisode, Person
from sinergi.beneficiaries.services import person_update
from tests.audit.test_chain import _tamper
from tests.authz import World
from tests.beneficiaries.conftest import register

NAME = "Sintetis Anonimkan Saja"
NEW_NAME = "Sintetis Nama Baru"
NIK = "1671141705900011"
NIK_SHAPES = (NIK, NIK[-4:] + "", "1671 1417 0590 0011")


def _raw_rows() -> str:
    """Every audit row as the database holds it, as one text."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM audit_auditevent ORDER BY seq")
        return json.dumps(cursor.fetchall(), default=str, ensure_ascii=False)


def _assert_gone(text: str, where: str) -> None:
    for secret in (NAME, NEW_NAME, "Anonimkan", NIK):
        assert secret not in text, f"{secret!r} is still in {where}"


@pytest.fixture
def person(world: World) -> Person:
    admin = world.users[Role.ADMIN]
    unit = world.organisation(Role.UNIT_OFFICER, "own")
    person = register(admin, unit, NAME, "ANON-AUDIT-1", nik=NIK)
    CustodyEpisode.objects.filter(person=person).update(status="bebas", release_date=dt.date(2024, 3, 1))
    person.refresh_from_db()
    # A rename (old and new name in the changes), a view of the page, and an event on the episode.
    person = person_update(
        actor=admin, person=person, data={"full_name": NEW_NAME}, version=person.version, nik=None
    )
    client = Client()
    client.force_login(admin)
    assert client.get(f"/wbp/{person.pk}/").status_code == 200
    audit_record(actor=admin, action="test.episode_note", target=person.episodes.get(), changes={"who": NAME})
    return person


def test_events_about_a_person_never_hold_the_name_in_clear(world: World, person: Person) -> None:
    events = AuditEvent.objects.filter(subject_id=str(person.pk))
    assert events.count() >= 4 and all(e.sealed and not e.target_label for e in events)
    _assert_gone(_raw_rows(), "the raw audit rows")
    # ... yet administrators read them until the person is anonymised.
    client = Client()
    client.force_login(world.users[Role.ADMIN])
    page = client.get("/audit/").content.decode()
    assert NEW_NAME in page and NAME in page


def test_after_retention_no_audit_row_page_or_export_names_the_person_and_the_chain_verifies(
    world: World, person: Person, capsys: Any
) -> None:
    call_command("retention", "apply", "--as-of", "2040-01-01", "--years", "10")
    assert Person.objects.get(pk=person.pk).anonymised_on == dt.date(2040, 1, 1)
    assert SubjectKey.objects.get(subject_id=str(person.pk)).key == ""

    _assert_gone(_raw_rows(), "the raw audit rows")
    admin = world.users[Role.ADMIN]
    client = Client()
    client.force_login(admin)
    page = client.get("/audit/?per_page=500").content.decode()
    _assert_gone(page, "the audit page")
    assert "dihapus saat anonimisasi" in page  # what the page shows instead
    token = token_create(actor=None, user=admin)
    export = client.get("/api/v1/audit/events?limit=500", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert export.status_code == 200
    _assert_gone(export.content.decode(), "the audit API export")
    history = client.get(f"/wbp/{person.pk}/").content.decode()
    _assert_gone(history, "the person's page and its history")

    assert audit_verify().ok
    call_command("audit", "verify")
    assert "OK" in capsys.readouterr().out

    # Still tamper-evident: changing a sealed event (here: replacing its ciphertext) is caught.
    sealed = AuditEvent.objects.filter(subject_id=str(person.pk)).exclude(sealed="").order_by("seq").first()
    assert sealed is not None
    _tamper("UPDATE audit_auditevent SET sealed = %s WHERE seq = %s", ["x" + sealed.sealed[1:], sealed.seq])
    result = audit_verify()
    assert (result.ok, result.broken_seq) == (False, sealed.seq)


def test_a_search_by_name_leaves_a_fingerprint_not_the_name(
    world: World, person: Person, capsys: Any
) -> None:
    admin = world.users[Role.ADMIN]
    client = Client()
    client.force_login(admin)
    assert client.get("/wbp/", {"q": NEW_NAME}).status_code == 200
    event = AuditEvent.objects.filter(action="person.list").order_by("-seq").first()
    assert event is not None
    _assert_gone(_raw_rows(), "the raw audit rows")
    call_command("audit", "fingerprint", f"  {NEW_NAME.upper()} ")
    fingerprint = capsys.readouterr().out.strip()
    assert fingerprint.startswith("≈") and event.changes["filters"]["q"] == fingerprint
    call_command("audit", "fingerprint", "Orang Lain")
    assert capsys.readouterr().out.strip() != fingerprint


def test_an_event_about_a_row_one_step_from_the_person_is_sealed_too(world: World, person: Person) -> None:
    """A goal or follow-up (through its case), a certificate (through its enrolment) or an integration
    event (through its episode) carries the person's free text, income or employer: sealed the same way."""
    from sinergi.beneficiaries.models import IntegrationEvent

    integration = IntegrationEvent.objects.create(
        episode=person.episodes.get(), kind="pb", date=dt.date(2023, 1, 2), board_reference="TPP/1"
    )
    event = audit_record(
        actor=world.users[Role.ADMIN],
        action="test.integration_note",
        target=integration,
        changes={"note": f"{NAME} menunggu keputusan"},
    )
    assert event.subject_id == str(person.pk) and event.sealed
    _assert_gone(_raw_rows(), "the raw audit rows")
