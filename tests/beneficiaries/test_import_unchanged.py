"""Importing a file again: unchanged rows are recognised without being checked or written, and a change
anywhere (in the file or in the stored record) still goes through the full check."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import pytest

from sinergi.accounts.choices import Role
from sinergi.audit.models import AuditEvent
from sinergi.beneficiaries.models import CustodyEpisode, ImportedRow, Person
from sinergi.beneficiaries.services import wbp_import
from sinergi.events.models import DomainEvent
from tests.beneficiaries.conftest import register
from tests.beneficiaries.test_import import row, write_csv
from tests.factories import KanwilFactory, UnitFactory, UserFactory

pytestmark = pytest.mark.django_db

ROWS = [
    row(no_registrasi="R-1", nama="Uji Satu", nik="1671141705900001"),
    row(no_registrasi="R-2", nama="Uji Dua"),
    row(no_registrasi="R-3", nama="Uji Tiga", upt="LAPAS-BYS", status="bebas", tanggal_bebas="2021-10-01"),
    row(no_registrasi="R-4", nama="Uji Empat", status="tahanan", lama_pidana=""),
]


def _state() -> dict[str, Any]:
    return {
        "people": sorted(Person.objects.values_list("pk", "full_name", "version", "updated_at")),
        "episodes": sorted(CustodyEpisode.objects.values_list("pk", "status", "version", "updated_at")),
        "events": DomainEvent.objects.count(),
        "audit": list(AuditEvent.objects.order_by("seq").values_list("action", flat=True)),
    }


def test_an_unchanged_file_writes_no_row_and_records_only_the_import(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "a.csv", ROWS)
    first = wbp_import(actor=None, path=path)
    assert (first.created, first.written) == (4, True)
    before = _state()
    again = wbp_import(actor=None, path=path)
    assert (again.rows, again.created, again.updated, again.unchanged, again.invalid) == (4, 0, 0, 4, 0)
    assert again.errors == [] and again.warnings == [] and again.changes == []
    after = _state()
    assert after["people"] == before["people"] and after["episodes"] == before["episodes"]
    assert after["events"] == before["events"]
    # The trail gains the import's own entry (with its counts) and no history entry for anybody.
    assert after["audit"] == [*before["audit"], "person.import"]
    entry = AuditEvent.objects.order_by("-seq").first()
    assert entry is not None and entry.changes["unchanged"] == 4 and entry.changes["history_entries"] == 0


def test_a_changed_field_in_one_row_updates_exactly_that_row(tmp_path: Path) -> None:
    wbp_import(actor=None, path=write_csv(tmp_path / "a.csv", ROWS))
    before = {p.full_name: p.version for p in Person.objects.all()}
    episodes = dict(CustodyEpisode.objects.values_list("registration_number", "version"))
    changed = [dict(r) for r in ROWS]
    changed[1]["lama_pidana"] = "1 tahun"
    audit_before = AuditEvent.objects.count()
    summary = wbp_import(actor=None, path=write_csv(tmp_path / "b.csv", changed))
    assert (summary.created, summary.updated, summary.unchanged) == (0, 1, 3)
    assert [c["line"] for c in summary.changes] == [3]
    assert {p.full_name: p.version for p in Person.objects.all()} == before
    now = dict(CustodyEpisode.objects.values_list("registration_number", "version"))
    assert now == episodes | {"R-2": episodes["R-2"] + 1}
    assert CustodyEpisode.objects.get(registration_number="R-2").sentence_years == 1
    actions = list(AuditEvent.objects.filter(seq__gt=audit_before).values_list("action", flat=True))
    assert sorted(actions) == ["person.import", "person.import_update"]
    # And the changed file is now the one that is unchanged.
    assert wbp_import(actor=None, path=write_csv(tmp_path / "c.csv", changed)).unchanged == 4


def test_a_record_changed_since_the_import_is_checked_and_put_back(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "a.csv", ROWS)
    wbp_import(actor=None, path=path)
    # A change that bypasses the services (no version bump): the stored values no longer hash the same.
    CustodyEpisode.objects.filter(registration_number="R-2").update(status="klien")
    Person.objects.filter(full_name="Uji Empat").update(offence_category="Lain")
    summary = wbp_import(actor=None, path=path)
    assert (summary.updated, summary.unchanged) == (2, 2)
    assert CustodyEpisode.objects.get(registration_number="R-2").status == "narapidana"
    assert Person.objects.get(full_name="Uji Empat").offence_category == "Pencurian"


def test_a_repeated_unchanged_row_is_still_a_repeat(tmp_path: Path) -> None:
    wbp_import(actor=None, path=write_csv(tmp_path / "a.csv", ROWS))
    summary = wbp_import(actor=None, path=write_csv(tmp_path / "b.csv", [*ROWS, ROWS[0]]))
    assert summary.written is False and summary.unchanged == 4 and summary.invalid == 1
    assert [(e["line"], e["column"]) for e in summary.errors] == [(6, "no_registrasi")]


def test_rows_with_warnings_are_checked_every_time_so_their_warnings_are_reported(tmp_path: Path) -> None:
    rows = [
        row(kelurahan_desa="Kampung Entah"),
        row(no_registrasi="T-2", nama="Uji Dua", nik="1671141705910001"),
    ]
    path = write_csv(tmp_path / "w.csv", rows)
    first = wbp_import(actor=None, path=path)
    again = wbp_import(actor=None, path=path)
    assert again.unchanged == 2 and again.warnings == first.warnings and len(again.warnings) == 2


def test_an_unchanged_row_of_a_person_now_held_outside_the_officers_units_is_a_conflict(
    tmp_path: Path,
) -> None:
    kanwil_a, kanwil_b = KanwilFactory(), KanwilFactory()
    a1, b = UnitFactory(regional_office=kanwil_a), UnitFactory(regional_office=kanwil_b)
    officer = UserFactory(role=Role.UNIT_OFFICER, organisation=a1)
    nik = "1671141705900009"
    path = write_csv(
        tmp_path / "a.csv",
        [row(no_registrasi="A-1", upt=a1.code, nik=nik, status="bebas", tanggal_bebas="2021-06-01")],
    )
    assert wbp_import(actor=officer, path=path).created == 1
    # Readmitted at a unit of another region since then (open custody there).
    person = Person.objects.get()
    CustodyEpisode.objects.create(
        person=person, unit=b, registration_number="B-9", status="narapidana", start_date="2022-01-01"
    )
    summary = wbp_import(actor=officer, path=path)
    assert summary.written is False and summary.conflicts == 1 and summary.unchanged == 0


def test_the_row_hashes_follow_the_rows_written(tmp_path: Path) -> None:
    wbp_import(actor=None, path=write_csv(tmp_path / "a.csv", ROWS))
    assert ImportedRow.objects.count() == 4
    # A dry run or a refused file keeps nothing.
    changed = [dict(r, jenis_perkara="Lain") for r in ROWS]
    wbp_import(actor=None, path=write_csv(tmp_path / "b.csv", changed), dry_run=True)
    assert wbp_import(actor=None, path=write_csv(tmp_path / "c.csv", ROWS)).unchanged == 4
    assert register(None, UnitFactory(), "Tanpa Berkas", "X-1") is not None
    assert ImportedRow.objects.count() == 4


def test_an_invalid_row_refuses_the_whole_file_even_when_the_other_rows_are_unchanged(
    tmp_path: Path,
) -> None:
    wbp_import(actor=None, path=write_csv(tmp_path / "a.csv", ROWS))
    before = _state()
    rows = [dict(r) for r in ROWS]
    rows[1]["lama_pidana"] = "1 tahun"  # a real change, which must not be written either
    rows.append(row(no_registrasi="R-5", nama="Uji Lima", nik="1671141705900005", tanggal_lahir="kemarin"))
    summary = wbp_import(actor=None, path=write_csv(tmp_path / "b.csv", rows))
    assert summary.written is False
    assert (summary.rows, summary.unchanged, summary.updated, summary.invalid) == (5, 3, 1, 1)
    # The same error report as ever: the file's line, the column and the Indonesian message.
    assert [(e["line"], e["column"]) for e in summary.errors] == [(6, "tanggal_lahir")]
    assert "tidak dapat dibaca" in summary.errors[0]["message"]
    after = _state()
    assert after["people"] == before["people"] and after["episodes"] == before["episodes"]
    assert after["events"] == before["events"]
    assert after["audit"] == [*before["audit"], "person.import"]
    refused = AuditEvent.objects.order_by("-seq").first()
    assert refused is not None and refused.changes["written"] is False and refused.changes["invalid"] == 1
    assert CustodyEpisode.objects.get(registration_number="R-2").sentence_years != 1


def test_the_row_hash_is_keyed_so_it_does_not_reveal_the_nik(tmp_path: Path, settings: Any) -> None:
    """A row holds the NIK; its stored hash must not be computable without the field key (an unkeyed hash
    could be brute-forced over the NIK's few unknown digits once the rest of the row is known)."""
    from cryptography.fernet import Fernet

    from sinergi.beneficiaries.importing import RowChecker, read_rows
    from sinergi.beneficiaries.services.imports import _KnownRows

    path = write_csv(tmp_path / "a.csv", ROWS[:1])
    wbp_import(actor=None, path=path)
    stored = ImportedRow.objects.get().row_hash
    [(_, originals)] = list(read_rows(path))
    assert _KnownRows(RowChecker(actor=None)).row_hash(originals) == stored
    # Nothing of the row, the NIK least of all, can be hashed to the stored value without the key.
    text = "\x1e".join(originals) + "\x1d" + "\x1f".join(map(str, originals.values()))
    for unkeyed in (
        hashlib.blake2b(text.encode(), digest_size=16).hexdigest(),
        hashlib.md5(text.encode()).hexdigest(),  # noqa: S324 (what must not match)
        hashlib.blake2b(b"1671141705900001", digest_size=16).hexdigest(),
    ):
        assert unkeyed != stored
    assert "1671141705900001" not in stored
    # Another field key gives another hash of the same row, so the rows are checked in full again.
    settings.FIELD_KEY = Fernet.generate_key().decode()
    assert _KnownRows(RowChecker(actor=None)).row_hash(originals) != stored
