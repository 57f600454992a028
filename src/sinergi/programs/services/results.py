"""Writes for results: assessments and certificates."""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy

from sinergi.audit.services import audit_record, model_update
from sinergi.core.uploads import detect_scan, stored_name
from sinergi.programs import access, domain
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
    _problems,
    forbidden,
)

ASSESSMENT_DATE = gettext_lazy("The assessment date")
DECISION_DATE = gettext_lazy("The TPP decision date")
REVOKE_DATE = gettext_lazy("The date of revoking")
REASON_REQUIRED = gettext_lazy("Write the reason.")
ALREADY_REVOKED = gettext_lazy("This certificate was already revoked on %(date)s.")
ALREADY_VOIDED = gettext_lazy("This assessment was already voided on %(date)s.")
REVOKE_BEFORE_ISSUE = gettext_lazy("A certificate cannot be revoked before it was issued (%(date)s).")

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
    future = domain.future_problem(what=ASSESSMENT_DATE, on=on, today=timezone.localdate(), date_text=_d)
    if future:
        raise _invalid(future, "assessed_on")
    if enrollment.assessments.filter(kind=kind, voided_on__isnull=True).exists():
        raise _invalid(ASSESSMENT_EXISTS.format(kind=kind), "kind")
    if kind == "post":
        pre = enrollment.assessments.filter(kind="pre", voided_on__isnull=True).first()
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
    problems = domain.certificate_problems(
        stage=enrollment.stage,
        completed_on=enrollment.completed_on,
        issued_on=data["issued_on"],
        today=timezone.localdate(),
        date_text=_d,
    )
    if data.get("expires_on") and data["expires_on"] <= data["issued_on"]:
        problems["expires_on"] = str(CERT_EXPIRY)
    if Certificate.objects.filter(issuer=data["issuer"], number=data["number"]).exists():
        problems["number"] = CERT_NUMBER_TAKEN.format(number=data["number"], issuer=data["issuer"])
    if problems:
        raise _problems(problems)
    checksum = ""
    if upload is not None:
        if (upload.size or 0) > MAX_UPLOAD:
            raise _invalid(FILE_TOO_BIG, "document")
        head = upload.read(8)
        upload.seek(0)
        scan = detect_scan(head)
        if scan is None:
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
            # Stored with the extension of what the file is, not of the name it came with.
            certificate.document.save(stored_name("sertifikat", scan), upload, save=False)  # type: ignore[arg-type]
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


def certificate_revoke(*, actor: Any, certificate: Certificate, on: dt.date, reason: str) -> Certificate:
    """Revoke a certificate with a reason (audited); its public page then says it was revoked, and when.
    Refuses a date in the future or before issue, and (403) an actor who does not deliver the cohort."""
    if not access.may_assess(actor, certificate.enrollment.cohort):
        raise forbidden(DELIVERY_NOT_ALLOWED)
    problems: dict[str, str] = {}
    if certificate.revoked_on:
        problems["on"] = str(ALREADY_REVOKED) % {"date": _d(certificate.revoked_on)}
    if not reason.strip():
        problems["reason"] = str(REASON_REQUIRED)
    future = domain.future_problem(what=REVOKE_DATE, on=on, today=timezone.localdate(), date_text=_d)
    if future:
        problems["on"] = future
    elif on < certificate.issued_on:
        problems["on"] = str(REVOKE_BEFORE_ISSUE) % {"date": _d(certificate.issued_on)}
    if problems:
        raise _problems(problems)
    with transaction.atomic():
        model_update(
            instance=certificate,
            data={"revoked_on": on, "revoke_reason": reason.strip()[:300]},
            actor=actor,
            action="certificate.revoke",
        )
    return certificate


def assessment_correct(
    *, actor: Any, assessment: Assessment, score: Any, on: dt.date, reason: str
) -> Assessment:
    """Correct an assessment's score or date with a reason (audited with the old and new values)."""
    from decimal import Decimal

    if not access.may_assess(actor, assessment.enrollment.cohort):
        raise forbidden(DELIVERY_NOT_ALLOWED)
    value = Decimal(str(score))
    problems: dict[str, str] = {}
    if assessment.voided_on:
        problems["reason"] = str(ALREADY_VOIDED) % {"date": _d(assessment.voided_on)}
    if value < 0 or value > 100:
        problems["score"] = str(SCORE_RANGE)
    if not reason.strip():
        problems["reason"] = str(REASON_REQUIRED)
    future = domain.future_problem(what=ASSESSMENT_DATE, on=on, today=timezone.localdate(), date_text=_d)
    if future:
        problems["assessed_on"] = future
    if problems:
        raise _problems(problems)
    with transaction.atomic():
        changed = model_update(
            instance=assessment,
            data={"score": value, "assessed_on": on},
            actor=actor,
            action="assessment.correct",
        )
        if changed:
            audit_record(
                actor=actor,
                action="assessment.correct",
                target=assessment.enrollment.person,
                changes={"assessment": assessment.pk, "kind": assessment.kind, "reason": reason.strip()},
            )
    return assessment


def assessment_void(*, actor: Any, assessment: Assessment, reason: str) -> Assessment:
    """Void an assessment recorded by mistake, with a reason (audited); the kind may be recorded again."""
    if not access.may_assess(actor, assessment.enrollment.cohort):
        raise forbidden(DELIVERY_NOT_ALLOWED)
    problems: dict[str, str] = {}
    if assessment.voided_on:
        problems["reason"] = str(ALREADY_VOIDED) % {"date": _d(assessment.voided_on)}
    if not reason.strip():
        problems["reason"] = str(REASON_REQUIRED)
    if problems:
        raise _problems(problems)
    with transaction.atomic():
        model_update(
            instance=assessment,
            data={"voided_on": timezone.localdate(), "void_reason": reason.strip()[:300]},
            actor=actor,
            action="assessment.void",
        )
    return assessment


def certificate_download_record(*, actor: Any, certificate: Certificate) -> None:
    """Every export is audited, certificate scans included."""
    with transaction.atomic():
        audit_record(
            actor=actor,
            action="certificate.download",
            target=certificate.enrollment.person,
            changes={"certificate": certificate.number},
        )
