"""The real queue: a job enqueued on the database backend is picked up and finished by `sinergi worker`."""

from django.core.management import call_command

from sinergi.accounts.choices import Role
from sinergi.audit.tasks import audit_verify_task
from sinergi.jobs.models import Job
from sinergi.jobs.services import job_start


def test_the_worker_runs_a_queued_job_from_the_database(
    world, settings, django_capture_on_commit_callbacks
) -> None:
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    with django_capture_on_commit_callbacks(execute=True):
        job = job_start(
            actor=world.users[Role.ADMIN], kind="audit.verify", title="Uji", task=audit_verify_task
        )
    assert Job.objects.get(pk=job.pk).status == "queued"
    call_command("worker", "--max-tasks", "1", "--interval", "0.1")
    job.refresh_from_db()
    assert job.status == "succeeded"
    assert job.result["ok"] is True
