"""The subject-access export: everything the system holds about one person, as JSON and PDF.

Administrators only, with a stated reason; every export is audited (`person.subject_access`). The NIK is
included in clear (it is the person's own data) and its decryption is audited too (`nik_reveal`).
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from typing import Any

from django.db import models
from django.db.models.fields.files import FieldFile
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext_lazy

from sinergi.aftercare.models import AftercareCase
from sinergi.audit.models import AuditEvent
from sinergi.audit.services import audit_record, audit_unseal
from sinergi.beneficiaries.models import Consent, CustodyEpisode, IntegrationEvent, Person
from sinergi.beneficiaries.services import nik_reveal
from sinergi.core.errors import ApplicationError
from sinergi.programs.models import Assessment, Attendance, Certificate, Enrollment, ScreeningResult

REASON_NEEDED = gettext_lazy("State the reason for the subject-access export (at least 10 characters).")
HIDDEN_FIELDS = {"nik_encrypted", "nik_hash", "name_key", "version"}


def _value(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, models.Model):
        return str(value)
    if isinstance(value, FieldFile):
        return value.name or ""
    return value


def _row(obj: models.Model) -> dict[str, Any]:
    row: dict[str, Any] = {}
    for f in obj._meta.concrete_fields:
        if f.name in HIDDEN_FIELDS:
            continue
        row[f.attname if f.is_relation else f.name] = _value(getattr(obj, f.attname))
    return row


def subject_data(*, actor: Any, person: Person) -> dict[str, Any]:
    """Every record about the person, grouped by kind, as plain JSON-able values."""
    enrollments = Enrollment.objects.filter(person=person).order_by("pk")
    of_enrollments = {"enrollment__in": enrollments}
    sections: dict[str, list[dict[str, Any]]] = {
        "person": [_row(person) | {"nik": nik_reveal(actor=actor, person=person)}],
        "custody_episodes": [_row(e) for e in CustodyEpisode.objects.filter(person=person).order_by("pk")],
        "integration_events": [
            _row(e) for e in IntegrationEvent.objects.filter(episode__person=person).order_by("pk")
        ],
        "consents": [_row(c) for c in Consent.objects.filter(person=person).order_by("pk")],
        "screening_results": [_row(r) for r in ScreeningResult.objects.filter(person=person).order_by("pk")],
        "enrollments": [_row(e) for e in enrollments],
        "attendance": [_row(a) for a in Attendance.objects.filter(**of_enrollments).order_by("pk")],
        "assessments": [_row(a) for a in Assessment.objects.filter(**of_enrollments).order_by("pk")],
        "certificates": [_row(c) for c in Certificate.objects.filter(**of_enrollments).order_by("pk")],
        "aftercare_cases": [_row(c) for c in AftercareCase.objects.filter(person=person).order_by("pk")],
        "audit_events": [
            _row(e)
            for e in audit_unseal(
                AuditEvent.objects.filter(
                    target_type=person._meta.label_lower, target_id=str(person.pk)
                ).order_by("seq")
            )
        ],
    }
    return {
        "generated_at": timezone.now().isoformat(),
        "person_id": person.pk,
        "sections": sections,
    }


def subject_export(*, actor: Any, person: Person, fmt: str, reason: str) -> tuple[bytes, str]:
    """The export as bytes with its content type; audited with the reason."""
    reason = reason.strip()
    if len(reason) < 10:
        raise ApplicationError(str(REASON_NEEDED), code="reason")
    data = subject_data(actor=actor, person=person)
    audit_record(
        actor=actor,
        action="person.subject_access",
        target=person,
        changes={
            "format": fmt,
            "reason": reason[:300],
            "records": sum(len(v) for v in data["sections"].values()),
        },
    )
    if fmt == "pdf":
        from sinergi.reports.joint import html_to_pdf

        html = render_to_string("reports/subject.html", {"data": data, "person": person, "reason": reason})
        return html_to_pdf(html), "application/pdf"
    return json.dumps(data, ensure_ascii=False, indent=2).encode("utf-8"), "application/json"
