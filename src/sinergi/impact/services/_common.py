"""Messages and checks shared by the impact services."""

from __future__ import annotations

import hashlib
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _

from sinergi.core.errors import ApplicationError, ForbiddenError
from sinergi.impact import access

NOT_EDITOR = _(
    "Only an administrator, or a Kanwil or TJSL officer of a party to this program's agreement, may change "
    "its finance and impact data."
)
LINE_REQUIRED = _("Choose the budget line this expenditure is charged to.")
LINE_OF_OTHER_PROGRAM = _("That budget line belongs to another program.")
YEAR_OUTSIDE_PROGRAM = _(
    "The program runs from %(start)s to %(end)s; %(year)s is not one of its years. Check the date."
)
YEAR_OF_OTHER_LINE = _(
    "This budget line is for %(line_year)s but the expenditure is dated %(date)s. "
    "Choose the %(year)s line of the same category."
)
AMOUNT_POSITIVE = _("Enter an amount in whole rupiah, more than 0.")
BUDGET_NOT_NEGATIVE = _("Enter a budget in whole rupiah, 0 or more.")
LINE_TAKEN = _(
    "This program already has a %(category)s line for %(year)s from this funder with this description."
)
FILE_TYPE = _("Only PDF, JPG or PNG files can be uploaded. “%(name)s” is not one of them.")
FILE_TOO_BIG = _("“%(name)s” is larger than 10 MB. Scan at a lower resolution.")
FILE_EMPTY = _("“%(name)s” is empty. Choose the scanned file again.")
BASIS_REQUIRED = _("Say how the value was worked out (for example: 3 rooms × 20 days × Rp 250.000 per day).")
PERIOD_ORDER = _("The end of the period is before its start.")

MAX_UPLOAD = 10 * 1024 * 1024
ALLOWED_UPLOADS = {
    b"%PDF-": ("application/pdf", "pdf"),
    b"\x89PNG\r\n\x1a\n": ("image/png", "png"),
    b"\xff\xd8\xff": ("image/jpeg", "jpg"),
}


def invalid(message: Any, field: str | None = None, **params: Any) -> ApplicationError:
    text = str(message % params) if params else str(message)
    return ApplicationError(text, code="invalid", detail={field: text} if field else None)


def raise_problems(errors: dict[str, str]) -> None:
    """Raise once with every field's problem, or return when there is none."""
    if errors:
        raise ApplicationError(next(iter(errors.values())), code="invalid", detail=errors)


def check_program_editor(actor: Any, program: Any) -> None:
    if not access.may_edit_program(actor, program):
        raise ForbiddenError(NOT_EDITOR)


def check_agreement_editor(actor: Any, agreement: Any) -> None:
    if not access.may_edit_agreement(actor, agreement):
        raise ForbiddenError(NOT_EDITOR)


def whole_rupiah(value: Any) -> int | None:
    """An integer number of rupiah from a form or API value, or None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    try:
        text = str(value).strip()
        number = int(text)
    except (TypeError, ValueError):
        return None
    return number


def read_scan(upload: UploadedFile) -> tuple[bytes, str, str, str]:
    """Read an uploaded scan: (content, content type, suffix, SHA-256). Refuses a file that is not PDF, JPG
    or PNG by its content, an empty file and a file over 10 MB."""
    name = upload.name or "berkas"
    if upload.size is not None and upload.size > MAX_UPLOAD:
        raise invalid(FILE_TOO_BIG, "receipt", name=name)
    digest = hashlib.sha256()
    chunks = []
    size = 0
    for chunk in upload.chunks():
        size += len(chunk)
        if size > MAX_UPLOAD:
            raise invalid(FILE_TOO_BIG, "receipt", name=name)
        digest.update(chunk)
        chunks.append(chunk)
    content = b"".join(chunks)
    if not content:
        raise invalid(FILE_EMPTY, "receipt", name=name)
    for magic, (content_type, suffix) in ALLOWED_UPLOADS.items():
        if content.startswith(magic):
            return content, content_type, suffix, digest.hexdigest()
    raise invalid(FILE_TYPE, "receipt", name=name)


def program_years(program: Any) -> range:
    return range(program.start_date.year, program.end_date.year + 1)
