"""The whole-file shortcut (PostgreSQL): a file found wholly unchanged is known unchanged again, without
reading its rows, only while nothing the verdict depended on has been written since. Everything else takes
the full path and gives the result it gives today (the import's own dry run without the shortcut is the
reference). These tests commit (the shortcut is only kept by an import that is its own transaction)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.db import connection, transaction

from sinergi.accounts.choices import OrganisationKind, Role
from sinergi.accounts.models import Organisation
from sinergi.audit.models import AuditEvent
from sinergi.beneficiaries.models import CustodyEpisode, Person
from sinergi.beneficiaries.services import imports, wbp_import
from sinergi.events.models import DomainEvent
from tests.beneficiaries.test_import import row, write_csv
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db(transaction=True)

ROWS = [
    row(no_registrasi="W-1", nama="Uji Satu", nik="1671141705900001"),
    row(no_registrasi="W-2", nama="Uji Dua"),
    row(no_registrasi="W-3", nama="Uji Tiga", upt="LAPAS-BYS", status="bebas", tanggal_bebas="2021-10-01"),
    row(no_registrasi="W-4", nama="Uji Empat", status="tahanan", lama_pidana=""),
]
POSTGRES = connection.vendor == "postgresql"


@pytest.fixture
def reads(reference_data: None, monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """The files whose rows the import read (the full path reads them; the shortcut does not)."""
    seen: list[Path] = []
    real = imports.read_rows

    def spy(path: Path, **kwargs: Any) -> Iterator[tuple[int, dict[str, object]]]:
        seen.append(path)
        return real(path, **kwargs)

    monkeypatch.setattr(imports, "read_rows", spy)
    return seen


def _state() -> dict[str, Any]:
    return {
        "people": sorted(Person.objects.values_list("pk", "full_name", "version", "updated_at", "warnings")),
        "episodes": sorted(CustodyEpisode.objects.values_list("pk", "status", "version", "updated_at")),
        "events": DomainEvent.objects.count(),
        "audit": list(AuditEvent.objects.order_by("seq").values_list("action", flat=True)),
    }


def _today(path: Path, actor: Any = None) -> dict[str, Any]:
    """What today's full path says of the file (a dry run with the shortcut off: nothing is kept)."""
    real = imports._LastFile.digest
    imports._LastFile.digest = lambda self, path, known: ""  # type: ignore[method-assign]
    try:
        summary = wbp_import(actor=actor, path=path, dry_run=True)
    finally:
        imports._LastFile.digest = real  # type: ignore[method-assign]
    return summary.as_dict() | {"written": None}


def _kept(path: Path, reads: list[Path], actor: Any = None) -> None:
    """Import the file, then again: known unchanged without reading it (on PostgreSQL)."""
    assert wbp_import(actor=actor, path=path).created == len(ROWS)  # every row written and remembered: kept
    reads.clear()
    again = wbp_import(actor=actor, path=path)
    assert again.unchanged == len(ROWS) and again.written is True
    assert set(reads) == (set() if POSTGRES else {path})
    reads.clear()


def test_an_unchanged_file_is_known_without_reading_it_and_writes_and_audits_as_before(
    tmp_path: Path, reads: list[Path]
) -> None:
    path = write_csv(tmp_path / "a.csv", ROWS)
    assert wbp_import(actor=None, path=path).created == 4  # every row written and remembered: kept
    full = _today(path)
    before = _state()
    reads.clear()
    quick = wbp_import(actor=None, path=path)
    assert set(reads) == (set() if POSTGRES else {path})
    assert quick.as_dict() | {"written": None} == full
    assert (quick.rows, quick.unchanged, quick.created, quick.updated, quick.written) == (4, 4, 0, 0, True)
    after = _state()
    assert after["people"] == before["people"] and after["episodes"] == before["episodes"]
    assert after["events"] == before["events"]
    # The trail gains the import's own entry, with the same counts as the full path's.
    assert after["audit"] == [*before["audit"], "person.import"]
    entry = AuditEvent.objects.order_by("-seq").first()
    assert entry is not None and entry.changes == quick.counts() | {"history_entries": 0}
    assert entry.changes["unchanged"] == 4
    # And again: the shortcut keeps holding while nothing is written.
    reads.clear()
    assert wbp_import(actor=None, path=path).as_dict() == quick.as_dict()
    assert set(reads) == (set() if POSTGRES else {path})
    if POSTGRES:
        # Each import kept empties the change log of what came before it began.
        with connection.cursor() as cursor:
            cursor.execute("SELECT COUNT(*) FROM beneficiaries_registrychange")
            assert cursor.fetchone()[0] == 0


