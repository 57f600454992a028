"""A job whose worker died: it is marked failed after the lease, with a reason, and can be run again once.

The real thing (a worker killed with SIGKILL in the middle of an import) is in
tests/reliability/test_faults.py.
"""

from __future__ import annotations

import datetime as dt
import threading
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.utils import timezone

from sinergi.accounts.choices import Role
from sinergi.accounts.services import token_create
from sinergi.audit.models import AuditEvent
from sinergi.core.errors import ForbiddenError
from sinergi.jobs.choices import JobStatus
from sinergi.jobs.models import Job
from sinergi.jobs.services import JOB_STALE, job_retry, job_run, job_start, jobs_fail_stale
from tests.jobs.counting import count_task
from tests.jobs.test_backends import BACKENDS, _use
from tests.waiting import wait_until


def _dead_worker(job: Job, *, silent_for: float) -> None:
    """What a killed worker leaves behind: the job running, its last heartbeat `silent_for` seconds ago."""
    last = timezone.now() - dt.timedelta(seconds=silent_for)
    Job.objects.filter(pk=job.pk).update(status=JobStatus.RUNNING, started_at=last, heartbeat_at=last)


@pytest.mark.django_db
def test_a_running_job_is_failed_only_when_its_heartbeat_is_older_than_the_lease(
    settings: Any, world
) -> None:
    settings.JOB_LEASE_SECONDS = 120
    job = Job.objects.create(kind="test", title="Uji", created_by=world.users[Role.ADMIN])
    _dead_worker(job, silent_for=119)
    assert jobs_fail_stale() == 0
    assert Job.objects.get(pk=job.pk).status == JobStatus.RUNNING
    assert jobs_fail_stale(now=timezone.now() + dt.timedelta(seconds=2)) == 1
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED and job.error == str(JOB_STALE) and job.finished_at
    assert job.error.startswith("Pekerja latar berhenti")  # the reason is in Indonesian
    # Queued and finished jobs are never touched, however old.
    Job.objects.create(kind="test", title="Antre", status=JobStatus.QUEUED, created_by=job.created_by)
    assert jobs_fail_stale(now=timezone.now() + dt.timedelta(days=30)) == 0


@pytest.mark.parametrize("backend", sorted(BACKENDS))
def test_a_dead_workers_job_is_failed_then_retried_once_on_each_backend(
    backend: str, reference_data: None, settings: Any, monkeypatch: Any
) -> None:
    from tests.factories import UserFactory

    _use(settings, backend)
    user = UserFactory(role=Role.UNIT_OFFICER)
    job = job_start(actor=user, kind="test.count", title="Uji", task=count_task)
    assert (job.task_path, job.queue_name) == ("tests.jobs.counting.count_task", "default")
    monkeypatch.setattr(connection, "close_at", None, raising=False)
    call_command("worker", "--max-tasks", "1", "--interval", "0.1", "--no-schedule")
    assert Job.objects.get(pk=job.pk).progress_done == 1
    # The worker "dies" during a second run: running, no heartbeat for longer than the lease.
    Job.objects.filter(pk=job.pk).update(progress_done=0)
    _dead_worker(job, silent_for=settings.JOB_LEASE_SECONDS + 1)

    client = Client()
    client.force_login(user)
    html = client.get(f"/tugas/{job.pk}/").content.decode()  # the page notices, even with no worker running
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert str(JOB_STALE) in html and 'data-testid="job-retry"' in html

    # Retried on the page and through the API at once: one retry, one audit event, one run.
    response = client.post(f"/tugas/{job.pk}/ulangi/")
    assert response.status_code == 302
    token = token_create(actor=None, user=user)
    body = client.post(f"/api/v1/jobs/{job.pk}/retry", HTTP_AUTHORIZATION=f"Bearer {token}").json()
    assert body["retried"] is False and body["job"]["status"] == "queued" and body["job"]["attempt"] == 2
    assert AuditEvent.objects.filter(action="job.retry", target_id=str(job.pk)).count() == 1
    call_command("worker", "--burst", "--interval", "0.1", "--no-schedule")
    job.refresh_from_db()
    assert (job.status, job.progress_done, job.attempt, job.error) == (JobStatus.SUCCEEDED, 1, 2, "")
    # A job that succeeded is not run again.
    assert job_retry(actor=user, job=job)[1] is False


