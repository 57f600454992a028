"""Background jobs: persisted status and progress that pages and the API can poll."""

from django.test import Client

from sinergi.accounts.choices import Role
from sinergi.accounts.services import token_create
from sinergi.core.errors import ApplicationError
from sinergi.jobs.models import Job
from sinergi.jobs.services import job_run


def test_a_job_records_progress_and_its_result(world) -> None:
    job = Job.objects.create(kind="test", title="Uji", created_by=world.users[Role.ADMIN])

    def work(handle):
        handle.progress(5, 10, "setengah")
        assert Job.objects.get(pk=job.pk).percent == 50
        return {"rows": 10}

    job_run(str(job.pk), work)
    job.refresh_from_db()
    assert job.status == "succeeded" and job.result == {"rows": 10} and job.percent == 100


def test_a_refused_job_shows_the_reason(world) -> None:
    job = Job.objects.create(kind="test", title="Uji", created_by=world.users[Role.ADMIN])

    def work(handle):
        raise ApplicationError("Berkas tidak dapat dibaca.")

    job_run(str(job.pk), work)
    job.refresh_from_db()
    assert job.status == "failed" and job.error == "Berkas tidak dapat dibaca."


def test_an_unexpected_failure_is_reported_without_internals(world) -> None:
    job = Job.objects.create(kind="test", title="Uji", created_by=world.users[Role.ADMIN])

    def work(handle):
        raise KeyError("internal detail")

    job_run(str(job.pk), work)
    job.refresh_from_db()
    assert job.status == "failed" and "internal detail" not in job.error


def test_a_running_job_page_polls_until_finished(client: Client, world) -> None:
    user = world.users[Role.UNIT_OFFICER]
    job = Job.objects.create(
        kind="test", title="Impor uji", created_by=user, status="running", progress_done=3, progress_total=4
    )
    client.force_login(user)
    html = client.get(f"/tugas/{job.pk}/").content.decode()
    assert 'hx-trigger="every 1s"' in html and 'value="75"' in html


def test_the_api_reports_a_job(client: Client, world) -> None:
    user = world.users[Role.CSR_OFFICER]
    job = Job.objects.create(kind="test", title="Laporan", created_by=user)
    body = client.get(
        f"/api/v1/jobs/{job.pk}", headers={"Authorization": f"Bearer {token_create(actor=None, user=user)}"}
    ).json()
    assert body["status"] == "queued" and body["percent"] == 0
