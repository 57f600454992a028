"""The job queue on each backend (the database and Redis through RQ), and workers on two queues at once."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.core.management import call_command
from django.db import connection

from sinergi.accounts.choices import Role
from sinergi.jobs.models import Job
from sinergi.jobs.services import job_start
from tests.jobs.counting import count_task

BACKENDS = {
    "database": "django_tasks_db.DatabaseBackend",
    "redis": "django_tasks_rq.RQBackend",
}
REPOSITORY = Path(__file__).resolve().parents[2]


def _empty_redis_queues() -> None:
    import django_rq

    for queue in django_settings.TASK_QUEUES:
        django_rq.get_queue(queue).empty()


def _use(settings: Any, backend: str) -> None:
    settings.TASKS = {"default": {"BACKEND": BACKENDS[backend], "QUEUES": django_settings.TASK_QUEUES}}
    if backend == "redis":
        _empty_redis_queues()


@pytest.mark.parametrize("backend", sorted(BACKENDS))
def test_a_worker_runs_a_queued_job_on_each_backend(
    backend: str, reference_data: None, settings: Any, monkeypatch: Any
) -> None:
    from tests.factories import UserFactory

    _use(settings, backend)
    admin = UserFactory(role=Role.ADMIN)
    job = job_start(actor=admin, kind="test.count", title="Uji", task=count_task)
    assert Job.objects.get(pk=job.pk).status == "queued"
    monkeypatch.setattr(connection, "close_at", None, raising=False)
    call_command("worker", "--max-tasks", "1", "--interval", "0.1", "--no-schedule")
    job.refresh_from_db()
    assert (job.status, job.progress_done) == ("succeeded", 1)


@pytest.mark.parametrize("backend", sorted(BACKENDS))
def test_two_workers_on_two_queues_at_once_run_every_job_exactly_once(
    backend: str, reference_data: None, settings: Any
) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("Workers in other processes need a database they can reach: PostgreSQL in CI.")
    from tests.factories import UserFactory

    _use(settings, backend)
    admin = UserFactory(role=Role.ADMIN)
    jobs = [
        job_start(actor=admin, kind="test.count", title=f"Uji {i}", task=count_task.using(queue_name=queue))
        for i in range(12)
        for queue in ("default", "long")
    ]
    db = connection.settings_dict
    env = os.environ | {
        "DATABASE_URL": f"postgresql://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "SINERGI_TASK_BACKEND": backend,
        "SINERGI_FIELD_KEY": django_settings.FIELD_KEY,
        "PYTHONPATH": str(REPOSITORY),
    }
    # Both workers take from both queues, so they compete for every job.
    command = [sys.executable, "-m", "sinergi", "worker", "--burst", "--no-schedule", "--interval", "0.1"]
    workers = [
        subprocess.Popen([*command, "--queue", "default", "--queue", "long"], env=env, cwd=REPOSITORY)
        for _ in range(2)
    ]
    for worker in workers:
        assert worker.wait(timeout=300) == 0
    ran = {job.pk: (job.status, job.progress_done) for job in Job.objects.filter(kind="test.count")}
    assert ran == {job.pk: ("succeeded", 1) for job in jobs}
