"""The real queue: a job enqueued on the database backend is picked up and finished by `sinergi worker`."""

from django.core.management import call_command
from django.db import connection

from sinergi.accounts.choices import Role
from sinergi.audit.tasks import audit_verify_task
from sinergi.jobs.models import Job
from sinergi.jobs.services import job_start


def test_the_worker_runs_a_queued_job_from_the_database(reference_data, settings, monkeypatch) -> None:
    # A real worker commits and closes connections, so this test runs outside a wrapping transaction.
    from tests.factories import UserFactory

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    admin = UserFactory(role=Role.ADMIN)
    job = job_start(actor=admin, kind="audit.verify", title="Uji", task=audit_verify_task)
    assert Job.objects.get(pk=job.pk).status == "queued"
    # The worker drops connections older than CONN_MAX_AGE; the test database connection is old but fine.
    monkeypatch.setattr(connection, "close_at", None, raising=False)
    call_command("worker", "--max-tasks", "1", "--interval", "0.1")
    job.refresh_from_db()
    assert job.status == "succeeded"
    assert job.result["ok"] is True
