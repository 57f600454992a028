"""The real worker on PostgreSQL: a worker killed in the middle of a handover leaves nothing behind, and the
next worker hands the person over exactly once."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.db import connection

from sinergi.aftercare.models import AftercareCase
from sinergi.audit.models import AuditEvent
from sinergi.beneficiaries.services import episode_release
from sinergi.events import kinds
from sinergi.events.models import DomainEvent
from sinergi.events.services import events_dispatch, events_pending_count
from sinergi.notifications.models import Notification
from sinergi.programs.choices import Stage
from sinergi.programs.models import Enrollment
from tests.aftercare.conftest import handover, setting  # noqa: F401 (fixtures)
from tests.people import shares_with_company
from tests.waiting import wait_until

pytestmark = pytest.mark.skipif(
    not os.environ.get("DATABASE_URL", "").startswith("postgres"),
    reason="SKIP LOCKED and a worker in another process need PostgreSQL (SQLite tests use an in-memory db)",
)


def _conninfo() -> str:
    s = connection.settings_dict
    return (
        f"postgresql://{s['USER']}:{s['PASSWORD'] or ''}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/"
        f"{s['NAME']}"
    )


def _wait(condition: Callable[[], bool], what: str) -> None:
    """Wait until `condition()` holds (returns as soon as it does), or fail saying what did not happen."""
    wait_until(condition, what)


@pytest.fixture
def start_worker(tmp_path: Path) -> Iterator[Callable[[], subprocess.Popen[str]]]:
    """Start `sinergi worker` in another process on the test database; every worker is killed at the end."""
    started: list[subprocess.Popen[str]] = []
    env = {k: v for k, v in os.environ.items() if k not in ("DJANGO_ALLOW_ASYNC_UNSAFE",)}
    env |= {
        "DATABASE_URL": _conninfo(),
        "SINERGI_VAR_DIR": str(tmp_path),
        "SINERGI_TASK_BACKEND": "django_tasks_db.DatabaseBackend",
        # The same field key as this process: the worker decrypts what the tests wrote (NIKs, audit keys).
        "SINERGI_FIELD_KEY": django_settings.FIELD_KEY,
    }

    def start() -> subprocess.Popen[str]:
        log = open(tmp_path / f"worker-{len(started)}.log", "w")  # noqa: SIM115 (closed with the process)
        process = subprocess.Popen(
            [sys.executable, "-m", "sinergi", "worker", "--no-schedule", "--interval", "0.2"],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            text=True,
        )
        log.close()
        started.append(process)
        return process

    yield start
    for process in started:
        if process.poll() is None:
            process.kill()
        process.communicate(timeout=30)


def test_a_worker_killed_during_a_handover_leaves_nothing_and_the_next_hands_over_once(
    reference_data: Any,
    settings: Any,
    handover: dict[str, Any],  # noqa: F811
    start_worker: Any,
) -> None:
    import psycopg

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    enrollment = handover["enrollments"][0]
    # The company hears of a release only from a participant who agreed to share with it.
    shares_with_company(enrollment.person)
    # A release recorded in the registry (as an import or the person page would): committed with its event.
    episode_release(
        actor=None,
        episode=enrollment.episode,
        kind="pb",
        on=dt.date(2022, 5, 3),  # two thirds of the 2-year sentence: PB allowed from this day
        reference="PB/UJI/1",
        version=enrollment.episode.version,
    )
    event = DomainEvent.objects.get(kind=kinds.PERSON_RELEASED)
    assert event.processed_at is None

    with psycopg.connect(_conninfo()) as blocker, psycopg.connect(_conninfo(), autocommit=True) as observer:
        # Someone else holds the enrolment's row: the worker's programs handler will wait on it mid-delivery.
        blocker.execute("SELECT id FROM programs_enrollment WHERE id = %s FOR UPDATE", [enrollment.pk])
        first = start_worker()

        def waiting_on_the_enrolment() -> bool:
            row = observer.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                "AND wait_event_type = 'Lock' AND query ILIKE '%%programs_enrollment%%'"
            ).fetchone()
            return bool(row and row[0])

        _wait(waiting_on_the_enrolment, "the first worker is in the middle of the handover")
        first.kill()  # dies with the event locked and the handlers' transaction open
        first.wait(timeout=30)
        blocker.rollback()

        def orphans_gone() -> bool:
            row = observer.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                "AND pid <> pg_backend_pid() AND state <> 'idle' AND query ILIKE '%%programs_enrollment%%'"
            ).fetchone()
            return not (row and row[0])

        _wait(orphans_gone, "the killed worker's session is rolled back")

    event.refresh_from_db()
    assert event.processed_at is None
    assert not AftercareCase.objects.exists()
    assert Enrollment.objects.get(pk=enrollment.pk).stage == Stage.ACTIVE
    assert not Notification.objects.exists()

    second = start_worker()
    _wait(
        lambda: DomainEvent.objects.filter(pk=event.pk, processed_at__isnull=False).exists(),
        "the second worker delivers the release",
    )
    # ... and then the enrolment event its handlers recorded: nothing is left for anyone.
    _wait(lambda: events_pending_count() == 0, "the second worker delivers every event")
    second.kill()
    assert events_dispatch() == 0
    case = AftercareCase.objects.get()
    assert (case.person_id, case.bapas, case.release_kind) == (enrollment.person_id, handover["bapas"], "pb")
    assert Enrollment.objects.get(pk=enrollment.pk).stage == Stage.WITHDRAWN
    assert AuditEvent.objects.filter(action="enrollment.release").count() == 1
    assert AuditEvent.objects.filter(action="aftercare.case_open").count() == 1
    assert Notification.objects.filter(recipient=handover["pk_officer"]).count() == 1
    assert Notification.objects.filter(recipient=handover["csr"]).count() == 1
    assert DomainEvent.objects.filter(kind=kinds.ENROLLMENT_WITHDRAWN).count() == 1