@pytest.mark.django_db
def test_only_the_user_who_started_a_job_or_an_administrator_retries_it(world) -> None:
    owner = world.users[Role.UNIT_OFFICER]
    job = job_start(actor=owner, kind="test.count", title="Uji", task=count_task)
    Job.objects.filter(pk=job.pk).update(status=JobStatus.FAILED, error="x")
    job.refresh_from_db()
    for someone in (world.others[Role.UNIT_OFFICER], world.users[Role.KANWIL_OFFICER]):
        with pytest.raises(ForbiddenError):
            job_retry(actor=someone, job=job)
    assert Job.objects.get(pk=job.pk).status == JobStatus.FAILED
    job, retried = job_retry(actor=world.users[Role.ADMIN], job=job)
    # The immediate backend (tests) runs it at commit; the retry is recorded with its attempt.
    assert retried and Job.objects.get(pk=job.pk).attempt == 2
    event = AuditEvent.objects.get(action="job.retry")
    assert event.changes == {"kind": "test.count", "attempt": 2}


def test_a_living_worker_keeps_its_job_alive_past_the_lease(transactional_db: Any, settings: Any) -> None:
    """A job that runs longer than the lease is not failed while its worker beats."""
    settings.JOB_HEARTBEAT_SECONDS = 0.05
    settings.JOB_LEASE_SECONDS = 0.5
    job = Job.objects.create(kind="test", title="Lama")
    beats: list[Any] = []
    release = threading.Event()

    def work(handle: Any) -> dict[str, Any]:
        started = Job.objects.get(pk=job.pk).heartbeat_at

        def beaten_twice_past_the_lease() -> bool:
            now = Job.objects.get(pk=job.pk).heartbeat_at
            if now != started and now not in beats:
                beats.append(now)
            return len(beats) >= 2 and timezone.now() - started > dt.timedelta(seconds=0.6)

        wait_until(beaten_twice_past_the_lease, "the heartbeat moves on while the job runs")
        assert jobs_fail_stale() == 0
        release.set()
        return {"ok": True}

    job_run(str(job.pk), work)
    assert release.is_set()
    assert Job.objects.get(pk=job.pk).status == JobStatus.SUCCEEDED


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks are PostgreSQL's")
def test_a_job_whose_row_is_held_by_its_work_is_alive_and_the_check_does_not_wait_for_it(
    transactional_db: Any, settings: Any
) -> None:
    """The import writes its progress inside its one long transaction, which holds the job's row: the
    heartbeat cannot land until it commits. The stale check (run on every poll of the job page) must
    neither fail that job nor wait behind its lock."""
    from django.db import connections

    settings.JOB_LEASE_SECONDS = 1
    job = Job.objects.create(kind="test", title="Impor panjang")
    _dead_worker(job, silent_for=60)
    holding, release = threading.Event(), threading.Event()

    def work() -> None:
        from django.db import transaction

        try:
            with transaction.atomic():
                Job.objects.filter(pk=job.pk).update(message="bekerja")  # the row is now locked
                holding.set()
                release.wait(30)
        finally:
            connections.close_all()

    worker = threading.Thread(target=work)
    worker.start()
    try:
        assert holding.wait(10)
        with connection.cursor() as cursor:
            cursor.execute("SET lock_timeout = '3s'")  # waiting would raise instead of hanging the test
        try:
            assert jobs_fail_stale() == 0
        finally:
            with connection.cursor() as cursor:
                cursor.execute("RESET lock_timeout")
        assert Job.objects.get(pk=job.pk).status == JobStatus.RUNNING
    finally:
        release.set()
        worker.join(10)
    # Once the work has let go of the row and stays silent, the job is stale like any other.
    assert jobs_fail_stale() == 1
