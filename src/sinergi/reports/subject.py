"""The subject-access export: everything the system holds about one person, as JSON and PDF.

Administrators only, with a stated reason; every export is audited (`person.subject_access`). The NIK is
included in clear (it is the person's own data) and its decryption is audited too (`nik_reveal`).
"""

from __future__ import annotations

import datetime as dt
import json
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
HIDDEN_FIELDS = {"nik_encrypted", "nik_hash", "name_key", "version", "sealed"}


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


def subject_data(*, actor: Any, person: Person) -> dict[str, Any]:
    """Every record about the person, grouped by kind, as plain JSON-able values."""
    rows = _records(person)
    sections: dict[str, list[dict[str, Any]]] = {
        "person": [_row(person) | {"nik": nik_reveal(actor=actor, person=person)}]
    }
    for model, objs in rows.items():
        if model is Person:
            continue
        sections.setdefault(section_name(model), []).extend(
            _row(obj) for obj in sorted(objs.values(), key=lambda o: o.pk)
        )
    sections["audit_events"] = [_row(e) for e in _audit_events(rows)]
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
