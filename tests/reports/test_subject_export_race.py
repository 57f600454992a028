"""The subject-access PDF job, person merges and the files kept (issue 13, review of the PDF job).

1. A merge that ran while the job was printing left a file encrypted with the dropped record's key on an
   export that now belongs to the kept record: its download failed to decrypt (a 500). The job now stores
   the file under the lock of the person's row, read again there, with that person's key; a file that still
   cannot be read gives a message in Indonesian, audited.
2. A retry of the job added a second file, and a merge rolled back left the files its hook had written: no
   row pointed at them. A retry now replaces the file, and the merge writes its files once it has committed.
3. Kept PDFs expire (settings.SUBJECT_EXPORT_RETENTION_DAYS): a daily job deletes them, audited.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from cryptography.fernet import Fernet
from django.conf import settings
from django.core.files.base import ContentFile
from django.db import connection, transaction
from django.test import Client
from django.utils import timezone

from sinergi.accounts.choices import Role
from sinergi.audit.models import AuditEvent
from sinergi.audit.services import audit_subject_cipher
from sinergi.beneficiaries.models import Person
from sinergi.beneficiaries.services import person_merge
from sinergi.jobs.schedule import SCHEDULE
from sinergi.reports import subject_jobs
from sinergi.reports.models import SubjectExport
from tests.authz import World
from tests.waiting import while_held

POSTGRES = connection.vendor == "postgresql"
REASON = "Permintaan kuasa hukum warga binaan"


def _person(name: str) -> Person:
    return Person.objects.create(
        full_name=name,
        is_synthetic=True,
        sex="L",
        birth_date=dt.date(1990, 5, 17),
        offence_category="Pencurian",
    )


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _files() -> list[str]:
    root = Path(settings.MEDIA_ROOT) / "subjek"
    return sorted(str(path.relative_to(settings.MEDIA_ROOT)) for path in root.rglob("*") if path.is_file())


def _request(admin: Any, person: Person) -> SubjectExport:
    """The export as the request keeps it, without its job: each test runs the job when it wants."""
    cipher = audit_subject_cipher(target=person)
    assert cipher is not None
    export = SubjectExport.objects.create(
        person=person, language="id", created_by=admin, reason_sealed=cipher.encrypt(REASON.encode()).decode()
    )
    return SubjectExport.objects.select_related("created_by").get(pk=export.pk)


@pytest.mark.django_db
def test_a_merge_while_the_job_prints_leaves_a_file_the_kept_record_opens(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    admin = world.users[Role.ADMIN]
    drop, keep = _person("Budi Santoso"), _person("Budi Santoso ")
    export = _request(admin, drop)

    def merge_while_printing(done: int, total: int, message: str) -> None:
        if done == 3:  # the PDF is printed, not stored yet
            with django_capture_on_commit_callbacks(execute=True):
                person_merge(actor=None, keep=keep, drop=drop)

    with django_capture_on_commit_callbacks(execute=True):
        subject_jobs.subject_pdf_generate(export=export, progress=merge_while_printing)
    export.refresh_from_db()
    assert export.person_id == keep.pk
    download = _client(admin).get(f"/laporan/subjek/ekspor/{export.pk}/unduh/")
    assert download.status_code == 200 and download.content.startswith(b"%PDF-")


@pytest.mark.django_db
def test_an_unreadable_file_says_so_in_indonesian_and_is_audited(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    admin = world.users[Role.ADMIN]
    person = _person("Siti Aminah")
    export = _request(admin, person)
    with django_capture_on_commit_callbacks(execute=True):
        subject_jobs.subject_pdf_generate(export=export)
    export.refresh_from_db()
    name = export.file.name
    export.file.storage.delete(name)  # a file sealed with another key (a copy restored from elsewhere)
    export.file.storage.save(name, ContentFile(Fernet(Fernet.generate_key()).encrypt(b"%PDF-1.7")))
    response = _client(admin).get(f"/laporan/subjek/ekspor/{export.pk}/unduh/")
    assert response.status_code == 409
    assert "Berkas ini tidak dapat dibuka" in response.content.decode()
    event = AuditEvent.objects.get(action="person.subject_access_unreadable", target_id=str(export.pk))
    assert event.actor_id == admin.pk
    assert not AuditEvent.objects.filter(action="person.subject_access_download").exists()
    # A file gone from the disk: the same message.
    export.file.storage.delete(name)
    assert _client(admin).get(f"/laporan/subjek/ekspor/{export.pk}/unduh/").status_code == 409


@pytest.mark.django_db
def test_a_retry_of_the_job_replaces_the_file(world: World, django_capture_on_commit_callbacks: Any) -> None:
    admin = world.users[Role.ADMIN]
    export = _request(admin, _person("Ahmad Yani"))
    with django_capture_on_commit_callbacks(execute=True):
        subject_jobs.subject_pdf_generate(export=export)
    first = _files()
    with django_capture_on_commit_callbacks(execute=True):  # the worker was given up for dead: a retry
        subject_jobs.subject_pdf_generate(export=SubjectExport.objects.get(pk=export.pk))
    export.refresh_from_db()
    assert len(first) == 1 and _files() == [export.file.name]


@pytest.mark.django_db
def test_a_job_that_fails_while_storing_leaves_no_file(
    world: World, django_capture_on_commit_callbacks: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    admin = world.users[Role.ADMIN]
    export = _request(admin, _person("Dewi Lestari"))

    def broken(**kwargs: Any) -> None:
        raise RuntimeError("the audit table is locked")

    monkeypatch.setattr(subject_jobs, "audit_record", broken)
    with pytest.raises(RuntimeError), django_capture_on_commit_callbacks(execute=True):
        subject_jobs.subject_pdf_generate(export=export)
    assert _files() == [] and not SubjectExport.objects.get(pk=export.pk).file


@pytest.mark.django_db
def test_a_merge_rolled_back_leaves_no_new_file(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    admin = world.users[Role.ADMIN]
    drop, keep = _person("Rina Wati"), _person("Rina  Wati")
    export = _request(admin, drop)
    with django_capture_on_commit_callbacks(execute=True):
        subject_jobs.subject_pdf_generate(export=export)
    before = _files()
    with django_capture_on_commit_callbacks(execute=True):
        with pytest.raises(RuntimeError), transaction.atomic():
            subject_jobs.subject_exports_merge(actor=None, keep=keep, drop=drop)
            raise RuntimeError("a later merger refused")
    export.refresh_from_db()
    assert export.person_id == drop.pk and _files() == before == [export.file.name]
    assert _client(admin).get(f"/laporan/subjek/ekspor/{export.pk}/unduh/").status_code == 200


@pytest.mark.django_db
def test_kept_pdfs_expire_after_the_retention_by_a_daily_job(
    world: World, django_capture_on_commit_callbacks: Any, settings: Any
) -> None:
    assert "reports.subject_exports_expire" in SCHEDULE
    settings.SUBJECT_EXPORT_RETENTION_DAYS = 30
    admin = world.users[Role.ADMIN]
    old, recent = _request(admin, _person("Joko Susilo")), _request(admin, _person("Eko Prasetyo"))
    for export in (old, recent):
        with django_capture_on_commit_callbacks(execute=True):
            subject_jobs.subject_pdf_generate(export=export)
    SubjectExport.objects.filter(pk=old.pk).update(created_at=timezone.now() - dt.timedelta(days=31))
    with django_capture_on_commit_callbacks(execute=True):
        assert subject_jobs.subject_exports_expire() == {"expired": 1}
    old.refresh_from_db()
    recent.refresh_from_db()
    assert not old.file and not old.reason_sealed and recent.file
    assert _files() == [recent.file.name]
    assert AuditEvent.objects.filter(action="person.subject_access_expired", target_id=str(old.pk)).exists()
    gone = _client(admin).get(f"/laporan/subjek/ekspor/{old.pk}/unduh/")
    assert gone.status_code == 409 and "30 hari" in gone.content.decode()
    page = _client(admin).get(f"/laporan/subjek/ekspor/{old.pk}/").content.decode()
    assert "Berkas sudah dihapus" in page and "/unduh/" not in page
    kept = _client(admin).get(f"/laporan/subjek/ekspor/{recent.pk}/").content.decode()
    assert "Berkas dihapus 30 hari setelah dibuat." in kept
    with django_capture_on_commit_callbacks(execute=True):
        assert subject_jobs.subject_exports_expire() == {"expired": 0}


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(not POSTGRES, reason="Needs PostgreSQL: two connections writing at once.")
def test_the_job_waits_for_a_merge_in_progress_and_uses_the_kept_key(
    reference_data: None, world: World
) -> None:
    admin = world.users[Role.ADMIN]
    drop, keep = _person("Agus Salim"), _person("Agus  Salim")
    export = _request(admin, drop)
    outcome = while_held(
        lambda: person_merge(actor=None, keep=keep, drop=drop),
        lambda: subject_jobs.subject_pdf_generate(export=export),
    )
    assert isinstance(outcome["hold"], Person) and not isinstance(outcome["other"], BaseException), outcome
    export.refresh_from_db()
    assert export.person_id == keep.pk and _files() == [export.file.name]
    download = _client(admin).get(f"/laporan/subjek/ekspor/{export.pk}/unduh/")
    assert download.status_code == 200 and download.content.startswith(b"%PDF-")