def test_a_changed_file_then_its_unchanged_copy(tmp_path: Path, reads: list[Path]) -> None:
    path = write_csv(tmp_path / "a.csv", ROWS)
    _kept(path, reads)
    changed = [dict(r) for r in ROWS]
    changed[1]["lama_pidana"] = "1 tahun"
    other = write_csv(tmp_path / "b.csv", changed)
    assert (wbp_import(actor=None, path=other).updated, set(reads)) == (1, {other})
    # The first file again is now a change back; then the second file again is a change, after which
    # it is known unchanged.
    reads.clear()
    assert wbp_import(actor=None, path=path).updated == 1 and set(reads) == {path}
    reads.clear()
    assert wbp_import(actor=None, path=other).updated == 1 and set(reads) == {other}
    reads.clear()
    assert wbp_import(actor=None, path=other).unchanged == 4
    assert set(reads) == (set() if POSTGRES else {other})


def test_a_file_with_warnings_or_a_repeat_is_never_known_unread(tmp_path: Path, reads: list[Path]) -> None:
    warned = write_csv(
        tmp_path / "w.csv",
        [
            *ROWS,
            row(no_registrasi="W-5", nama="Uji Lima", nik="1671141705900005", kelurahan_desa="Kampung Entah"),
        ],
    )
    first = wbp_import(actor=None, path=warned)
    assert first.created == 5 and first.warnings
    reads.clear()
    again = wbp_import(actor=None, path=warned)
    assert set(reads) == {warned} and again.warnings == first.warnings and again.unchanged == 5
    reads.clear()
    assert wbp_import(actor=None, path=warned).warnings == first.warnings and set(reads) == {warned}
    repeated = write_csv(tmp_path / "r.csv", [*ROWS, ROWS[0]])
    reads.clear()
    summary = wbp_import(actor=None, path=repeated)
    assert summary.written is False and summary.invalid == 1 and set(reads) == {repeated}


def test_one_byte_changed_takes_the_full_path(tmp_path: Path, reads: list[Path]) -> None:
    path = write_csv(tmp_path / "a.csv", ROWS)
    _kept(path, reads)
    data = path.read_bytes()
    changed = tmp_path / "b.csv"
    changed.write_bytes(data.replace(b"Uji Dua", b"Uji Duo"))
    expected = _today(changed)
    reads.clear()
    summary = wbp_import(actor=None, path=changed)
    assert set(reads) == {changed}
    assert summary.as_dict() | {"written": None} == expected
    assert (summary.updated, summary.unchanged) == (1, 3)
    assert Person.objects.filter(full_name="Uji Duo").exists()


def test_a_record_edited_behind_the_services_back_takes_the_full_path_and_is_put_back(
    tmp_path: Path, reads: list[Path]
) -> None:
    path = write_csv(tmp_path / "a.csv", ROWS)
    _kept(path, reads)
    Person.objects.filter(full_name="Uji Empat").update(offence_category="Lain")  # no version bump, no signal
    expected = _today(path)
    reads.clear()
    summary = wbp_import(actor=None, path=path)
    assert set(reads) == {path}
    assert summary.as_dict() | {"written": None} == expected
    assert (summary.updated, summary.unchanged) == (1, 3)
    assert Person.objects.get(full_name="Uji Empat").offence_category == "Pencurian"


def test_an_episode_edited_or_added_behind_the_services_back_takes_the_full_path(
    tmp_path: Path, reads: list[Path]
) -> None:
    path = write_csv(tmp_path / "a.csv", ROWS)
    _kept(path, reads)
    CustodyEpisode.objects.filter(registration_number="W-2").update(status="klien")
    reads.clear()
    summary = wbp_import(actor=None, path=path)
    assert set(reads) == {path} and (summary.updated, summary.unchanged) == (1, 3)


