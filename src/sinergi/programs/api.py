"""Programs over the API: programs, screening runs, cohorts, sessions, attendance in bulk, results."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext
from ninja import Query, Router, Schema, Status

from sinergi.core.access import require_roles
from sinergi.core.api import PageParams, page_of
from sinergi.core.errors import ApplicationError, NotFoundError
from sinergi.programs import selectors, services
from sinergi.programs.access import DELIVERY, READERS, RELEASERS, SCREENERS
from sinergi.programs.models import Enrollment

router = Router(tags=["programs"])


class ProgramOut(Schema):
    id: int
    agreement_id: int
    name: str
    program_type: str
    pillar: str
    sdg_targets: list[int]
    start_date: dt.date
    end_date: dt.date
    rule: dict[str, Any]
    kpi_participants: int
    kpi_completion_rate: int
    kpi_certification_rate: int


class RunIn(Schema):
    as_of: dt.date


class ResultOut(Schema):
    id: int
    no_registrasi: str
    upt: str
    full_name: str
    eligible: bool
    reasons: list[str]
    reason_codes: list[Any]
    approved: bool


class RunOut(Schema):
    id: int
    program_id: int
    as_of: dt.date
    rule: dict[str, Any]
    # "running" while a background job (a screening started from the web page over a large registry)
    # freezes the run: no results yet, and the counts are 0; "done" afterwards.
    status: str
    # Counted at the caller's units (all of the run for a caller who reads whole runs), as `results` lists.
    evaluated: int
    eligible_count: int
    results: list[ResultOut]


class CohortOut(Schema):
    id: int
    program_id: int
    unit_code: str | None
    name: str
    start_date: dt.date
    end_date: dt.date
    capacity: int
    participants: int


class SessionOut(Schema):
    id: int
    date: dt.date
    start_time: dt.time
    end_time: dt.time
    status: str


class MarkIn(Schema):
    enrollment_id: int
    mark: str
    version: int = 0


class AttendanceIn(Schema):
    marks: list[MarkIn]


class AttendanceOut(Schema):
    saved: list[int]
    unchanged: list[int]
    conflicts: list[dict[str, Any]]


class AssessmentIn(Schema):
    kind: str
    score: Decimal
    assessor: str
    assessed_on: dt.date


class CertificateOut(Schema):
    id: int
    enrollment_id: int
    issuer: str
    number: str
    competency: str
    issued_on: dt.date
    expires_on: dt.date | None
    verification_code: str


def _program(p: Any) -> dict[str, Any]:
    return {
        f: getattr(p, f)
        for f in (
            "id",
            "agreement_id",
            "name",
            "program_type",
            "pillar",
            "sdg_targets",
            "start_date",
            "end_date",
            "rule",
            "kpi_participants",
            "kpi_completion_rate",
            "kpi_certification_rate",
        )
    }


@router.get("/programs", response=list[ProgramOut], summary="Programs in the caller's scope")
def program_list(request: HttpRequest, page: Query[PageParams]) -> list[dict[str, Any]]:
    require_roles(request, *READERS)
    return [_program(p) for p in page_of(selectors.program_list(actor=request.user), page)]


@router.get("/programs/{program_id}", response=ProgramOut, summary="One program")
def program_detail(request: HttpRequest, program_id: int) -> dict[str, Any]:
    require_roles(request, *READERS)
    return _program(selectors.program_get(actor=request.user, pk=program_id))


def _run(run: Any, actor: Any, page: PageParams) -> dict[str, Any]:
    shown = selectors.run_results_page(actor=actor, run=run, offset=page.offset, limit=page.limit)
    results = selectors.with_reasons(shown, run=run)
    services.run_read_record(
        actor=actor, run=run, count=len(results), pages={"limit": page.limit, "offset": page.offset}
    )
    eligible, evaluated = selectors.run_counts(actor=actor, run=run)
    return {
        "id": run.pk,
        "program_id": run.program_id,
        "as_of": run.as_of,
        "rule": run.rule,
        "status": run.status,
        "evaluated": evaluated,
        "eligible_count": eligible,
        "results": [
            {
                "id": r.pk,
                "no_registrasi": r.registration_number,
                "upt": r.unit_code,
                "full_name": r.full_name,
                "eligible": r.eligible,
                "reasons": r.reason_texts,
                "reason_codes": r.reason_codes,
                "approved": hasattr(r, "approval"),
            }
            for r in results
        ],
    }


@router.post("/programs/{program_id}/screening-runs", response={201: RunOut}, summary="Screen and save a run")
def run_create(
    request: HttpRequest, program_id: int, payload: RunIn, page: Query[PageParams]
) -> Status[dict[str, Any]]:
    """Screen and freeze a run; answers with the run and the first page of its results (`limit`, `offset`:
    eligible first, then by name)."""
    require_roles(request, *SCREENERS)
    program = selectors.program_get(actor=request.user, pk=program_id)
    run = services.screening_run_create(actor=request.user, program=program, as_of=payload.as_of)
    return Status(201, _run(run, request.user, page))


@router.get("/screening-runs/{run_id}", response=RunOut, summary="A saved screening run with its results")
def run_detail(request: HttpRequest, run_id: int, page: Query[PageParams]) -> dict[str, Any]:
    """A saved run with one page of its results (`limit`, `offset`: eligible first, then by name); the
    reasons in the caller's language, with their codes in `reason_codes`."""
    require_roles(request, *SCREENERS)
    return _run(selectors.run_get(actor=request.user, pk=run_id), request.user, page)


