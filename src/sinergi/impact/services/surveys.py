"""Writes for IKM surveys: define, enter responses by hand, import responses from a CSV file."""

from __future__ import annotations

import csv
import io
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sinergi.accounts.models import User
from sinergi.audit.services import audit_record, model_update
from sinergi.core.errors import ApplicationError
from sinergi.impact import domain
from sinergi.impact.choices import ResponseSource
from sinergi.impact.models import SatisfactionSurvey, SurveyResponse
from sinergi.impact.services._common import PERIOD_ORDER, check_program_editor, program_years, raise_problems

SURVEY_FIELDS = ("title", "conducted_from", "conducted_to", "elements")
ROW_PROBLEM = gettext_lazy("Row %(line)s: %(problems)s")
CSV_UNREADABLE = gettext_lazy(
    "The file cannot be read as CSV text (UTF-8). Save it as CSV UTF-8 and try again."
)
CSV_COLUMNS = gettext_lazy("The header must name the survey's elements (%(expected)s); missing: %(missing)s.")
CSV_EMPTY = gettext_lazy("The file has no responses under its header.")
ANSWERS_REFUSED = gettext_lazy("The answers cannot be saved: %(problems)s")
MAX_CSV = 5 * 1024 * 1024


def _check_survey(program: Any, data: dict[str, Any]) -> dict[str, Any]:
    errors: dict[str, str] = {}
    if not (data.get("title") or "").strip():
        errors["title"] = _("Give the survey a title.")
    start, end = data.get("conducted_from"), data.get("conducted_to")
    if not start or not end:
        errors["conducted_to"] = _("Enter when the survey ran.")
    elif end < start:
        errors["conducted_to"] = str(PERIOD_ORDER)
    elif start.year not in program_years(program) and end.year not in program_years(program):
        errors["conducted_from"] = _("The survey must run while the program runs, or just after it.")
    elements = [e for e in data.get("elements") or [] if e in domain.IKM_ELEMENT_CODES]
    if not elements:
        errors["elements"] = _("Choose at least one element.")
    raise_problems(errors)
    return {k: v for k, v in data.items() if k in SURVEY_FIELDS} | {
        "title": data["title"].strip(),
        "elements": sorted(elements, key=domain.IKM_ELEMENT_CODES.index),
    }


def survey_create(
    *, actor: Any, program: Any, data: dict[str, Any], synthetic: bool = False
) -> SatisfactionSurvey:
    """Define an IKM survey of a program with the elements it asks (the nine of PermenPANRB 14/2017 by
    default) and the band table in force."""
    check_program_editor(actor, program)
    values = _check_survey(program, {"elements": list(domain.IKM_ELEMENT_CODES)} | data)
    with transaction.atomic():
        survey = SatisfactionSurvey.objects.create(program=program, is_synthetic=synthetic, **values)
        audit_record(
            actor=actor, action="survey.create", target=survey, changes={"elements": survey.elements}
        )
    return survey


def survey_update(
    *, actor: Any, survey: SatisfactionSurvey, data: dict[str, Any], version: int
) -> SatisfactionSurvey:
    """Edit a survey's title and dates; conflicts on a stale version. Elements cannot change once answered."""
    check_program_editor(actor, survey.program)
    current = {f: getattr(survey, f) for f in SURVEY_FIELDS}
    values = _check_survey(survey.program, current | data)
    if values["elements"] != survey.elements and survey.responses.exists():
        raise ApplicationError(
            _("This survey already has responses; its elements cannot change."),
            code="invalid",
            detail={"elements": _("This survey already has responses; its elements cannot change.")},
        )
    model_update(instance=survey, data=values, actor=actor, action="survey.update", expected_version=version)
    return survey


def _clean_answers(survey: SatisfactionSurvey, answers: dict[str, Any]) -> dict[str, int]:
    return {element: int(domain._number(answers[element]) or 0) for element in survey.elements}


def response_add(
    *, actor: Any, survey: SatisfactionSurvey, answers: dict[str, Any], respondent: str = ""
) -> SurveyResponse:
    """Record one respondent's answers by hand; every element needs a whole number from 1 to 4."""
    check_program_editor(actor, survey.program)
    problems = domain.ikm_answer_problems(answers, survey.elements)
    if problems:
        message = str(ANSWERS_REFUSED % {"problems": "; ".join(problems)})
        detail = {e: p for e in survey.elements for p in problems if p.startswith(e)}
        raise ApplicationError(message, code="invalid", detail=detail or {"answers": message})
    with transaction.atomic():
        response = SurveyResponse.objects.create(
            survey=survey,
            answers=_clean_answers(survey, answers),
            respondent=respondent.strip()[:40],
            created_by=actor if isinstance(actor, User) else None,
        )
        audit_record(
            actor=actor, action="survey.response_add", target=survey, changes={"response": response.pk}
        )
    return response


def _rows(survey: SatisfactionSurvey, content: bytes) -> list[tuple[int, dict[str, str]]]:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ApplicationError(CSV_UNREADABLE, code="invalid", detail={"file": str(CSV_UNREADABLE)}) from exc
    header_line = text.splitlines()[0] if text.strip() else ""
    delimiter = ";" if header_line.count(";") > header_line.count(",") else ","
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    header = [h.strip().upper() for h in next(reader, [])]
    missing = [e for e in survey.elements if e not in header]
    if missing:
        message = str(CSV_COLUMNS % {"expected": ", ".join(survey.elements), "missing": ", ".join(missing)})
        raise ApplicationError(message, code="invalid", detail={"file": message})
    rows = []
    for line, values in enumerate(reader, start=2):
        if not any(v.strip() for v in values):
            continue
        rows.append((line, {header[i]: v.strip() for i, v in enumerate(values) if i < len(header)}))
    if not rows:
        raise ApplicationError(CSV_EMPTY, code="invalid", detail={"file": str(CSV_EMPTY)})
    return rows


def responses_import(*, actor: Any, survey: SatisfactionSurvey, content: bytes, name: str = "") -> int:
    """Import responses from a CSV file (comma or semicolon, with or without a BOM): a header naming the
    elements (U1 … U9, and optionally RESPONDEN), then one row per respondent. All or nothing: any answer
    outside 1–4 refuses the whole file, naming each row and element."""
    check_program_editor(actor, survey.program)
    if len(content) > MAX_CSV:
        raise ApplicationError(
            _("The file is larger than 5 MB."),
            code="invalid",
            detail={"file": _("The file is larger than 5 MB.")},
        )
    rows = _rows(survey, content)
    problems = []
    for line, row in rows:
        row_problems = domain.ikm_answer_problems(row, survey.elements)
        if row_problems:
            problems.append(str(ROW_PROBLEM % {"line": line, "problems": "; ".join(row_problems)}))
    if problems:
        message = " ".join(problems[:20])
        raise ApplicationError(message, code="invalid", detail={"file": message, "rows": problems})
    user = actor if isinstance(actor, User) else None
    with transaction.atomic():
        SurveyResponse.objects.bulk_create(
            [
                SurveyResponse(
                    survey=survey,
                    answers=_clean_answers(survey, row),
                    respondent=(row.get("RESPONDEN") or "")[:40],
                    source=ResponseSource.CSV,
                    created_by=user,
                )
                for _line, row in rows
            ]
        )
        audit_record(
            actor=actor,
            action="survey.import",
            target=survey,
            changes={"responses": len(rows), "file": name[:100]},
        )
    return len(rows)