@pytest.mark.parametrize("change", ["renamed", "removed"])
def test_a_unit_renamed_or_removed_takes_the_full_path(
    tmp_path: Path, reads: list[Path], change: str
) -> None:
    path = write_csv(tmp_path / "a.csv", ROWS)
    _kept(path, reads)
    units = Organisation.objects.filter(kind=OrganisationKind.UNIT, code="LAPAS-BYS")
    if change == "renamed":
        units.update(name="Lapas Baru")  # QuerySet.update: no service, no signal
    else:
        units.update(code="LAPAS-LAMA", name="Lapas Lama")  # the file's unit no longer exists as such
    expected = _today(path)
    reads.clear()
    summary = wbp_import(actor=None, path=path)
    assert set(reads) == {path}
    assert summary.as_dict() | {"written": None} == expected
    if change == "renamed":
        assert (summary.unchanged, summary.written) == (4, True)
    else:
        assert summary.written is False and summary.invalid == 1
        assert [(e["line"], e["column"]) for e in summary.errors] == [(4, "upt")]


def test_a_new_field_key_takes_the_full_path(tmp_path: Path, reads: list[Path], settings: Any) -> None:
    """Another field key gives another digest: the file is read, and today's answer to data kept under another
    key (the key mismatch refused, nothing written) comes back, not a shortcut."""
    from cryptography.fernet import Fernet

    from sinergi.core.errors import ApplicationError

    path = write_csv(tmp_path / "a.csv", ROWS)
    _kept(path, reads)
    before = _state()
    settings.FIELD_KEY = Fernet.generate_key().decode()
    with pytest.raises(ApplicationError) as today:
        _today(path)
    reads.clear()
    with pytest.raises(ApplicationError) as now:
        wbp_import(actor=None, path=path)
    assert set(reads) == {path}
    assert now.value.code == today.value.code == "field_key_mismatch"
    assert _state() == before


def test_another_importer_scope_takes_the_full_path(tmp_path: Path, reads: list[Path]) -> None:
    path = write_csv(tmp_path / "a.csv", ROWS)
    _kept(path, reads)
    admin = UserFactory(role=Role.ADMIN)
    officer = UserFactory(role=Role.UNIT_OFFICER, organisation=Organisation.objects.get(code="LAPAS-PLG-I"))
    expected = _today(path, officer)
    reads.clear()
    summary = wbp_import(actor=officer, path=path)
    assert set(reads) == {path}
    assert summary.as_dict() | {"written": None} == expected
    assert summary.written is False and summary.conflicts + summary.invalid >= 1
    # An administrator's scope is the whole country, as the command's: the same verdict, known unread.
    reads.clear()
    summary = wbp_import(actor=admin, path=path)
    assert (summary.unchanged, summary.written) == (4, True)
    assert set(reads) == (set() if POSTGRES else {path})


def test_a_dry_run_or_an_outer_transaction_keeps_nothing(tmp_path: Path, reads: list[Path]) -> None:
    path = write_csv(tmp_path / "a.csv", ROWS)
    assert wbp_import(actor=None, path=path, dry_run=True).created == 4
    reads.clear()
    assert wbp_import(actor=None, path=path, dry_run=True).created == 4 and set(reads) == {path}
    with transaction.atomic():
        wbp_import(actor=None, path=path)
        wbp_import(actor=None, path=path)
        # Written in the same transaction after the import: would be missed if that import had kept the file.
        Person.objects.filter(full_name="Uji Empat").update(offence_category="Lain")
    reads.clear()
    summary = wbp_import(actor=None, path=path)
    assert set(reads) == {path} and (summary.updated, summary.unchanged) == (1, 3)


def test_an_import_that_began_earlier_does_not_replace_a_later_one(tmp_path: Path, reads: list[Path]) -> None:
    if not POSTGRES:
        pytest.skip("the shortcut is kept on PostgreSQL only")
    earlier = imports._LastFile()
    path = write_csv(tmp_path / "a.csv", ROWS)
    _kept(path, reads)
    with connection.cursor() as cursor:
        cursor.execute("SELECT digest FROM beneficiaries_importedfile")
        kept = cursor.fetchone()[0]
    with transaction.atomic():
        earlier.own_transaction = True
        earlier.remember("0" * 64, 4)
    with connection.cursor() as cursor:
        cursor.execute("SELECT digest FROM beneficiaries_importedfile")
        assert cursor.fetchone()[0] == kept
