"""The subject-access PDF as a background job: asked for on the page, made by a worker, kept encrypted, and
downloaded by the officer who asked.

Printing a person's whole record takes seconds (WeasyPrint lays out every page), so the request only checks
the reason and the rights, keeps a `SubjectExport` and starts the `report.subject` job; the page then shows
its progress. The JSON stays synchronous (`subject.subject_export`): it is one walk of the records and a
`json.dumps`.

Where the person's data goes, and how it is kept:
- the job's row holds only the export's id (`params`) and its size and checksum (`result`); its title and
  progress messages name no one;
- the reason (free text, possibly naming people) and the PDF are encrypted with the person's own key
  (`audit.services.audit_subject_cipher`), the key their audit events are sealed with. Anonymisation
  destroys that key, so a copy left anywhere (a backup of the media directory) cannot be read afterwards,
  and the anonymiser registered here deletes the file and the reason as well;
- the PDF is built in memory (WeasyPrint writes no temporary file) and written once, encrypted.

Audit: the request (`person.subject_access`, with the reason, as before), the job (`job.start`), the file
made (`person.subject_access_ready`, with its checksum and the number of records) and every download
(`person.subject_access_download`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from collections.abc import Callable
from typing import Any

from cryptography.fernet import InvalidToken
from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import QuerySet
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sinergi.audit.services import audit_record, audit_subject_cipher
from sinergi.beneficiaries.models import Person
from sinergi.beneficiaries.selectors import person_get
from sinergi.core.errors import ApplicationError, ConflictError, ForbiddenError, NotFoundError
from sinergi.jobs.services import job_start
from sinergi.reports import access, subject
from sinergi.reports.models import SubjectExport

KIND = "report.subject"
NOT_YOURS = gettext_lazy(
    "Only the officer who asked for this subject-access export can download it. Ask for your own export, "
    "with your reason, from the person's page."
)
NO_LONGER_ALLOWED = gettext_lazy(
    "You may no longer make a subject-access export of this person, so the file is not given out."
)
NOT_READY = gettext_lazy("The file is not ready yet: wait until the job has finished.")
REMOVED = gettext_lazy(
    "This file can no longer be opened: the person's data was removed at anonymisation (retention)."
)
UNREADABLE = gettext_lazy(
    "This file cannot be opened (it is missing or was not sealed with this person's key): ask for the "
    "export again."
)
EXPIRED = gettext_lazy(
    "This file was deleted %(days)s days after it was made (retention): ask for the export again if you "
    "still need it."
)
STEPS = 4


def _may(actor: Any) -> bool:
    return access.role_of(actor) in access.SUBJECT_ACCESS_ROLES


def subject_pdf_request(*, actor: Any, person: Person, reason: str) -> SubjectExport:
    """Keep the request (the reason sealed with the person's key), audit it and start the job that prints
    the PDF in the active language."""
    reason = reason.strip()
    if len(reason) < 10:
        raise ApplicationError(str(subject.REASON_NEEDED), code="reason")
    if not _may(actor):
        raise ForbiddenError()
    with transaction.atomic():
        export = SubjectExport.objects.create(
            person=person, language=translation.get_language() or "id", created_by=actor
        )
        cipher = audit_subject_cipher(target=person)
        if cipher is None:  # anonymised: nothing of theirs is left to export
            raise ApplicationError(str(REMOVED), code="removed")
        export.reason_sealed = cipher.encrypt(reason.encode()).decode()
        audit_record(
            actor=actor,
            action="person.subject_access",
            target=person,
            changes={"format": "pdf", "reason": reason[:300], "export": export.pk},
        )
        job = job_start(
            actor=actor,
            kind=KIND,
            title=_("Subject-access export (PDF) no. %(n)s") % {"n": export.pk},
            task=_task(),
            params={"export": export.pk},
        )
        export.job = job
        export.save(update_fields=["reason_sealed", "job"])
    return export


def _task() -> Any:
    from sinergi.reports.tasks import subject_export_task

    return subject_export_task


def subject_pdf_generate(
    *, export: SubjectExport, progress: Callable[[int, int, str], None] | None = None
) -> SubjectExport:
    """Print the PDF as its requester may see it (rights checked again: they may have lost them since the
    request), encrypt it with the person's key and keep it with its checksum."""

    def step(done: int, message: str) -> None:
        if progress:
            progress(done, STEPS, message)

    actor = export.created_by
    if actor is None or not actor.is_active or not _may(actor):
        raise ApplicationError(str(NO_LONGER_ALLOWED), code="forbidden")
    person = person_get(actor=actor, pk=export.person_id)
    cipher = audit_subject_cipher(target=person)
    if cipher is None:
        raise ApplicationError(str(REMOVED), code="removed")
    reason = cipher.decrypt(export.reason_sealed.encode()).decode()
    with translation.override(export.language):
        step(0, _("Gathering the records"))
        held = subject.subject_held(actor=actor, person=person)
        step(1, _("Writing the document"))
        from sinergi.reports.joint import html_to_pdf
        from sinergi.reports.subject_document import subject_document

        document = subject_document(held=held, actor=actor, reason=reason)
        html = render_to_string("reports/subject.html", {"doc": document, "person": person})
        step(2, _("Printing the PDF (the longest step)"))
        data = html_to_pdf(html)
        step(3, _("Storing the file, encrypted"))
    checksum = hashlib.sha256(data).hexdigest()
    records = 1 + sum(len(objs) for _s, _m, objs in held.sections()) + len(held.events)
    export = _store(export_id=export.pk, data=data, checksum=checksum, records=records)
    with translation.override(export.language):
        step(STEPS, _("Done"))
    return export


def _lock_export(export_id: int) -> SubjectExport:
    """The export's row and its person's row, locked in the merge's order (the person first): a merge in
    progress is waited for, and the person read after it is the one the export belongs to now."""
    person_id = SubjectExport.objects.values_list("person_id", flat=True).get(pk=export_id)
    while True:
        list(Person.objects.select_for_update().filter(pk=person_id).values_list("pk", flat=True))
        export = SubjectExport.objects.select_for_update().select_related("person").get(pk=export_id)
        if export.person_id == person_id:
            return export
        person_id = export.person_id  # merged meanwhile: lock the person kept


def _name(export: SubjectExport) -> str:
    """A new name for the export's file (never one in use: the old file stays until the new one is kept)."""
    field = SubjectExport._meta.get_field("file")
    return str(field.generate_filename(export, f"subjek-{export.pk}-{secrets.token_hex(4)}.pdf.enc"))


def _store(*, export_id: int, data: bytes, checksum: str, records: int) -> SubjectExport:
    """Encrypt the PDF with the key of the person the export belongs to when it is stored (read under the
    lock of their row: a merge moves it, `subject_exports_merge`) and keep it. A retry replaces the file it
    made before (deleted once this commits); a failure before the commit deletes the file just written."""
    storage = SubjectExport._meta.get_field("file").storage
    written = ""
    try:
        with transaction.atomic():
            export = _lock_export(export_id)
            cipher = audit_subject_cipher(target=export.person)
            if cipher is None:
                raise ApplicationError(str(REMOVED), code="removed")
            previous = export.file.name or ""
            written = storage.save(_name(export), ContentFile(cipher.encrypt(data)))
            export.file.name = written
            export.checksum, export.size, export.records = checksum, len(data), records
            export.save(update_fields=["file", "checksum", "size", "records"])
            audit_record(
                actor=None,
                action="person.subject_access_ready",
                target=export,
                changes={"checksum": checksum, "size": len(data), "records": records},
            )
            if previous:
                transaction.on_commit(lambda: storage.delete(previous))
    except BaseException:
        if written:
            storage.delete(written)
        raise
    return export


def export_list(*, actor: Any, person: Person) -> QuerySet[SubjectExport]:
    """The actor's own PDF exports of the person, newest first, with their jobs."""
    return SubjectExport.objects.filter(person=person, created_by_id=actor.pk).select_related("job")


def export_get(*, actor: Any, pk: int) -> SubjectExport:
    """One export, for the officer who asked for it, while they may still make one of the person (their
    role, and the person in their scope). Anyone else: 403 with `NOT_YOURS` (the export's existence tells
    nothing: every officer who reaches this address may make subject-access exports)."""
    if not _may(actor):
        raise ForbiddenError()
    export = SubjectExport.objects.select_related("job", "person", "created_by").filter(pk=pk).first()
    if export is None:
        raise NotFoundError()
    if export.created_by_id != actor.pk:
        raise ForbiddenError(str(NOT_YOURS))
    export.person = person_get(actor=actor, pk=export.person_id)  # out of scope: 404
    return export


def export_open(*, actor: Any, export: SubjectExport) -> bytes:
    """The PDF, decrypted, for the officer `export_get` gave it to; the download is audited."""
    if not export.file:
        days = settings.SUBJECT_EXPORT_RETENTION_DAYS
        if export.checksum and export.created_at < timezone.now() - dt.timedelta(days=days):
            raise ConflictError(str(EXPIRED % {"days": days}))
        raise ConflictError(str(NOT_READY))
    cipher = audit_subject_cipher(target=export.person)
    if cipher is None:
        raise NotFoundError(str(REMOVED))
    try:
        with export.file.open("rb") as handle:
            data = cipher.decrypt(handle.read())
    except (OSError, InvalidToken) as exc:  # missing, or sealed with another key: said, and audited
        with transaction.atomic():
            audit_record(
                actor=actor,
                action="person.subject_access_unreadable",
                target=export,
                changes={"file": export.file.name, "error": type(exc).__name__},
            )
        raise ConflictError(str(UNREADABLE)) from exc
    if hashlib.sha256(data).hexdigest() != export.checksum:
        raise ApplicationError(_("The stored file is damaged: make the export again."), code="damaged")
    audit_record(
        actor=actor,
        action="person.subject_access_download",
        target=export,
        changes={"checksum": export.checksum, "size": export.size},
    )
    return data


def subject_exports_anonymise(person_id: int, pseudonym: str) -> None:
    """Registered anonymiser (retention): the person's kept PDFs and the reasons are deleted. Their key is
    destroyed as well (by the registry's anonymisation), so no copy of the file can be read afterwards."""
    exports = SubjectExport.objects.filter(person_id=person_id)
    files = [export.file for export in exports.exclude(file="")]
    exports.update(file="", reason_sealed="")

    def delete() -> None:  # once the anonymisation has committed (a rollback keeps the rows' files)
        for stored in files:
            stored.storage.delete(stored.name)

    transaction.on_commit(delete)


def subject_exports_merge(*, actor: Any, keep: Person, drop: Person) -> dict[str, Any]:
    """Registered merger (`beneficiaries.mergers`): the PDFs asked for about `drop` are held about `keep`
    from now on. Their files and reasons were encrypted with `drop`'s key, so they are encrypted again with
    `keep`'s (a new file each; the old one is deleted once the merge has committed). Returns how many
    moved."""
    exports = list(SubjectExport.objects.filter(person=drop))
    if not exports:
        return {"subject_exports": 0}
    old_cipher, new_cipher = audit_subject_cipher(target=drop), audit_subject_cipher(target=keep)
    storage = SubjectExport._meta.get_field("file").storage
    old_files: list[str] = []
    new_files: list[tuple[int, str, bytes]] = []  # written once the merge has committed
    for export in exports:
        sealed = b""
        if old_cipher is not None and new_cipher is not None:
            if export.reason_sealed:
                reason = old_cipher.decrypt(export.reason_sealed.encode())
                export.reason_sealed = new_cipher.encrypt(reason).decode()
            if export.file:
                try:
                    with export.file.open("rb") as handle:
                        sealed = new_cipher.encrypt(old_cipher.decrypt(handle.read()))
                except (OSError, InvalidToken):  # missing or unreadable already: not carried over
                    sealed = b""
        else:  # a shredded key: nothing readable to carry over
            export.reason_sealed = ""
        if export.file:
            old_files.append(export.file.name)
            export.file.name = ""
            if sealed:
                export.file.name = _name(export)
                new_files.append((export.pk, export.file.name, sealed))
        export.person = keep
        export.save(update_fields=["person", "reason_sealed", "file"])

    def write_then_delete() -> None:
        # Once the merge has committed: a merge rolled back writes nothing (its rows keep the old files).
        for pk, name, sealed in new_files:
            saved = storage.save(name, ContentFile(sealed))
            if saved != name:  # the storage chose another name: the row follows it
                SubjectExport.objects.filter(pk=pk, file=name).update(file=saved)
        for name in old_files:
            storage.delete(name)

    transaction.on_commit(write_then_delete)
    return {"subject_exports": len(exports)}


def subject_exports_expire() -> dict[str, int]:
    """Daily (`jobs.schedule`): the PDFs kept longer than settings.SUBJECT_EXPORT_RETENTION_DAYS are deleted
    with their reasons; each deletion is audited. The rows stay, so the page says why the file is gone."""
    days = settings.SUBJECT_EXPORT_RETENTION_DAYS
    cutoff = timezone.now() - dt.timedelta(days=days)
    storage = SubjectExport._meta.get_field("file").storage
    expired = 0
    for pk in (
        SubjectExport.objects.filter(created_at__lt=cutoff).exclude(file="").values_list("pk", flat=True)
    ):
        with transaction.atomic():
            export = _lock_export(pk)
            if not export.file or export.created_at >= cutoff:
                continue
            name = export.file.name
            SubjectExport.objects.filter(pk=pk).update(file="", reason_sealed="")
            audit_record(
                actor=None,
                action="person.subject_access_expired",
                target=export,
                changes={"days": days, "checksum": export.checksum},
            )
            transaction.on_commit(lambda name=name: storage.delete(name))  # type: ignore[misc]
        expired += 1
    return {"expired": expired}
