"""Writes for results: assessments and certificates."""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction

from sinergi.audit.services import audit_record
from sinergi.programs import access
from sinergi.programs.models import (
    Assessment,
    Certificate,
    Enrollment,
)
from sinergi.programs.services._common import (
    ASSESSMENT_EXISTS,
    CERT_EXPIRY,
    CERT_NUMBER_TAKEN,
    DELIVERY_NOT_ALLOWED,
    FILE_TOO_BIG,
    FILE_TYPE,
    MAX_UPLOAD,
    POST_BEFORE_PRE,
    PRE_MISSING,
    SCORE_RANGE,
    _d,
    _invalid,
    forbidden,
)

# --- Assessments and certificates --------------------------------------------------------------------


def assessment_record(
    *, actor: Any, enrollment: Enrollment, kind: str, score: Any, assessor: str, on: dt.date
) -> Assessment:
    """Record a pre or post assessment; a post assessment needs a pre assessment on or before its date.
    Refuses (403) an actor who does not deliver the cohort (access.may_assess)."""
    if not access.may_assess(actor, enrollment.cohort):
        raise forbidden(DELIVERY_NOT_ALLOWED)
    from decimal import Decimal

    value = Decimal(str(score))
    if value < 0 or value > 100:
        raise _invalid(SCORE_RANGE, "score")
    if enrollment.assessments.filter(kind=kind).exists():
        raise _invalid(ASSESSMENT_EXISTS.format(kind=kind), "kind")
    if kind == "post":
        pre = enrollment.assessments.filter(kind="pre").first()
        if pre is None:
            raise _invalid(PRE_MISSING, "kind")
        if on < pre.assessed_on:
            raise _invalid(POST_BEFORE_PRE.format(pre=_d(pre.assessed_on)), "assessed_on")
    with transaction.atomic():
        assessment = Assessment.objects.create(
            enrollment=enrollment, kind=kind, score=value, assessor=assessor.strip(), assessed_on=on
        )
        audit_record(
            actor=actor,
            action="assessment.record",
            target=enrollment.person,
            changes={"kind": kind, "score": str(value), "cohort": enrollment.cohort.name},
        )
    return assessment


def certificate_record(
    *, actor: Any, enrollment: Enrollment, data: dict[str, Any], upload: UploadedFile | None = None
) -> Certificate:
    """Record a competency certificate with its scanned document (PDF, JPG or PNG, at most 10 MB). Refuses
    (403) an actor who does not deliver the cohort."""
    if not access.may_assess(actor, enrollment.cohort):
        raise forbidden(DELIVERY_NOT_ALLOWED)
    if data.get("expires_on") and data["expires_on"] <= data["issued_on"]:
        raise _invalid(CERT_EXPIRY, "expires_on")
    if Certificate.objects.filter(issuer=data["issuer"], number=data["number"]).exists():
        raise _invalid(CERT_NUMBER_TAKEN.format(number=data["number"], issuer=data["issuer"]), "number")
    checksum = ""
    if upload is not None:
        if (upload.size or 0) > MAX_UPLOAD:
            raise _invalid(FILE_TOO_BIG, "document")
        head = upload.read(8)
        upload.seek(0)
        if not (head.startswith(b"%PDF-") or head.startswith(b"\x89PNG") or head.startswith(b"\xff\xd8\xff")):
            raise _invalid(FILE_TYPE, "document")
        digest = hashlib.sha256()
        for chunk in upload.chunks():
            digest.update(chunk)
        upload.seek(0)
        checksum = digest.hexdigest()
    with transaction.atomic():
        certificate = Certificate(
            enrollment=enrollment,
            issuer=data["issuer"],
            number=data["number"],
            competency=data.get("competency", ""),
            issued_on=data["issued_on"],
            expires_on=data.get("expires_on"),
            checksum=checksum,
        )
        if upload is not None:
            certificate.document.save(upload.name or "sertifikat", upload, save=False)
        certificate.save()
        audit_record(
            actor=actor,
            action="certificate.record",
            target=enrollment.person,
            changes={"issuer": certificate.issuer, "number": certificate.number},
        )
        from sinergi.events import kinds
        from sinergi.events.services import event_record

        event_record(
            kind=kinds.CERTIFICATE_ISSUED,
            subject=enrollment.person,
            payload={
                "certificate": certificate.pk,
                "enrollment": enrollment.pk,
                "on": certificate.issued_on.isoformat(),
            },
        )
    return certificate


def certificate_download_record(*, actor: Any, certificate: Certificate) -> None:
    """Every export is audited, certificate scans included."""
    with transaction.atomic():
        audit_record(
            actor=actor,
            action="certificate.download",
            target=certificate.enrollment.person,
            changes={"certificate": certificate.number},
        )