def _cohort(c: Any) -> dict[str, Any]:
    return {
        "id": c.pk,
        "program_id": c.program_id,
        "unit_code": c.unit.code,
        "name": c.name,
        "start_date": c.start_date,
        "end_date": c.end_date,
        "capacity": c.capacity,
        "participants": getattr(c, "participant_count", 0),
    }


@router.get("/cohorts", response=list[CohortOut], summary="Cohorts in the caller's scope")
def cohort_list(request: HttpRequest, page: Query[PageParams]) -> list[dict[str, Any]]:
    require_roles(request, *READERS)
    return [_cohort(c) for c in page_of(selectors.cohort_list(actor=request.user), page)]


@router.get("/cohorts/{cohort_id}/sessions", response=list[SessionOut], summary="A cohort's sessions")
def session_list(request: HttpRequest, cohort_id: int, page: Query[PageParams]) -> list[Any]:
    require_roles(request, *READERS)
    return page_of(selectors.cohort_get(actor=request.user, pk=cohort_id).sessions.all(), page)


@router.post("/sessions/{session_id}/attendance", response=AttendanceOut, summary="Save attendance in bulk")
def attendance_save(request: HttpRequest, session_id: int, payload: AttendanceIn) -> dict[str, Any]:
    require_roles(request, *DELIVERY)
    session = selectors.session_get(actor=request.user, pk=session_id)
    if not services.can_take_attendance(request.user, session):
        raise NotFoundError()
    outcome = services.attendance_record(
        actor=request.user,
        session=session,
        marks={m.enrollment_id: (m.mark, m.version) for m in payload.marks},
    )
    return {"saved": outcome.saved, "unchanged": outcome.unchanged, "conflicts": outcome.conflicts}


def _enrollment(request: HttpRequest, pk: int) -> Enrollment:
    return selectors.enrollment_get(actor=request.user, pk=pk)


@router.post(
    "/enrollments/{enrollment_id}/assessments", response={201: dict[str, Any]}, summary="Record an assessment"
)
def assessment_create(
    request: HttpRequest, enrollment_id: int, payload: AssessmentIn
) -> Status[dict[str, Any]]:
    require_roles(request, *DELIVERY)
    enrollment = _enrollment(request, enrollment_id)
    if payload.kind not in ("pre", "post"):
        raise ApplicationError(gettext("The kind must be pre or post."), detail={"kind": "pre|post"})
    assessment = services.assessment_record(
        actor=request.user,
        enrollment=enrollment,
        kind=payload.kind,
        score=payload.score,
        assessor=payload.assessor,
        on=payload.assessed_on,
    )
    return Status(201, {"id": assessment.pk, "kind": assessment.kind, "score": str(assessment.score)})


class ReleaseIn(Schema):
    kind: str
    on: dt.date
    reference: str = ""
    version: int


class ReleaseOut(Schema):
    episode_id: int
    episode_version: int
    closed: list[dict[str, Any]]


@router.post(
    "/enrollments/{enrollment_id}/release",
    response=ReleaseOut,
    summary="Record a participant's release; the handover to the Bapas follows within seconds",
)
def enrollment_release(request: HttpRequest, enrollment_id: int, payload: ReleaseIn) -> dict[str, Any]:
    require_roles(request, *RELEASERS)
    enrollment = _enrollment(request, enrollment_id)
    outcome = services.participant_release(
        actor=request.user,
        enrollment=enrollment,
        kind=payload.kind,
        on=payload.on,
        reference=payload.reference,
        version=payload.version,
    )
    return {
        "episode_id": outcome.episode.pk,
        "episode_version": outcome.episode.version,
        "closed": [{"id": e.pk, "stage": e.stage} for e in outcome.closed],
    }


@router.get(
    "/cohorts/{cohort_id}/certificates", response=list[CertificateOut], summary="A cohort's certificates"
)
def certificate_list(request: HttpRequest, cohort_id: int) -> list[Any]:
    require_roles(request, *READERS)
    return list(selectors.cohort_certificates(actor=request.user, cohort_id=cohort_id))
