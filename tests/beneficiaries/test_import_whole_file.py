"""The whole-file shortcut (PostgreSQL): a file found wholly unchanged is known unchanged again, without
reading its rows, only while nothing the verdict depended on has been written since. Everything else takes
the full path and gives the result it gives today (the import's own dry run without the shortcut is the
reference). These tests commit (the shortcut is only kept by an import that is its own transaction)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import DEFAULT_DB_ALIAS, connection, connections, transaction

from sinergi.accounts.choices import OrganisationKind, Role
from sinergi.accounts.models import Organisation
from sinergi.audit.models import AuditEvent
from sinergi.beneficiaries.models import CustodyEpisode, Person
from sinergi.beneficiaries.services import (
    import_batch_confirm,
    import_batch_create,
    import_batch_run,
    imports,
    registry_log_prune,
    wbp_import,
)
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


def test_a_dry_run_keeps_nothing_and_an_outer_transaction_that_writes_afterwards_loses_its_file(
    tmp_path: Path, reads: list[Path]
) -> None:
    path = write_csv(tmp_path / "a.csv", ROWS)
    assert wbp_import(actor=None, path=path, dry_run=True).created == 4
    reads.clear()
    assert wbp_import(actor=None, path=path, dry_run=True).created == 4 and set(reads) == {path}
    with transaction.atomic():
        wbp_import(actor=None, path=path)
        wbp_import(actor=None, path=path)
        # Written in the same transaction after the import: missed if that import's own log entry still
        # counted as its own writes.
        Person.objects.filter(full_name="Uji Empat").update(offence_category="Lain")
    reads.clear()
    summary = wbp_import(actor=None, path=path)
    assert set(reads) == {path} and (summary.updated, summary.unchanged) == (1, 3)


def test_an_import_inside_an_outer_transaction_keeps_its_file(tmp_path: Path, reads: list[Path]) -> None:
    """As the web import runs (inside the batch's transaction, which then writes only the batch): the file is
    kept, and known unchanged next time, whether that import is its own transaction or not."""
    path = write_csv(tmp_path / "a.csv", ROWS)
    with transaction.atomic():
        Person.objects.filter(full_name="nobody").update(
            offence_category="Lain"
        )  # written before: seen by it
        assert wbp_import(actor=None, path=path).created == 4
    reads.clear()
    with transaction.atomic():
        assert wbp_import(actor=None, path=path).unchanged == 4
    assert set(reads) == (set() if POSTGRES else {path})
    reads.clear()
    assert wbp_import(actor=None, path=path).unchanged == 4
    assert set(reads) == (set() if POSTGRES else {path})
    assert _log() == 0


def _log() -> int:
    if not POSTGRES:
        return 0
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM beneficiaries_registrychange")
        return int(cursor.fetchone()[0])


def _web_import(officer: Any, path: Path) -> dict[str, Any]:
    """Upload, check, confirm and import as the web does (the jobs run in the test's thread)."""
    upload = SimpleUploadedFile("unggah.csv", path.read_bytes(), content_type="text/csv")
    batch = import_batch_create(actor=officer, upload=upload)
    import_batch_run(batch_id=batch.pk, dry_run=True)
    batch.refresh_from_db()
    assert batch.status == "checked", batch.check_summary
    batch = import_batch_confirm(actor=officer, batch=batch, skip_invalid=False)
    import_batch_run(batch_id=batch.pk, dry_run=False)
    batch.refresh_from_db()
    assert batch.status == "done", batch.import_summary
    return batch.import_summary


def test_web_imports_keep_the_change_log_short_and_know_an_unchanged_upload(
    reads: list[Path], world: Any, settings: Any, tmp_path: Path
) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    officer = world.users[Role.UNIT_OFFICER]
    unit = officer.organisation.code
    path = write_csv(
        tmp_path / "a.csv",
        [
            row(upt=unit, no_registrasi=f"V-{i}", nama=f"Warga Web {i}", nik=f"16711417059{i:05d}")
            for i in range(3)
        ],
    )
    assert _web_import(officer, path)["created"] == 3
    assert _log() == 0
    for turn in range(4):
        # Ordinary writes between imports, each its own transaction: one log entry each.
        for i in range(5):
            Person.objects.filter(full_name="Warga Web 1").update(offence_category=f"Lain {turn} {i}")
        assert _log() == (5 if POSTGRES else 0)
        reads.clear()
        summary = _web_import(officer, path)
        assert summary["updated"] == 1 and summary["unchanged"] == 2 and set(reads)
        assert _log() == 0  # whatever the path, an import written empties the log of what it saw
    # The same upload again, nothing written since: its check and its import know it unread.
    reads.clear()
    summary = _web_import(officer, path)
    assert (summary["unchanged"], summary["created"], summary["updated"]) == (3, 0, 0)
    assert bool(reads) is not POSTGRES
    assert AuditEvent.objects.filter(action="person.import").count() == 6


def test_a_file_kept_in_another_cluster_is_replaced(tmp_path: Path, reads: list[Path]) -> None:
    """After a dump restored into a new cluster: the kept row names the old log table's oid and a snapshot
    of transaction ids the new cluster has not reached, and the log may hold such ids. The next import
    takes the full path and keeps its file again at once."""
    if not POSTGRES:
        pytest.skip("the shortcut is kept on PostgreSQL only")
    path = write_csv(tmp_path / "a.csv", ROWS)
    _kept(path, reads)
    ahead = (1 << 32) + 100  # the old cluster had wrapped its 32-bit ids once: this one has not
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE beneficiaries_importedfile SET log_table = 1, snapshot = %s, recorder = %s",
            [f"{ahead}:{ahead + 5}:{ahead + 1}", str(ahead)],
        )
        cursor.execute(
            "INSERT INTO beneficiaries_registrychange (xid) VALUES (%s), (%s)", [str(ahead), str(ahead + 3)]
        )
    summary = wbp_import(actor=None, path=path)
    assert set(reads) == {path} and summary.unchanged == 4
    reads.clear()
    assert wbp_import(actor=None, path=path).unchanged == 4
    assert set(reads) == set()
    assert _log() == 0


def test_the_log_is_pruned_without_an_import_and_never_loses_a_change(
    tmp_path: Path, reads: list[Path]
) -> None:
    if not POSTGRES:
        assert registry_log_prune() == {"dropped": 0, "left": 0, "skipped": 1}
        pytest.skip("the change log is kept on PostgreSQL only")
    path = write_csv(tmp_path / "a.csv", ROWS)
    for i in range(5):
        Person.objects.filter(full_name="nobody").update(offence_category=f"Lain {i}")
    assert registry_log_prune()["skipped"] == 0
    assert _log() == 0
    _kept(path, reads)
    # Nothing written since the file was kept: the pruning leaves it kept.
    registry_log_prune()
    assert wbp_import(actor=None, path=path).unchanged == 4
    assert set(reads) == set()
    # A transaction that was running when the file was kept, and wrote, commits after: the pruning drops its
    # entry only with the kept file, so the change is still found.
    other = connections.create_connection(DEFAULT_DB_ALIAS)
    try:
        with other.cursor() as cursor:
            cursor.execute("BEGIN")
            cursor.execute(
                "UPDATE beneficiaries_person SET offence_category = 'Lain' WHERE full_name = 'Uji Empat'"
            )
            assert wbp_import(actor=None, path=path).unchanged == 4  # kept, with that transaction running
            cursor.execute("COMMIT")
    finally:
        other.close()
    assert registry_log_prune()["skipped"] == 0
    assert _log() == 0
    expected = _today(path)
    reads.clear()
    summary = wbp_import(actor=None, path=path)
    assert set(reads) == {path} and summary.as_dict() | {"written": None} == expected
    assert (summary.updated, summary.unchanged) == (1, 3)


def test_the_pruning_waits_for_no_import_and_leaves_a_running_one_alone(tmp_path: Path) -> None:
    if not POSTGRES:
        pytest.skip("the change log is kept on PostgreSQL only")
    Person.objects.filter(full_name="nobody").update(offence_category="Lain")
    logged = _log()
    assert logged >= 1
    other = connections.create_connection(DEFAULT_DB_ALIAS)
    try:
        with other.cursor() as cursor:  # an import between its snapshot and its commit, elsewhere
            cursor.execute("SELECT pg_advisory_lock_shared(%s)", [imports._IMPORT_LOCK])
            assert registry_log_prune() == {"dropped": 0, "left": 0, "skipped": 1}
            assert _log() == logged
            cursor.execute("SELECT pg_advisory_unlock_shared(%s)", [imports._IMPORT_LOCK])
    finally:
        other.close()
    assert registry_log_prune()["skipped"] == 0 and _log() == 0


def test_an_import_that_did_not_see_the_keeper_does_not_replace_it(tmp_path: Path, reads: list[Path]) -> None:
    """The import that keeps a file drops its own log entry: an import whose snapshot was taken before that
    one committed (and so did not see its writes) must not take its place, or those writes would be lost."""
    if not POSTGRES:
        pytest.skip("the shortcut is kept on PostgreSQL only")
    first = write_csv(tmp_path / "b.csv", ROWS)
    assert wbp_import(actor=None, path=first).created == 4
    with connection.cursor() as cursor:
        cursor.execute("SELECT digest FROM beneficiaries_importedfile")
        first_digest = cursor.fetchone()[0]
    earlier = imports._LastFile()  # an import of the first file begins: it is unchanged as of now
    changed = [dict(r) for r in ROWS]
    changed[1]["lama_pidana"] = "1 tahun"
    assert wbp_import(actor=None, path=write_csv(tmp_path / "c.csv", changed)).updated == 1  # kept, committed
    with transaction.atomic():
        earlier.remember(first_digest, 4)  # ... and keeps it, with the snapshot that did not see that update
    earlier.release()
    reads.clear()
    summary = wbp_import(actor=None, path=first)
    assert set(reads) == {first} and (summary.updated, summary.unchanged) == (1, 3)


def test_the_pruning_is_a_daily_job() -> None:
    from django.utils.module_loading import import_string

    from sinergi.jobs.schedule import SCHEDULE

    assert import_string(SCHEDULE["beneficiaries.registry_log_prune"][1]) is registry_log_prune


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
        earlier.remember("0" * 64, 4)
    earlier.release()
    with connection.cursor() as cursor:
        cursor.execute("SELECT digest FROM beneficiaries_importedfile")
        assert cursor.fetchone()[0] == kept


def _kept_row() -> tuple[str, str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT digest, snapshot FROM beneficiaries_importedfile")
        digest, snapshot = cursor.fetchone()
        return digest, snapshot


def test_an_import_that_a_pruning_overtook_keeps_nothing(tmp_path: Path, reads: list[Path]) -> None:
    """The pruning moves the log's horizon past an import's snapshot only when that import does not hold the
    import lock (here: it let it go); such an import's snapshot is then older than the horizon, and it keeps
    nothing: the write the pruning dropped from the log is found by the next import."""
    if not POSTGRES:
        pytest.skip("the shortcut is kept on PostgreSQL only")
    first = write_csv(tmp_path / "b.csv", ROWS)
    _kept(first, reads)
    digest, _snapshot = _kept_row()
    earlier = imports._LastFile()  # an import of the same file begins: unchanged as of now
    earlier.release()
    Person.objects.filter(full_name="Uji Empat").update(offence_category="Lain")  # it does not see this
    assert registry_log_prune()["skipped"] == 0 and _log() == 0  # the change's entry is dropped
    with transaction.atomic():
        earlier.remember(digest, 4)  # refused: older than the horizon
    assert _kept_row()[1] != earlier.snapshot
    expected = _today(first)
    reads.clear()
    summary = wbp_import(actor=None, path=first)
    assert set(reads) == {first} and summary.as_dict() | {"written": None} == expected
    assert (summary.updated, summary.unchanged) == (1, 3)


def test_a_horizon_from_another_cluster_is_ignored_and_replaced(tmp_path: Path, reads: list[Path]) -> None:
    if not POSTGRES:
        pytest.skip("the shortcut is kept on PostgreSQL only")
    path = write_csv(tmp_path / "a.csv", ROWS)
    _kept(path, reads)
    ahead = (1 << 32) + 100
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE core_changehorizon SET log_table = 1, snapshot = %s, dropped = %s "
            "WHERE log = 'beneficiaries_registrychange'",
            [f"{ahead}:{ahead + 5}:{ahead + 1}", str(ahead)],
        )
        assert cursor.rowcount == 1
    assert wbp_import(actor=None, path=path).unchanged == 4  # the kept file still holds
    assert set(reads) == set()
    assert registry_log_prune()["skipped"] == 0
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT log_table = CAST(to_regclass('beneficiaries_registrychange') AS oid) "
            "FROM core_changehorizon WHERE log = 'beneficiaries_registrychange'"
        )
        assert cursor.fetchone()[0] is True
    assert wbp_import(actor=None, path=path).unchanged == 4
    assert set(reads) == set()
