"""The subject-access export: everything the system holds about one person, as JSON and PDF.

Administrators only, with a stated reason; every export is audited (`person.subject_access`). The NIK is
included in clear (it is the person's own data) and its decryption is audited too (`nik_reveal`).
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.apps import apps
from django.db import models
from django.db.models.fields.files import FieldFile
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext_lazy

from sinergi.audit.models import AuditEvent
from sinergi.audit.services import SUBJECT_TYPE, audit_record, audit_unseal
from sinergi.beneficiaries.models import Person
from sinergi.beneficiaries.services import nik_reveal
from sinergi.core.errors import ApplicationError

REASON_NEEDED = gettext_lazy("State the reason for the subject-access export (at least 10 characters).")
AUDIT_TITLE = gettext_lazy("Access history")
HIDDEN_FIELDS = {"nik_encrypted", "nik_hash", "name_key", "version", "sealed", "reason_sealed"}


def _value(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, Decimal | uuid.UUID):
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


# Section names of the export (stable keys of the JSON). A model that reaches the person and is not named
# here still goes into the export, under its label ("app_model"): the export walks the models, it does not
# list them, so a new table about the person cannot be left out (tests/reports/test_subject_complete.py).
SECTION_NAMES = {
    "beneficiaries.custodyepisode": "custody_episodes",
    "beneficiaries.integrationevent": "integration_events",
    "beneficiaries.importedrow": "imported_rows",
    "beneficiaries.consent": "consents",
    "programs.screeningresult": "screening_results",
    "programs.candidateapproval": "candidate_approvals",
    "programs.enrollment": "enrollments",
    "programs.attendance": "attendance",
    "programs.assessment": "assessments",
    "programs.certificate": "certificates",
    "aftercare.aftercarecase": "aftercare_cases",
    "aftercare.goal": "aftercare_goals",
    "aftercare.report": "aftercare_reports",
    "aftercare.visit": "aftercare_visits",
    "aftercare.aid": "aftercare_aid",
    "aftercare.followup": "aftercare_followups",
    "aftercare.reoffence": "aftercare_reoffences",
    "aftercare.indexscore": "aftercare_index_scores",
    "reports.subjectexport": "subject_access_exports",
}


def section_name(model: type[models.Model]) -> str:
    """The export's section for a model's rows."""
    label = model._meta.label_lower
    return SECTION_NAMES.get(label, label.replace(".", "_"))


def _links(model: type[models.Model], reached: set[type[models.Model]]) -> list[models.Field[Any, Any]]:
    return [
        f
        for f in model._meta.concrete_fields
        if f.is_relation and (f.many_to_one or f.one_to_one) and f.related_model in reached
    ]


def person_models() -> list[tuple[type[models.Model], list[models.Field[Any, Any]]]]:
    """Every model with a foreign-key path to a person (through any other such model), with the fields
    that lead there, in the order found. The person's own table and links between persons (a merge) are
    not part of it: those are other people."""
    reached: set[type[models.Model]] = {Person}
    found: list[type[models.Model]] = []
    grown = True
    while grown:
        grown = False
        for model in apps.get_models():
            if model not in reached and _links(model, reached):
                reached.add(model)
                found.append(model)
                grown = True
    return [(model, _links(model, reached)) for model in found]


def _records(person: Person) -> dict[type[models.Model], dict[Any, models.Model]]:
    """The person's rows of every model in `person_models()`: rows linked to the person or to one of its
    rows, repeated until nothing new is found (a row can hang on several others)."""
    walk = person_models()
    rows: dict[type[models.Model], dict[Any, models.Model]] = {Person: {person.pk: person}}
    rows.update({model: {} for model, _fields in walk})
    grown = True
    while grown:
        grown = False
        for model, fields in walk:
            query = models.Q()
            for f in fields:
                known = list(rows[f.related_model])  # type: ignore[index]
                if known:
                    query |= models.Q(**{f"{f.attname}__in": known})
            if not query:
                continue
            for obj in model._default_manager.filter(query).exclude(pk__in=list(rows[model])):
                rows[model][obj.pk] = obj
                grown = True
    return rows


def _audit_events(rows: dict[type[models.Model], dict[Any, models.Model]]) -> list[AuditEvent]:
    """Events about the person (sealed under the person's key) or whose target is one of the person's
    rows, opened for the subject (content removed at anonymisation stays removed)."""
    query = models.Q(subject_type=SUBJECT_TYPE, subject_id=str(next(iter(rows[Person]))))
    for model, objs in rows.items():
        if objs:
            query |= models.Q(target_type=model._meta.label_lower, target_id__in=[str(pk) for pk in objs])
    return audit_unseal(AuditEvent.objects.filter(query).order_by("seq"))


@dataclass
class Held:
    """What the system holds about one person: their rows by model, the NIK, and the audit events."""

    person: Person
    rows: dict[type[models.Model], dict[Any, models.Model]]
    nik: str
    events: list[AuditEvent]

    def sections(self) -> list[tuple[str, type[models.Model], list[models.Model]]]:
        """(section, model, rows sorted by key) for every model but Person, in the walk's order."""
        return [
            (section_name(model), model, sorted(objs.values(), key=lambda o: o.pk))
            for model, objs in self.rows.items()
            if model is not Person
        ]


def subject_held(*, actor: Any, person: Person) -> Held:
    """Every row about the person, their NIK (decrypted, audited) and the audit events about them."""
    rows = _records(person)
    nik = nik_reveal(actor=actor, person=person)
    return Held(person=person, rows=rows, nik=nik, events=_audit_events(rows))


def _fields(model: type[models.Model]) -> list[models.Field[Any, Any]]:
    return [f for f in model._meta.concrete_fields if f.name not in HIDDEN_FIELDS]


def _key(f: models.Field[Any, Any]) -> str:
    return f.attname if f.is_relation else f.name


# Labels of fields whose model gives none of its own (Django then makes one from the name).
EXTRA_LABELS: dict[str, Any] = {
    "id": gettext_lazy("record number"),
    "nik": gettext_lazy("NIK"),
    "nik_last4": gettext_lazy("last 4 digits of the NIK"),
    "row_hash": gettext_lazy("import row code"),
    "state_hash": gettext_lazy("import state code"),
    "scheme": gettext_lazy("integrity scheme"),
    "prev_hash": gettext_lazy("previous integrity code"),
    "hash": gettext_lazy("integrity code"),
    "checksum": gettext_lazy("file checksum"),
    "evidence_sha256": gettext_lazy("evidence file checksum"),
    "episode": gettext_lazy("custody period"),
    "enrollment": gettext_lazy("enrolment"),
    "case": gettext_lazy("aftercare case"),
    "followup": gettext_lazy("follow-up"),
    "session": gettext_lazy("session"),
    "cohort": gettext_lazy("cohort"),
    "run": gettext_lazy("screening"),
    "result": gettext_lazy("screening result"),
    "approval": gettext_lazy("TPP approval"),
    "approved_by": gettext_lazy("approved by"),
    "recorded_by": gettext_lazy("recorded by"),
    "recorded_at": gettext_lazy("recorded at"),
    "officer": gettext_lazy("officer"),
    "full_name": gettext_lazy("name"),
    "registration_number": gettext_lazy("registration number"),
    "unit_code": gettext_lazy("unit code"),
    "eligible": gettext_lazy("eligible for the program"),
    "reasons": gettext_lazy("reasons"),
    "domicile_district_code": gettext_lazy("domicile district code"),
    "custody_status": gettext_lazy("custody status"),
    "sex": gettext_lazy("sex"),
    "birth_date": gettext_lazy("birth date"),
    "expiry_date": gettext_lazy("expiry date"),
    "offence_category": gettext_lazy("offence category"),
    "risk_level": gettext_lazy("risk level"),
    "consent_given": gettext_lazy("consent given"),
    "position": gettext_lazy("rank"),
    "waitlist_position": gettext_lazy("place on the waiting list"),
    "verification_code": gettext_lazy("verification code"),
    "status": gettext_lazy("status"),
}
# Titles of the sections whose model has no plural name of its own.
SECTION_TITLES: dict[str, Any] = {
    "beneficiaries.importedrow": gettext_lazy("registry import rows"),
    "programs.screeningresult": gettext_lazy("screening results"),
    "programs.candidateapproval": gettext_lazy("TPP approvals"),
    "programs.attendance": gettext_lazy("attendance"),
    "programs.assessment": gettext_lazy("assessments"),
    "programs.certificate": gettext_lazy("certificates"),
}


def section_title(model: type[models.Model]) -> str:
    """A model's section title in the active language, capitalised."""
    title = str(SECTION_TITLES.get(model._meta.label_lower, model._meta.verbose_name_plural))
    return title[:1].upper() + title[1:]


def field_label(f: models.Field[Any, Any]) -> str:
    """The field's readable name in the active language: its verbose_name, or one of EXTRA_LABELS when the
    model gives none (Django's default is the name with spaces)."""
    label = str(f.verbose_name)
    if label == f.name.replace("_", " ") and f.name in EXTRA_LABELS:
        label = str(EXTRA_LABELS[f.name])
    return label[:1].upper() + label[1:]


def _labels(held: Held) -> dict[str, Any]:
    fields: dict[str, dict[str, str]] = {
        "person": {_key(f): field_label(f) for f in _fields(Person)} | {"nik": str(EXTRA_LABELS["nik"])},
        "audit_events": {_key(f): field_label(f) for f in _fields(AuditEvent)},
    }
    titles = {"person": str(Person._meta.verbose_name_plural), "audit_events": str(AUDIT_TITLE)}
    for section, model, _objs in held.sections():
        fields[section] = {_key(f): field_label(f) for f in _fields(model)}
        titles[section] = section_title(model)
    return {"sections": {k: v[:1].upper() + v[1:] for k, v in titles.items()}, "fields": fields}


def subject_data(*, actor: Any, person: Person, held: Held | None = None) -> dict[str, Any]:
    """Every record about the person, grouped by kind, as plain JSON-able values; `labels` gives the
    readable names of the sections and fields in the active language."""
    held = held or subject_held(actor=actor, person=person)
    sections: dict[str, list[dict[str, Any]]] = {"person": [_row(person) | {"nik": held.nik}]}
    for section, _model, objs in held.sections():
        sections.setdefault(section, []).extend(_row(obj) for obj in objs)
    sections["audit_events"] = [_row(e) for e in held.events]
    return {
        "generated_at": timezone.now().isoformat(),
        "person_id": person.pk,
        "sections": sections,
        "labels": _labels(held),
    }


def subject_export(*, actor: Any, person: Person, fmt: str, reason: str) -> tuple[bytes, str]:
    """The export as bytes with its content type; audited with the reason."""
    reason = reason.strip()
    if len(reason) < 10:
        raise ApplicationError(str(REASON_NEEDED), code="reason")
    held = subject_held(actor=actor, person=person)
    data = subject_data(actor=actor, person=person, held=held)
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
        from sinergi.reports.subject_document import subject_document

        document = subject_document(held=held, actor=actor, reason=reason)
        html = render_to_string("reports/subject.html", {"doc": document, "person": person})
        return html_to_pdf(html), "application/pdf"
    return json.dumps(data, ensure_ascii=False, indent=2).encode("utf-8"), "application/json"
