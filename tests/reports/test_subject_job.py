"""The subject-access PDF runs as a background job: the page shows its progress, the file is kept encrypted
with the person's own key, only the officer who asked downloads it, and the request, the file made and
every download are audited. The JSON stays a direct download."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from typing import Any

import pytest
from django.test import Client

from sinergi.accounts.choices import Role
from sinergi.audit.models import AuditEvent
from sinergi.audit.services import audit_unseal
from sinergi.beneficiaries.services.retention import person_anonymise
from sinergi.jobs.models import Job
from sinergi.reports import subject_jobs
from sinergi.reports.models import SubjectExport
from tests.authz import World

pytestmark = pytest.mark.django_db
REASON = "Permintaan kuasa hukum warga binaan"


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _ask(client: Client, person: Any, capture: Any, reason: str = REASON) -> Any:
    with capture(execute=True):
        return client.post(f"/laporan/subjek/{person.pk}/", {"format": "pdf", "reason": reason})


def test_the_pdf_is_made_by_a_job_and_downloaded_by_the_requester(
    delivered: dict[str, Any], world: World, django_capture_on_commit_callbacks: Any
) -> None:
    person = delivered["enrollments"][0].person
    admin = world.users[Role.ADMIN]
    client = _client(admin)
    response = _ask(client, person, django_capture_on_commit_callbacks)
    export = SubjectExport.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/laporan/subjek/ekspor/{export.pk}/"
    assert export.job is not None
    job = Job.objects.get(pk=export.job.pk)
    assert job.kind == "report.subject" and job.status == "succeeded", job.error
    page = client.get(response["Location"]).content.decode()
    assert f"/laporan/subjek/ekspor/{export.pk}/unduh/" in page and 'data-status="succeeded"' in page
    # While it runs, the page polls its own status fragment.
    Job.objects.filter(pk=job.pk).update(
        status="running", progress_done=2, progress_total=4, message="Mencetak"
    )
    running = client.get(response["Location"], HTTP_HX_REQUEST="true").content.decode()
    assert 'hx-trigger="every 1s"' in running and "2 / 4" in running and "Mencetak" in running
    Job.objects.filter(pk=job.pk).update(status="succeeded")

    download = client.get(f"/laporan/subjek/ekspor/{export.pk}/unduh/")
    assert download.status_code == 200 and download["Content-Type"] == "application/pdf"
    export.refresh_from_db()
    assert download.content.startswith(b"%PDF-")
    assert hashlib.sha256(download.content).hexdigest() == export.checksum
    assert export.size == len(download.content) and export.records > 10
    # The person's page lists it on the form, for the officer who asked.
    form = client.get(f"/laporan/subjek/{person.pk}/").content.decode()
    assert f"/laporan/subjek/ekspor/{export.pk}/" in form

    # Audited: the request (with the reason), the job, the file made, the download.
    request = audit_unseal([AuditEvent.objects.filter(action="person.subject_access").latest("seq")])[0]
    assert request.changes == {"format": "pdf", "reason": REASON, "export": export.pk}
    assert request.actor_id == admin.pk
    ready = AuditEvent.objects.get(action="person.subject_access_ready", target_id=str(export.pk))
    assert audit_unseal([ready])[0].changes["checksum"] == export.checksum
    downloaded = AuditEvent.objects.get(action="person.subject_access_download", target_id=str(export.pk))
    assert downloaded.actor_id == admin.pk
    assert AuditEvent.objects.filter(action="job.start", target_id=str(job.pk)).exists()


def test_nobody_else_downloads_it(
    delivered: dict[str, Any], world: World, django_capture_on_commit_callbacks: Any
) -> None:
    person = delivered["enrollments"][0].person
    _ask(_client(world.users[Role.ADMIN]), person, django_capture_on_commit_callbacks)
    export = SubjectExport.objects.get()
    urls = (f"/laporan/subjek/ekspor/{export.pk}/", f"/laporan/subjek/ekspor/{export.pk}/unduh/")
    # Another administrator: refused, with what to do instead.
    other_admin = _client(world.user(Role.ADMIN, "other"))
    for url in urls:
        refused = other_admin.get(url)
        assert refused.status_code == 403
        assert "Hanya petugas yang meminta ekspor akses subjek ini" in refused.content.decode()
    # Officers who may not make subject-access exports (the unit officer of the person's own unit too).
    for role in (Role.KANWIL_OFFICER, Role.UNIT_OFFICER, Role.BAPAS_OFFICER, Role.CSR_OFFICER):
        for scope in ("own", "other"):
            for url in urls:
                assert _client(world.user(role, scope)).get(url).status_code == 403, (role, scope, url)
    assert not AuditEvent.objects.filter(action="person.subject_access_download").exists()


def test_the_person_data_is_kept_only_encrypted(
    delivered: dict[str, Any], world: World, django_capture_on_commit_callbacks: Any
) -> None:
    person = delivered["enrollments"][0].person
    _ask(_client(world.users[Role.ADMIN]), person, django_capture_on_commit_callbacks)
    export = SubjectExport.objects.get()
    stored = export.file.read()
    assert not stored.startswith(b"%PDF") and stored.startswith(b"gAAAA")  # a Fernet token
    assert REASON not in export.reason_sealed
    job = Job.objects.get(pk=export.job_id)
    kept = json.dumps([job.title, job.message, job.params, job.result, job.error])
    assert person.full_name not in kept and REASON not in kept
    assert set(job.params) == {"export"} and set(job.result) == {"export", "checksum", "size"}


def test_anonymisation_removes_the_file_and_leaves_no_copy_readable(
    delivered: dict[str, Any], world: World, django_capture_on_commit_callbacks: Any
) -> None:
    person = delivered["enrollments"][0].person
    admin = world.users[Role.ADMIN]
    client = _client(admin)
    _ask(client, person, django_capture_on_commit_callbacks)
    export = SubjectExport.objects.get()
    copy = export.file.read()  # a backup of the media directory taken before
    storage, name = export.file.storage, export.file.name
    with django_capture_on_commit_callbacks(execute=True):
        person_anonymise(actor=admin, person=person, on=dt.date(2026, 12, 4))
    export.refresh_from_db()
    assert not export.file and not export.reason_sealed and not storage.exists(name)
    from sinergi.audit.services import audit_subject_cipher

    assert audit_subject_cipher(target=export) is None  # the key the copy needs is gone
    assert copy.startswith(b"gAAAA")
    gone = client.get(f"/laporan/subjek/ekspor/{export.pk}/unduh/")
    assert gone.status_code == 409  # no file any more
    refused = client.post(f"/laporan/subjek/{person.pk}/", {"format": "pdf", "reason": REASON})
    assert refused.status_code == 200 and "anonimisasi" in refused.content.decode()


def test_a_short_reason_stays_on_the_form_and_starts_nothing(delivered: dict[str, Any], world: World) -> None:
    person = delivered["enrollments"][0].person
    response = _client(world.users[Role.ADMIN]).post(
        f"/laporan/subjek/{person.pk}/", {"format": "pdf", "reason": "x"}
    )
    assert response.status_code == 200 and 'role="alert"' in response.content.decode()
    assert not SubjectExport.objects.exists() and not Job.objects.filter(kind="report.subject").exists()


def test_the_job_refuses_a_requester_who_lost_the_right(
    delivered: dict[str, Any], world: World, django_capture_on_commit_callbacks: Any
) -> None:
    person = delivered["enrollments"][0].person
    admin = world.users[Role.ADMIN]
    export = subject_jobs.subject_pdf_request(actor=admin, person=person, reason=REASON)
    type(admin).objects.filter(pk=admin.pk).update(role=Role.KANWIL_OFFICER)
    from sinergi.reports.tasks import subject_export_task

    assert export.job is not None
    subject_export_task.call(job_id=str(export.job.pk))
    job = Job.objects.get(pk=export.job.pk)
    assert job.status == "failed" and "tidak lagi" in job.error
    export.refresh_from_db()
    assert not export.file


def test_the_json_is_still_a_direct_download(delivered: dict[str, Any], world: World) -> None:
    person = delivered["enrollments"][0].person
    response = _client(world.users[Role.ADMIN]).post(
        f"/laporan/subjek/{person.pk}/", {"format": "json", "reason": REASON}
    )
    assert response["Content-Type"] == "application/json"
    assert json.loads(response.content)["person_id"] == person.pk
    assert not SubjectExport.objects.exists()


def test_a_merge_moves_the_pdfs_to_the_record_kept(
    delivered: dict[str, Any], world: World, django_capture_on_commit_callbacks: Any
) -> None:
    """Two registry records of one person merged: the PDF asked for about the dropped record is held about
    the kept one, encrypted again with its key, and still downloads for the officer who asked."""
    from sinergi.reports.subject_jobs import subject_exports_merge

    drop, keep = delivered["enrollments"][0].person, delivered["enrollments"][1].person
    client = _client(world.users[Role.ADMIN])
    _ask(client, drop, django_capture_on_commit_callbacks)
    export = SubjectExport.objects.get()
    before = client.get(f"/laporan/subjek/ekspor/{export.pk}/unduh/").content
    old_name, storage = export.file.name, export.file.storage
    with django_capture_on_commit_callbacks(execute=True):
        assert subject_exports_merge(actor=None, keep=keep, drop=drop) == {"subject_exports": 1}
    export.refresh_from_db()
    assert export.person_id == keep.pk and export.file.name != old_name and not storage.exists(old_name)
    assert client.get(f"/laporan/subjek/ekspor/{export.pk}/unduh/").content == before
    with django_capture_on_commit_callbacks(execute=True):
        job = subject_jobs.subject_pdf_generate(export=export)  # the reason opens with the kept key
    assert job.file
