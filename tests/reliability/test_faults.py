"""Faults (issue 15): concurrent edits, repeated jobs, a database that goes away, a killed worker (its job
is reported failed once its heartbeat stops, and runs again once when retried)."""

from __future__ import annotations

import json
import threading
import urllib.error
import urllib.request
from typing import Any

import pytest
from django.db import connection
from django.test import Client

from sinergi.accounts.choices import Role
from sinergi.accounts.services import token_create
from sinergi.partnerships.models import Agreement
from tests.aftercare.conftest import handover, setting  # noqa: F401 (fixtures)
from tests.authz import build_world
from tests.events.test_worker_handover import start_worker  # noqa: F401 (fixture)
from tests.waiting import wait_until as _wait_for


def _request(method: str, url: str, token: str, body: dict[str, Any] | None = None) -> tuple[int, Any]:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(  # noqa: S310 (loopback http only)
        url,
        data=data,
        method=method,
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"null")


def test_two_concurrent_edits_of_one_agreement_give_one_conflict_and_no_lost_update(
    live_server: Any, reference_data: None
) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("Needs PostgreSQL: SQLite serialises writers, so the race cannot happen there.")
    world = build_world()
    officer = world.users[Role.CSR_OFFICER]
    kanwil = world.organisation(Role.KANWIL_OFFICER, "own")
    token = token_create(actor=None, user=officer)
    payload = {
        "kind": "mou",
        "number": "MOU-RACE-1",
        "title": "Sebelum",
        "signed_on": "2021-06-09",
        "start_date": "2021-06-09",
        "duration_years": 2,
        "parties": [
            {"organisation_id": officer.organisation_id, "role": "first"},
            {"organisation_id": kanwil.pk, "role": "second"},
        ],
    }
    status, body = _request("POST", f"{live_server.url}/api/v1/agreements", token, payload)
    assert status in (200, 201), body
    created = body["agreement"]
    url = f"{live_server.url}/api/v1/agreements/{created['id']}"
    barrier = threading.Barrier(2)
    results: dict[str, tuple[int, Any]] = {}

    def edit(title: str) -> None:
        edit_body = payload | {"title": title, "scope": f"lingkup {title}", "version": created["version"]}
        barrier.wait()
        results[title] = _request("PUT", url, token, edit_body)

    threads = [threading.Thread(target=edit, args=(title,)) for title in ("Versi A", "Versi B")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    statuses = sorted(status for status, _ in results.values())
    assert statuses == [200, 409], results
    winner = next(title for title, (status, _) in results.items() if status == 200)
    loser = next(title for title, (status, _) in results.items() if status == 409)
    assert results[loser][1]["code"] == "conflict"
    stored = Agreement.objects.get(pk=created["id"])
    assert (stored.title, stored.scope) == (winner, f"lingkup {winner}")
    assert stored.version == created["version"] + 1


@pytest.mark.django_db
def test_delivering_the_same_event_twice_does_no_double_work(
    handover: dict[str, Any],  # noqa: F811
) -> None:
    """A release delivered once opens one aftercare case; the same event delivered again (a worker
    that died after the handlers but before marking it done) changes nothing;
    a second dispatch finds no work."""
    from sinergi.aftercare.models import AftercareCase
    from sinergi.audit.models import AuditEvent
    from sinergi.events.models import DomainEvent
    from sinergi.events.services import events_dispatch, events_pending_count
    from sinergi.notifications.models import Notification
    from tests.aftercare.conftest import release_and_open

    release_and_open(handover)
    assert events_pending_count() == 0
    assert events_dispatch() == 0

    def state() -> tuple[int, int, int, list[Any]]:
        return (
            AftercareCase.objects.count(),
            Notification.objects.count(),
            DomainEvent.objects.count(),
            list(
                AftercareCase.objects.order_by("pk").values_list(
                    "pk", "version", "closed_on", "pk_officer_id"
                )
            ),
        )

    before = state()
    assert before[0] == 1
    audit_before = AuditEvent.objects.count()
    DomainEvent.objects.update(processed_at=None, attempts=0)
    events_dispatch()
    assert state() == before
    assert AuditEvent.objects.count() == audit_before


@pytest.mark.django_db
def test_a_database_that_goes_away_mid_request_gets_the_friendly_page(client: Any, monkeypatch: Any) -> None:
    from django.db.backends.utils import CursorWrapper
    from django.db.utils import OperationalError

    from tests.factories import UserFactory

    user = UserFactory(role=Role.MONITOR)
    client.force_login(user)
    client.raise_request_exception = False

    def gone(*args: Any, **kwargs: Any) -> Any:
        raise OperationalError("server closed the connection unexpectedly")

    with monkeypatch.context() as patch:
        patch.setattr(CursorWrapper, "execute", gone)
        patch.setattr(CursorWrapper, "executemany", gone)
        page = client.get("/")
        api = client.get("/api/v1/agreements")
    assert page.status_code in (500, 503)
    text = page.content.decode()
    assert "Maaf, terjadi gangguan" in text
    assert "Coba lagi" in text and "hubungi admin" in text
    assert "Traceback" not in text and "OperationalError" not in text and "server closed" not in text
    assert api.status_code in (500, 503)
    assert api["Content-Type"].startswith("application/json")
    assert b"Traceback" not in api.content and b"server closed" not in api.content


@pytest.mark.skipif(
    not __import__("os").environ.get("DATABASE_URL", "").startswith("postgres"),
    reason="a worker in another process needs PostgreSQL",
)
def test_a_worker_killed_mid_import_leaves_the_registry_unchanged_and_the_job_failed_with_a_retry(
    reference_data: Any,
    settings: Any,
    handover: dict[str, Any],  # noqa: F811
    start_worker: Any,  # noqa: F811
    tmp_path: Any,
) -> None:
    import psycopg
    from django.core.files.uploadedfile import SimpleUploadedFile

    from sinergi.audit.models import AuditEvent
    from sinergi.beneficiaries.models import CustodyEpisode, ImportBatch
    from sinergi.beneficiaries.services import import_batch_confirm, import_batch_create
    from sinergi.jobs.choices import JobStatus
    from sinergi.jobs.models import Job
    from sinergi.jobs.services import JOB_STALE
    from tests.beneficiaries.test_import import write_csv
    from tests.beneficiaries.test_import_events import _release_row
    from tests.events.test_worker_handover import _conninfo, _wait

    enrollment = handover["enrollments"][0]
    episode = CustodyEpisode.objects.get(pk=enrollment.episode_id)
    before = CustodyEpisode.objects.filter(pk=episode.pk).values().get()
    path = write_csv(tmp_path / "rilis.csv", [_release_row(enrollment)])
    upload = SimpleUploadedFile("rilis.csv", path.read_bytes(), content_type="text/csv")
    batch = import_batch_create(actor=handover["officer"], upload=upload)  # checked inline (tests)
    batch.refresh_from_db()
    assert batch.status == "checked", batch.check_summary
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    batch = import_batch_confirm(actor=handover["officer"], batch=batch, skip_invalid=False)
    job = Job.objects.get(pk=batch.import_job_id)

    with psycopg.connect(_conninfo()) as blocker, psycopg.connect(_conninfo(), autocommit=True) as observer:
        # Someone else holds the episode's row: the import waits on it in the middle of its transaction.
        blocker.execute("SELECT id FROM beneficiaries_custodyepisode WHERE id = %s FOR UPDATE", [episode.pk])
        worker = start_worker()

        def import_waiting() -> bool:
            found = observer.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                "AND wait_event_type = 'Lock' AND query ILIKE '%%beneficiaries_custodyepisode%%'"
            ).fetchone()
            return bool(found and found[0])

        _wait(import_waiting, "the worker's import is in the middle of writing the registry")
        worker.kill()  # SIGKILL: no handler runs, the transaction is left open
        worker.wait(timeout=30)
        blocker.rollback()

        def orphans_gone() -> bool:
            found = observer.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                "AND pid <> pg_backend_pid() AND state <> 'idle' "
                "AND query ILIKE '%%beneficiaries_custodyepisode%%'"
            ).fetchone()
            return not (found and found[0])

        _wait(orphans_gone, "the killed worker's transaction is rolled back")

    assert CustodyEpisode.objects.filter(pk=episode.pk).values().get() == before
    assert ImportBatch.objects.get(pk=batch.pk).status != "imported"
    job.refresh_from_db()
    assert job.status == JobStatus.RUNNING  # what the dead worker left behind

    # No sign of life for the lease: the job page says the job failed, why, and offers to run it again.
    settings.JOB_LEASE_SECONDS = 1
    client = Client()
    client.force_login(handover["officer"])

    def page_says_failed() -> str | None:
        html = client.get(f"/tugas/{job.pk}/").content.decode()
        return html if 'data-status="failed"' in html else None

    html = _wait_for(page_says_failed, "the dead worker's job is reported failed")
    assert str(JOB_STALE) in html and 'data-testid="job-retry"' in html
    assert CustodyEpisode.objects.filter(pk=episode.pk).values().get() == before

    # Run again (twice: the second does nothing), and a new worker imports the file exactly once.
    assert client.post(f"/tugas/{job.pk}/ulangi/").status_code == 302
    assert client.post(f"/tugas/{job.pk}/ulangi/").status_code == 302
    assert AuditEvent.objects.filter(action="job.retry", target_id=str(job.pk)).count() == 1
    start_worker()

    def finished() -> Job | None:
        found = Job.objects.get(pk=job.pk)
        return found if found.is_finished else None

    job = _wait_for(finished, "the retried import finishes")
    assert (job.status, job.attempt) == (JobStatus.SUCCEEDED, 2), job.error
    assert ImportBatch.objects.get(pk=batch.pk).status == "done"
    assert CustodyEpisode.objects.filter(pk=episode.pk).values().get() != before
    assert AuditEvent.objects.filter(action="person.import").count() == 1
