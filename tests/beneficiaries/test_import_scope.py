"""Import scope: a row never reaches a person held outside the importer's units; transfers within scope;
every person an import creates or changes gets an entry in their own history."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.utils import translation

from sinergi.accounts.choices import Role
from sinergi.audit.labels import event_sentence
from sinergi.audit.models import AuditEvent
from sinergi.audit.services import audit_unseal, audit_verify
from sinergi.beneficiaries.choices import CustodyStatus
from sinergi.beneficiaries.models import CustodyEpisode, Person
from sinergi.beneficiaries.selectors import person_history
from sinergi.beneficiaries.services import wbp_import
from tests.beneficiaries.conftest import register
from tests.beneficiaries.test_import import row, write_csv
from tests.factories import KanwilFactory, UnitFactory, UserFactory

NIK = "1671141705900001"
CONFLICT = "orang ini tercatat di UPT lain; minta Kanwil atau admin memproses pemindahan"


@pytest.fixture
def regions(db: Any) -> dict[str, Any]:
    """Kanwil A with units A1 and A2, Kanwil B with unit B; officers of A1, of Kanwil A and an admin; a
    person held at B (the other region) and one held at A1."""
    kanwil_a, kanwil_b = KanwilFactory(), KanwilFactory()
    a1, a2 = UnitFactory(regional_office=kanwil_a), UnitFactory(regional_office=kanwil_a)
    b = UnitFactory(regional_office=kanwil_b)
    return {
        "a1": a1,
        "a2": a2,
        "b": b,
        "unit_officer": UserFactory(role=Role.UNIT_OFFICER, organisation=a1),
        "kanwil_officer": UserFactory(role=Role.KANWIL_OFFICER, organisation=kanwil_a),
        "admin": UserFactory(role=Role.ADMIN),
        "elsewhere": register(None, b, "Warga Wilayah Lain", "B-1", nik=NIK, offence_category="Narkotika"),
        "here": register(None, a1, "Warga Sini", "A1-1", nik="1671141705900002"),
    }


def _snapshot(person: Person) -> tuple[Any, ...]:
    person.refresh_from_db()
    episodes = tuple(
        CustodyEpisode.objects.filter(person=person)
        .order_by("pk")
        .values_list("unit_id", "status", "version")
    )
    return (person.full_name, person.offence_category, person.version, episodes)


def _import(actor: Any, tmp_path: Path, rows: list[dict[str, str]], **options: Any) -> Any:
    return wbp_import(actor=actor, path=write_csv(tmp_path / "f.csv", rows), **options)


def test_a_row_with_the_nik_of_another_regions_prisoner_is_a_conflict_and_nothing_is_written(
    regions: dict[str, Any], tmp_path: Path
) -> None:
    person = regions["elsewhere"]
    before = _snapshot(person)
    unit = regions["a1"].code
    summary = _import(
        regions["unit_officer"],
        tmp_path,
        [
            row(no_registrasi="A1-9", upt=unit, nama="Nama Ditimpa", nik=NIK, jenis_perkara="Pencurian"),
            row(no_registrasi="A1-10", upt=unit, nama="Warga Baru"),
        ],
    )
    assert summary.written is False and summary.invalid == 1 and summary.conflicts == 1
    assert summary.errors == [{"line": 2, "column": "nik", "message": CONFLICT}]
    assert _snapshot(person) == before
    assert not Person.objects.filter(full_name="Warga Baru").exists()
    refused = AuditEvent.objects.get(action="person.import")
    assert refused.changes["written"] is False and refused.changes["conflicts"] == 1
    assert not AuditEvent.objects.filter(
        target_id=str(person.pk), action__startswith="person.import"
    ).exists()


def test_with_skip_invalid_the_other_rows_are_written_and_the_person_is_untouched(
    regions: dict[str, Any], tmp_path: Path
) -> None:
    person = regions["elsewhere"]
    before = _snapshot(person)
    unit = regions["a1"].code
    summary = _import(
        regions["unit_officer"],
        tmp_path,
        [
            row(no_registrasi="A1-9", upt=unit, nama="Nama Ditimpa", nik=NIK),
            row(no_registrasi="A1-10", upt=unit, nama="Warga Baru"),
        ],
        skip_invalid=True,
    )
    assert summary.written is True and (summary.created, summary.invalid) == (1, 1)
    assert _snapshot(person) == before
    assert Person.objects.filter(full_name="Warga Baru").exists()
    done = AuditEvent.objects.get(action="person.import")
    assert done.changes | {"history_entries": 0} == {
        "rows": 2,
        "created": 1,
        "updated": 0,
        "unchanged": 0,
        "invalid": 1,
        "conflicts": 1,
        "transfers": 0,
        "written": True,
        "history_entries": 0,
    }


def test_a_registration_at_ones_own_unit_of_a_person_now_held_elsewhere_is_a_conflict(
    regions: dict[str, Any], tmp_path: Path
) -> None:
    # Released from A1 earlier, now held at B: the old A1 record cannot be used to reach them.
    person = register(None, regions["a1"], "Pernah Di Sini", "A1-5", nik="1671141705900003")
    CustodyEpisode.objects.filter(person=person).update(status=CustodyStatus.RELEASED)
    CustodyEpisode.objects.create(
        person=person, unit=regions["b"], registration_number="B-5", status="narapidana"
    )
    before = _snapshot(person)
    summary = _import(
        regions["unit_officer"],
        tmp_path,
        [row(no_registrasi="A1-5", upt=regions["a1"].code, nama="Nama Ditimpa", status="narapidana")],
    )
    assert summary.conflicts == 1 and summary.errors[0]["column"] == "no_registrasi"
    assert _snapshot(person) == before


def test_a_row_matching_another_regions_prisoner_by_name_and_birth_is_a_conflict(
    regions: dict[str, Any], tmp_path: Path
) -> None:
    person = regions["elsewhere"]
    before = _snapshot(person)
    summary = _import(
        regions["unit_officer"],
        tmp_path,
        [row(no_registrasi="A1-7", upt=regions["a1"].code, nama="Warga Wilayah Lain", nik="")],
    )
    assert summary.conflicts == 1 and summary.written is False
    assert _snapshot(person) == before


def test_a_kanwil_officer_imports_a_transfer_between_two_of_its_units(
    regions: dict[str, Any], tmp_path: Path
) -> None:
    person = regions["here"]
    old = CustodyEpisode.objects.get(person=person)
    summary = _import(
        regions["kanwil_officer"],
        tmp_path,
        [row(no_registrasi="A2-1", upt=regions["a2"].code, nama="Warga Sini", nik="1671141705900002")],
    )
    assert summary.written is True and (summary.created, summary.transfers, summary.invalid) == (1, 1, 0)
    old.refresh_from_db()
    assert old.status == CustodyStatus.TRANSFERRED and old.version == 2
    new = CustodyEpisode.objects.get(person=person, unit=regions["a2"])
    assert new.status == "narapidana"
    history = {
        e.changes["episode"]: e
        for e in audit_unseal(
            AuditEvent.objects.filter(target_id=str(person.pk), action="person.import_update")
        )
    }
    assert set(history) == {old.pk, new.pk}
    assert all(e.actor == regions["kanwil_officer"] for e in history.values())
    assert history[old.pk].changes["status"] == ["narapidana", "pindah"]
    assert history[old.pk].changes["unit"] == regions["a1"].name
    assert history[new.pk].changes["episode_created"] is True
    # The new unit's officer sees the person's new episode in the history, not the old unit's record.
    officer_a2 = UserFactory(role=Role.UNIT_OFFICER, organisation=regions["a2"])
    shown = person_history(actor=officer_a2, person=person)
    assert [e.pk for e in shown if e.action == "person.import_update"] == [history[new.pk].pk]
    # Importing the same file again changes nothing.
    again = _import(
        regions["kanwil_officer"],
        tmp_path,
        [row(no_registrasi="A2-1", upt=regions["a2"].code, nama="Warga Sini", nik="1671141705900002")],
    )
    assert (again.created, again.updated, again.transfers) == (0, 0, 0)


def test_a_unit_officer_cannot_transfer_but_an_admin_can_across_regions(
    regions: dict[str, Any], tmp_path: Path
) -> None:
    person = regions["elsewhere"]
    rows = [row(no_registrasi="A1-3", upt=regions["a1"].code, nama="Warga Wilayah Lain", nik=NIK)]
    assert _import(regions["unit_officer"], tmp_path, rows).conflicts == 1
    summary = _import(regions["admin"], tmp_path, rows)
    assert summary.written is True and summary.transfers == 1
    statuses = dict(CustodyEpisode.objects.filter(person=person).values_list("unit_id", "status"))
    assert statuses == {regions["b"].pk: "pindah", regions["a1"].pk: "narapidana"}


def test_a_released_person_may_be_readmitted_elsewhere(regions: dict[str, Any], tmp_path: Path) -> None:
    person = regions["elsewhere"]
    CustodyEpisode.objects.filter(person=person).update(status=CustodyStatus.RELEASED)
    summary = _import(
        regions["unit_officer"],
        tmp_path,
        [row(no_registrasi="A1-4", upt=regions["a1"].code, nama="Warga Wilayah Lain", nik=NIK)],
    )
    assert summary.written is True and (summary.created, summary.transfers) == (1, 0)
    assert CustodyEpisode.objects.filter(person=person).count() == 2


def test_every_created_or_changed_person_gets_an_entry_in_their_own_history(
    regions: dict[str, Any], tmp_path: Path
) -> None:
    unit = regions["a1"].code
    summary = _import(
        regions["unit_officer"],
        tmp_path,
        [
            row(no_registrasi="A1-1", upt=unit, nama="Warga Sini Diubah", nik="1671141705900002"),
            row(no_registrasi="A1-20", upt=unit, nama="Warga Baru Satu"),
            row(no_registrasi="A1-21", upt=unit, nama="Warga Baru Dua"),
        ],
    )
    assert summary.written is True and (summary.created, summary.updated) == (2, 1)
    here = regions["here"]
    [update] = audit_unseal([AuditEvent.objects.get(action="person.import_update", target_id=str(here.pk))])
    assert update.target_type == "beneficiaries.person"
    assert update.changes["full_name"] == ["Warga Sini", "Warga Sini Diubah"]
    assert update.changes["source"] == "f.csv" and update.changes["lines"] == [2]
    created = AuditEvent.objects.filter(action="person.import_create").values_list("target_id", flat=True)
    assert sorted(created) == sorted(
        str(pk)
        for pk in Person.objects.filter(full_name__startswith="Warga Baru").values_list("pk", flat=True)
    )
    file_event = AuditEvent.objects.get(action="person.import")
    assert file_event.changes["written"] is True and file_event.changes["history_entries"] == 3
    assert audit_verify().ok
    # NIKs never enter the trail.
    assert not AuditEvent.objects.filter(changes__icontains="1671141705900002").exists()
    # The person's history reads as a sentence.
    with translation.override("en"):
        sentence = event_sentence(update)
    assert ": Person changed by import, Warga Sini Diubah (" in sentence
    assert "Full name: Warga Sini → Warga Sini Diubah" in sentence and "File: f.csv" in sentence
