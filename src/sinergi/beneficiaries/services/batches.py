"""The web import: upload, check in the background, confirm, import, report."""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from sinergi.audit.services import audit_record
from sinergi.beneficiaries.services.imports import wbp_import
from sinergi.core.errors import ApplicationError, ForbiddenError

logger = logging.getLogger(__name__)

# --- Import batches (the web import) --------------------------------------------------------------------


def import_batch_create(*, actor: Any, upload: Any, skip_invalid: bool = False) -> Any:
    """Store an uploaded file and start checking it in the background (a dry run).

    A file that is too large, is not what its name says, or is an XLSX that would unpack beyond the limit
    is refused here, before it is stored or parsed (ApplicationError with the reason under `file`).
    """
    from sinergi.beneficiaries.access import REGISTRY
    from sinergi.beneficiaries.importing import file_problem
    from sinergi.beneficiaries.models import ImportBatch
    from sinergi.beneficiaries.tasks import import_check_task
    from sinergi.jobs.services import job_start

    if getattr(actor, "role", None) not in REGISTRY:
        raise ForbiddenError()
    problem = file_problem(upload, name=upload.name or "", size=upload.size)
    if problem:
        raise ApplicationError(problem, code="invalid", detail={"file": problem})
    with transaction.atomic():
        batch = ImportBatch.objects.create(
            file=upload,
            original_name=(upload.name or "berkas")[:255],
            skip_invalid=skip_invalid,
            created_by=actor,
        )
        job = job_start(
            actor=actor,
            kind="person.import_check",
            title=str(_("Check %(file)s") % {"file": batch.original_name}),
            task=import_check_task,
            params={"batch": batch.pk},
        )
        ImportBatch.objects.filter(pk=batch.pk).update(check_job=job, status="checking")
        audit_record(
            actor=actor, action="person.import_upload", target=batch, changes={"file": batch.original_name}
        )
    batch.refresh_from_db()
    return batch


IMPORT_NOT_READY = _("This file has not been checked yet, or it has been imported already.")
IMPORT_HAS_ERRORS = _(
    "The file still has invalid rows. Fix the file, or choose to import only the valid rows."
)


def import_batch_confirm(*, actor: Any, batch: Any, skip_invalid: bool) -> Any:
    """Confirm a checked file: start the real import in the background."""
    from sinergi.beneficiaries.models import ImportBatch
    from sinergi.beneficiaries.tasks import import_run_task
    from sinergi.jobs.services import job_start

    if batch.status != "checked":
        raise ApplicationError(IMPORT_NOT_READY, code="invalid")
    if batch.check_summary.get("invalid") and not skip_invalid:
        raise ApplicationError(IMPORT_HAS_ERRORS, code="invalid")
    with transaction.atomic():
        updated = ImportBatch.objects.filter(pk=batch.pk, status="checked").update(
            status="importing", skip_invalid=skip_invalid
        )
        if not updated:
            raise ApplicationError(IMPORT_NOT_READY, code="invalid")
        job = job_start(
            actor=actor,
            kind="person.import",
            title=str(_("Import %(file)s") % {"file": batch.original_name}),
            task=import_run_task,
            params={"batch": batch.pk},
        )
        ImportBatch.objects.filter(pk=batch.pk).update(import_job=job)
    batch.refresh_from_db()
    return batch


def import_batch_run(
    *, batch_id: int, dry_run: bool, progress: Callable[[int], None] | None = None
) -> dict[str, Any]:
    """The work of a check or import job: run wbp_import on the stored file and keep its summary.

    The import and the batch's new status commit together, with the batch row locked first: a job that is
    run again (a retry after its worker was given up for dead, or a second delivery of the task) finds the
    batch imported already and returns the summary it kept, instead of importing the file twice.
    """
    from sinergi.beneficiaries.models import ImportBatch

    if dry_run:
        return _batch_import(batch_id=batch_id, dry_run=True, progress=progress)
    try:
        with transaction.atomic():
            batch = ImportBatch.objects.select_for_update().get(pk=batch_id)
            if batch.status == "done":
                logger.info("import batch %s is imported already; not importing it again", batch_id)
                return _job_result(batch.import_summary or {})
            return _batch_import(batch_id=batch_id, dry_run=False, progress=progress)
    except Exception:
        # A file that cannot be read, or an unexpected failure: the page stops waiting and says so.
        ImportBatch.objects.filter(pk=batch_id).exclude(status="done").update(status="failed")
        raise


def _job_result(summary: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in summary.items() if k not in ("errors", "warnings")}


def _batch_import(*, batch_id: int, dry_run: bool, progress: Callable[[int], None] | None) -> dict[str, Any]:
    from django.core.files.storage import default_storage

    from sinergi.beneficiaries.models import ImportBatch

    batch = ImportBatch.objects.select_related("created_by").get(pk=batch_id)
    path = Path(default_storage.path(batch.file.name))
    try:
        summary = wbp_import(
            actor=batch.created_by,
            path=path,
            dry_run=dry_run,
            skip_invalid=batch.skip_invalid,
            progress=progress,
            source=batch.original_name,
        ).as_dict()
    except Exception:
        if dry_run:
            ImportBatch.objects.filter(pk=batch.pk).update(status="failed")
        raise
    if dry_run:
        ImportBatch.objects.filter(pk=batch.pk).update(status="checked", check_summary=summary)
    else:
        ImportBatch.objects.filter(pk=batch.pk).update(
            status="done" if summary["written"] else "failed", import_summary=summary
        )
    return _job_result(summary)


def import_report_record(*, actor: Any, batch: Any) -> None:
    """Every export is audited, the error report included."""
    with transaction.atomic():
        audit_record(actor=actor, action="person.import_report", target=batch)


def import_preview_read_record(*, actor: Any, batch: Any, count: int) -> None:
    """Reading the preview lists people (names, masked NIKs, what changes): a bulk read, audited."""
    from sinergi.audit.services import audit_read

    audit_read(
        actor=actor,
        action="person.import_preview.list",
        filters={"batch": batch.pk},
        count=count,
        target=batch,
    )
