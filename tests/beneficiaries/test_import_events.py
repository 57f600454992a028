"""The registry import tells the other apps what it recorded, through the outbox (domain events written in
the import's transaction): a release hands the person over exactly once, a readmission is flagged."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from sinergi.aftercare.models import AftercareCase
from sinergi.beneficiaries.choices import CustodyStatus
from sinergi.beneficiaries.models import CustodyEpisode
from sinergi.beneficiaries.services import wbp_import
from sinergi.events import kinds
from sinergi.events.models import DomainEvent
from sinergi.events.services import events_dispatch, events_pending_count
from sinergi.programs.choices import Stage
from sinergi.programs.models import Enrollment
from tests.aftercare.conftest import handover, setting  # noqa: F401 (fixtures)
from tests.beneficiaries.conftest import register
from tests.beneficiaries.test_import import row, write_csv
from tests.events.test_worker_handover import _wait, start_worker  # noqa: F401 (fixture)

RELEASED_ON = "2022-05-02"


def _release_row(enrollment: Any) -> dict[str, str]:
    """The registry's row for an enrolled participant (see tests.beneficiaries.conftest.register), now
    released."""
    episode = enrollment.episode
    return row(
        no_registrasi=episode.registration_number,
        upt=episode.unit.code,
        nama=enrollment.person.full_name,
        kelurahan_desa="",
        tanggal_mulai_pidana="2021-01-01",
        lama_pidana="2 tahun",
        status="bebas",
        tanggal_bebas=RELEASED_ON,
    )


def _import_release(handover: dict[str, Any], tmp_path: Path) -> Any:  # noqa: F811
    enrollment = handover["enrollments"][0]
    path = write_csv(tmp_path / "rilis.csv", [_release_row(enrollment)])
    summary = wbp_import(actor=handover["officer"], path=path)
    assert summary.written is True and summary.updated == 1, summary.errors
    return enrollment


def test_a_release_recorded_by_an_import_hands_over_exactly_once(
    handover: dict[str, Any],  # noqa: F811
    tmp_path: Path,
) -> None:
    enrollment = _import_release(handover, tmp_path)
    event = DomainEvent.objects.get(kind=kinds.PERSON_RELEASED)
    assert (event.subject_type, event.subject_id) == ("beneficiaries.person", str(enrollment.person_id))
    assert event.payload == {
        "episode": enrollment.episode_id,
        "unit": enrollment.episode.unit_id,
        "kind": "bebas",
        "on": RELEASED_ON,
    }
    assert events_dispatch() >= 1
    assert events_dispatch() == 0
    case = AftercareCase.objects.get()
    assert (case.person_id, case.bapas, case.release_kind) == (
        enrollment.person_id,
        handover["bapas"],
        "bebas",
    )
    assert Enrollment.objects.get(pk=enrollment.pk).stage == Stage.WITHDRAWN
    # The same file again records nothing new.
    _import_again = wbp_import(actor=handover["officer"], path=tmp_path / "rilis.csv")
    assert _import_again.unchanged == 1
    assert DomainEvent.objects.filter(kind=kinds.PERSON_RELEASED).count() == 1


def test_a_refused_import_records_no_event(handover: dict[str, Any], tmp_path: Path) -> None:  # noqa: F811
    enrollment = handover["enrollments"][0]
    path = write_csv(
        tmp_path / "r.csv", [_release_row(enrollment), row(no_registrasi="X-1", jenis_kelamin="?")]
    )
    before = DomainEvent.objects.count()  # the hand-registered people's own custody.started
    assert wbp_import(actor=None, path=path).written is False
    assert DomainEvent.objects.count() == before


def test_a_new_episode_for_a_released_person_is_a_readmission(db: Any, tmp_path: Path) -> None:
    from tests.factories import UnitFactory

    unit = UnitFactory()
    person = register(None, unit, "Pernah Bebas", "U-1", nik="1671141705900001")
    CustodyEpisode.objects.filter(person=person).update(status=CustodyStatus.RELEASED)
    DomainEvent.objects.all().delete()  # only the import's events below
    rows = [
        row(no_registrasi="U-2", upt=unit.code, nama="Pernah Bebas", nik="1671141705900001"),
        row(no_registrasi="U-3", upt=unit.code, nama="Baru Pertama Kali"),
    ]
    assert wbp_import(actor=None, path=write_csv(tmp_path / "m.csv", rows)).written is True
    started = {
        e.payload["episode"]: e for e in DomainEvent.objects.filter(kind=kinds.CUSTODY_STARTED).order_by("pk")
    }
    again = CustodyEpisode.objects.get(registration_number="U-2")
    first = CustodyEpisode.objects.get(registration_number="U-3")
    assert started[again.pk].payload == {
        "episode": again.pk,
        "unit": unit.pk,
        "status": "narapidana",
        "on": "2021-01-01",
        "readmission": True,
    }
    assert started[again.pk].subject_id == str(person.pk)
    assert started[first.pk].payload["readmission"] is False
    assert len(started) == 2


@pytest.mark.skipif(
    "not __import__('os').environ.get('DATABASE_URL', '').startswith('postgres')",
    reason="a worker in another process needs PostgreSQL",
)
def test_a_worker_killed_while_handing_over_an_imported_release_leaves_nothing_and_the_next_hands_over_once(
    reference_data: Any,
    settings: Any,
    handover: dict[str, Any],  # noqa: F811
    start_worker: Any,  # noqa: F811
    tmp_path: Path,
) -> None:
    import psycopg

    from tests.events.test_worker_handover import _conninfo

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    enrollment = _import_release(handover, tmp_path)
    event = DomainEvent.objects.get(kind=kinds.PERSON_RELEASED)
    assert event.processed_at is None

    with psycopg.connect(_conninfo()) as blocker, psycopg.connect(_conninfo(), autocommit=True) as observer:
        blocker.execute("SELECT id FROM programs_enrollment WHERE id = %s FOR UPDATE", [enrollment.pk])
        first = start_worker()

        def waiting_on_the_enrolment() -> bool:
            found = observer.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                "AND wait_event_type = 'Lock' AND query ILIKE '%%programs_enrollment%%'"
            ).fetchone()
            return bool(found and found[0])

        _wait(waiting_on_the_enrolment, "the first worker is in the middle of the handover")
        first.kill()
        first.wait(timeout=30)
        blocker.rollback()

        def orphans_gone() -> bool:
            found = observer.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                "AND pid <> pg_backend_pid() AND state <> 'idle' AND query ILIKE '%%programs_enrollment%%'"
            ).fetchone()
            return not (found and found[0])

        _wait(orphans_gone, "the killed worker's session is rolled back")

    event.refresh_from_db()
    assert event.processed_at is None and not AftercareCase.objects.exists()
    second = start_worker()
    _wait(
        lambda: DomainEvent.objects.filter(pk=event.pk, processed_at__isnull=False).exists(),
        "the second worker delivers the imported release",
    )
    _wait(lambda: events_pending_count() == 0, "the second worker delivers every event")
    second.kill()
    assert events_dispatch() == 0
    case = AftercareCase.objects.get()
    assert (case.person_id, case.release_kind) == (enrollment.person_id, "bebas")
    assert Enrollment.objects.get(pk=enrollment.pk).stage == Stage.WITHDRAWN
