"""The web import's job: a batch that is imported already is not imported again when its job runs again
(a retry after the worker was given up for dead, or the task delivered twice)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

from sinergi.accounts.choices import Role
from sinergi.audit.models import AuditEvent
from sinergi.beneficiaries.models import CustodyEpisode, ImportBatch, Person
from sinergi.beneficiaries.services import import_batch_confirm, import_batch_create, import_batch_run
from tests.beneficiaries.test_import import row, write_csv


def _imported_batch(world: Any, settings: Any, tmp_path: Path) -> tuple[Any, ImportBatch]:
    settings.MEDIA_ROOT = tmp_path / "media"
    officer = world.users[Role.UNIT_OFFICER]
    path = write_csv(tmp_path / "a.csv", [row(upt=officer.organisation.code, nama="Warga Contoh")])
    upload = SimpleUploadedFile("a.csv", path.read_bytes(), content_type="text/csv")
    batch = import_batch_create(actor=officer, upload=upload)
    import_batch_run(batch_id=batch.pk, dry_run=True)  # the check job (its task runs on commit)
    batch.refresh_from_db()
    assert batch.status == "checked", batch.check_summary
    batch = import_batch_confirm(actor=officer, batch=batch, skip_invalid=False)
    import_batch_run(batch_id=batch.pk, dry_run=False)  # the import job
    batch.refresh_from_db()
    assert batch.status == "done", batch.import_summary
    return officer, batch


def test_running_an_imported_batch_again_imports_nothing(world: Any, settings: Any, tmp_path: Path) -> None:
    _officer, batch = _imported_batch(world, settings, tmp_path)
    person = Person.objects.get()
    # Someone corrects the name after the import; running the old job again must not undo it.
    Person.objects.filter(pk=person.pk).update(full_name="Warga Contoh Dikoreksi")
    imports = AuditEvent.objects.filter(action="person.import").count()
    history = AuditEvent.objects.count()

    result = import_batch_run(batch_id=batch.pk, dry_run=False)

    assert result["created"] == 1 and result["written"] is True  # the summary the batch kept
    assert Person.objects.get().full_name == "Warga Contoh Dikoreksi"
    assert Person.objects.count() == 1 and CustodyEpisode.objects.count() == 1
    assert AuditEvent.objects.filter(action="person.import").count() == imports
    assert AuditEvent.objects.count() == history
    assert ImportBatch.objects.get(pk=batch.pk).status == "done"


def test_a_batch_whose_import_attempt_failed_is_imported_by_the_retry(
    world: Any, settings: Any, tmp_path: Path
) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    officer = world.users[Role.UNIT_OFFICER]
    path = write_csv(tmp_path / "b.csv", [row(upt=officer.organisation.code)])
    upload = SimpleUploadedFile("b.csv", path.read_bytes(), content_type="text/csv")
    batch = import_batch_create(actor=officer, upload=upload)
    import_batch_run(batch_id=batch.pk, dry_run=True)
    batch.refresh_from_db()
    batch = import_batch_confirm(actor=officer, batch=batch, skip_invalid=False)
    # The first attempt died before committing anything: the batch says failed, the registry is empty.
    ImportBatch.objects.filter(pk=batch.pk).update(status="failed")

    result = import_batch_run(batch_id=batch.pk, dry_run=False)

    assert result["created"] == 1 and result["written"] is True
    assert Person.objects.count() == 1
    assert ImportBatch.objects.get(pk=batch.pk).status == "done"
    assert AuditEvent.objects.filter(action="person.import").count() == 1
