"""Aftercare over the API: cases, plans, reports, visits, aid, follow-ups, re-offences and index scores, in
each caller's scope and to each role's depth, through the same selectors and services as the pages."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Q
from django.http import FileResponse, HttpRequest
from ninja import File, Query, Router, Schema, Status, UploadedFile

from sinergi.accounts.models import Organisation, User
from sinergi.aftercare import selectors, services
from sinergi.aftercare.access import CASE_OPENERS, CASE_READERS, GUIDES, VISITORS, CaseView
from sinergi.aftercare.models import AftercareCase, Aid, FollowUp, Goal, IndexScore, Reoffence, Report, Visit
from sinergi.aftercare.views import evidence_response
from sinergi.audit.services import audit_read
from sinergi.core.access import require_roles
from sinergi.core.api import PageParams, page_of
from sinergi.core.errors import ForbiddenError, NotFoundError
from sinergi.core.uploads import SCAN_TYPES

router = Router(tags=["aftercare"])
EVIDENCE_TYPES = sorted(kind.content_type for kind in SCAN_TYPES.values())


class CaseOut(Schema):
    id: int
    person_id: int
    person_name: str
    bapas_id: int | None
    program_id: int | None = None
    release_kind: str | None = None
    released_on: dt.date | None = None
    pk_officer_id: int | None = None
    mentor_id: int | None = None
    closed: bool = False
    closed_on: dt.date | None = None
    close_reason: str | None = None
    returned_to_custody: bool | None = None
    report_every_months: int | None = None
    version: int


class CaseOpenIn(Schema):
    episode_id: int
    note: str = ""


class AssignIn(Schema):
    pk_officer_id: int | None
    mentor_id: int | None = None
    mentor_shares: list[str] = []
    version: int


class CloseIn(Schema):
    reason: str
    on: dt.date
    note: str = ""
    version: int


class GoalIn(Schema):
    area: str
    description: str
    target_date: dt.date | None = None
    status: str = "planned"


class GoalOut(Schema):
    id: int
    area: str
    description: str
    status: str
    target_date: dt.date | None
    version: int


class ReportIn(Schema):
    reported_on: dt.date
    mode: str
    note: str = ""


class ReportOut(Schema):
    id: int
    reported_on: dt.date
    mode: str
    officer_id: int | None


class SlotOut(Schema):
    due: dt.date
    status: str
    reported_on: dt.date | None


class ReportsOut(Schema):
    until: dt.date | None
    every_months: int
    schedule: list[SlotOut]
    reports: list[ReportOut]


class VisitIn(Schema):
    visited_on: dt.date
    mode: str
    met_with: str = ""
    notes: str = ""
    next_steps: str = ""


class VisitOut(Schema):
    id: int
    visited_on: dt.date
    mode: str
    met_with: str | None = None
    notes: str | None = None
    next_steps: str | None = None


class AidIn(Schema):
    kind: str
    value: int | None
    given_on: dt.date
    funder_id: int | None
    description: str = ""


class AidOut(Schema):
    id: int
    kind: str
    description: str
    value: int
    given_on: dt.date
    funder_id: int
    has_evidence: bool


class FollowUpIn(Schema):
    milestone: int
    done_on: dt.date
    contacted: bool = True
    work_status: str = ""
    employer: str = ""
    monthly_income: int | None = None
    business_running: bool | None = None
    business_since: dt.date | None = None
    housing: str = ""
    family_support: bool | None = None
    health_blocks_work: bool | None = None
    note: str = ""


class FollowUpUpdate(Schema):
    version: int
    done_on: dt.date | None = None
    contacted: bool | None = None
    work_status: str | None = None
    employer: str | None = None
    monthly_income: int | None = None
    business_running: bool | None = None
    business_since: dt.date | None = None
    housing: str | None = None
    family_support: bool | None = None
    health_blocks_work: bool | None = None
    note: str | None = None


class FollowUpOut(Schema):
    id: int
    milestone: int
    done_on: dt.date
    contacted: bool
    work_status: str
    employer: str
    monthly_income: int | None
    business_running: bool | None
    business_since: dt.date | None
    housing: str
    family_support: bool | None
    health_blocks_work: bool | None
    version: int


class MilestoneOut(Schema):
    milestone: int
    due: dt.date
    status: str
    followup: FollowUpOut | None


class ReoffenceIn(Schema):
    kind: str
    occurred_on: dt.date
    reference: str = ""


class ReoffenceOut(Schema):
    id: int
    kind: str
    occurred_on: dt.date
    source: str
    reference: str


class ScoreOut(Schema):
    id: int
    followup_id: int
    milestone: int
    scored_on: dt.date
    score: int | None
    components: dict[str, Any]
    weights: dict[str, int]
    ruleset_version: str
    minimum_wage: int | None


# --- helpers ----------------------------------------------------------------------------------------


def _case(request: HttpRequest, case_id: int) -> AftercareCase:
    return selectors.case_get(actor=request.user, pk=case_id)


def _view(request: HttpRequest, case: AftercareCase, part: str) -> CaseView:
    view = selectors.view_of(request.user, case)
    if not getattr(view, part):
        raise ForbiddenError()
    return view


def _case_out(case: AftercareCase, view: CaseView) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": case.pk,
        "person_id": case.person_id,
        "person_name": case.person.full_name,
        "bapas_id": case.bapas_id,
        "program_id": case.enrollment.cohort.program_id if case.enrollment else None,
        "pk_officer_id": case.pk_officer_id,
        "mentor_id": case.mentor_id,
        "closed": case.closed_on is not None,
        "version": case.version,
    }
    # The kind and date of release, the schedule and the closing date and reason are corrections data.
    if view.release_details:
        out |= {
            "release_kind": case.release_kind,
            "released_on": case.released_on,
            "closed_on": case.closed_on,
            "close_reason": case.close_reason,
            "report_every_months": case.report_every_months,
        }
    if view.returned_to_custody:
        out["returned_to_custody"] = case.readmitted_on is not None
    return out


def _followup_out(f: FollowUp) -> dict[str, Any]:
    return {name: getattr(f, name) for name in FollowUpOut.__annotations__ if name != "id"} | {"id": f.pk}


# --- cases ------------------------------------------------------------------------------------------


@router.get(
    "/cases", response=list[CaseOut], exclude_none=True, summary="Aftercare cases in the caller's scope"
)
def cases(
    request: HttpRequest, page: Query[PageParams], q: str = "", mine: bool = False
) -> list[dict[str, Any]]:
    require_roles(request, *CASE_READERS)
    rows = selectors.case_list(actor=request.user, q=q)
    if mine:
        user: Any = request.user
        rows = rows.filter(Q(pk_officer_id=user.pk) | Q(mentor_id=user.pk))
    result = [_case_out(c, selectors.view_of(request.user, c)) for c in page_of(rows, page)]
    audit_read(
        actor=request.user, action="aftercare_case.list", filters={"q": q, "mine": mine}, count=len(result)
    )
    return result


@router.post(
    "/cases", response={201: CaseOut}, exclude_none=True, summary="Open a case by hand for a release"
)
def case_open(request: HttpRequest, payload: CaseOpenIn) -> Status[dict[str, Any]]:
    require_roles(request, *CASE_OPENERS)
    from sinergi.beneficiaries.models import CustodyEpisode

    episode = CustodyEpisode.objects.filter(pk=payload.episode_id).select_related("person", "unit").first()
    if episode is None or not services.may_open_by_hand(request.user, episode):
        raise NotFoundError()
    case = services.case_open_by_hand(actor=request.user, episode=episode, note=payload.note)
    case = selectors.case_get(actor=request.user, pk=case.pk)
    return Status(201, _case_out(case, selectors.view_of(request.user, case)))


@router.get("/cases/{case_id}", response=CaseOut, exclude_none=True, summary="One case")
def case_detail(request: HttpRequest, case_id: int) -> dict[str, Any]:
    require_roles(request, *CASE_READERS)
    case = _case(request, case_id)
    return _case_out(case, selectors.view_of(request.user, case))


@router.post("/cases/{case_id}/assign", response=CaseOut, exclude_none=True, summary="Assign PK and mentor")
def case_assign(request: HttpRequest, case_id: int, payload: AssignIn) -> dict[str, Any]:
    require_roles(request, *CASE_READERS)
    case = _case(request, case_id)
    officer = User.objects.filter(pk=payload.pk_officer_id).first() if payload.pk_officer_id else None
    mentor = User.objects.filter(pk=payload.mentor_id).first() if payload.mentor_id else None
    services.case_assign(
        actor=request.user,
        case=case,
        pk_officer=officer,
        mentor=mentor,
        mentor_shares=payload.mentor_shares,
        version=payload.version,
    )
    case = _case(request, case_id)
    return _case_out(case, selectors.view_of(request.user, case))


@router.post("/cases/{case_id}/close", response=CaseOut, exclude_none=True, summary="Close with a reason")
def case_close(request: HttpRequest, case_id: int, payload: CloseIn) -> dict[str, Any]:
    require_roles(request, *GUIDES)
    case = _case(request, case_id)
    services.case_close(
        actor=request.user,
        case=case,
        reason=payload.reason,
        on=payload.on,
        note=payload.note,
        version=payload.version,
    )
    case = _case(request, case_id)
    return _case_out(case, selectors.view_of(request.user, case))


# --- plan -------------------------------------------------------------------------------------------


@router.get("/cases/{case_id}/plan", response=list[GoalOut], summary="The guidance plan's goals")
def plan(request: HttpRequest, case_id: int) -> list[Goal]:
    require_roles(request, *CASE_READERS)
    case = _case(request, case_id)
    _view(request, case, "plan")
    return list(Goal.objects.filter(case=case).order_by("target_date", "pk"))


@router.post("/cases/{case_id}/plan", response={201: GoalOut}, summary="Add a goal to the plan")
def goal_add(request: HttpRequest, case_id: int, payload: GoalIn) -> Status[Goal]:
    require_roles(request, *GUIDES)
    case = _case(request, case_id)
    goal = services.goal_add(actor=request.user, case=case, **payload.dict())
    return Status(201, goal)


# --- reports ----------------------------------------------------------------------------------------


@router.get("/cases/{case_id}/reports", response=ReportsOut, summary="Reporting schedule and reports")
def reports(request: HttpRequest, case_id: int) -> dict[str, Any]:
    require_roles(request, *CASE_READERS)
    case = _case(request, case_id)
    _view(request, case, "reports")
    status = selectors.case_status(selectors.with_activity(AftercareCase.objects.filter(pk=case.pk)).get())
    return {
        "until": selectors.reporting_until(case),
        "every_months": case.report_every_months,
        "schedule": [{"due": s.due, "status": s.status, "reported_on": s.reported_on} for s in status.slots],
        "reports": list(Report.objects.filter(case=case)),
    }


@router.post("/cases/{case_id}/reports", response={201: ReportOut}, summary="Record a report")
def report_add(request: HttpRequest, case_id: int, payload: ReportIn) -> Status[Report]:
    require_roles(request, *GUIDES)
    case = _case(request, case_id)
    report = services.report_record(
        actor=request.user, case=case, on=payload.reported_on, mode=payload.mode, note=payload.note
    )
    return Status(201, report)


# --- visits -----------------------------------------------------------------------------------------


@router.get("/cases/{case_id}/visits", response=list[VisitOut], exclude_none=True, summary="Mentoring visits")
def visits(request: HttpRequest, case_id: int) -> list[dict[str, Any]]:
    require_roles(request, *CASE_READERS)
    case = _case(request, case_id)
    view = _view(request, case, "visits")
    rows = []
    for v in Visit.objects.filter(case=case):
        row: dict[str, Any] = {"id": v.pk, "visited_on": v.visited_on, "mode": v.mode}
        if view.visit_notes:
            row |= {"met_with": v.met_with, "notes": v.notes, "next_steps": v.next_steps}
        rows.append(row)
    return rows


@router.post("/cases/{case_id}/visits", response={201: VisitOut}, summary="Record a visit")
def visit_add(request: HttpRequest, case_id: int, payload: VisitIn) -> Status[Visit]:
    require_roles(request, *VISITORS)
    case = _case(request, case_id)
    visit = services.visit_record(
        actor=request.user,
        case=case,
        on=payload.visited_on,
        mode=payload.mode,
        met_with=payload.met_with,
        notes=payload.notes,
        next_steps=payload.next_steps,
    )
    return Status(201, visit)


# --- aid --------------------------------------------------------------------------------------------


def _aid_out(a: Aid) -> dict[str, Any]:
    return {
        "id": a.pk,
        "kind": a.kind,
        "description": a.description,
        "value": a.value,
        "given_on": a.given_on,
        "funder_id": a.funder_id,
        "has_evidence": bool(a.evidence),
    }


@router.get("/cases/{case_id}/aid", response=list[AidOut], summary="Aid given")
def aid(request: HttpRequest, case_id: int) -> list[dict[str, Any]]:
    require_roles(request, *CASE_READERS)
    case = _case(request, case_id)
    _view(request, case, "aid")
    return [_aid_out(a) for a in Aid.objects.filter(case=case)]


@router.post(
    "/cases/{case_id}/aid",
    response={201: AidOut},
    summary="Record aid (add its scan with POST /aid/{aid_id}/evidence)",
)
def aid_add(request: HttpRequest, case_id: int, payload: AidIn) -> Status[dict[str, Any]]:
    require_roles(request, *GUIDES)
    case = _case(request, case_id)
    funder = Organisation.objects.filter(pk=payload.funder_id).first() if payload.funder_id else None
    record = services.aid_record(
        actor=request.user,
        case=case,
        kind=payload.kind,
        value=payload.value,
        given_on=payload.given_on,
        funder=funder,
        description=payload.description,
    )
    return Status(201, _aid_out(record))


# Optional in the schema, so that a request without a file reaches the role check and then the service's own
# message (EVIDENCE_NEEDED), as the page does.
EVIDENCE_FILE = File(None)
EVIDENCE_DESCRIPTION = (
    "multipart/form-data with the scan in the field `file`: a PDF, JPG or PNG by its content (not its name), "
    "at most 10 MB, checked as on the page. Once only: the scan is proof and is never replaced (409). "
    "Refusals answer 400 with {code, message, detail: {evidence: message}} in the user's language."
)


@router.post(
    "/aid/{aid_id}/evidence",
    response={201: AidOut},
    summary="Upload the aid's evidence scan (multipart, field `file`)",
    description=EVIDENCE_DESCRIPTION,
)
def aid_evidence_upload(
    request: HttpRequest, aid_id: int, file: UploadedFile | None = EVIDENCE_FILE
) -> Status[dict[str, Any]]:
    require_roles(request, *GUIDES)
    record = selectors.aid_get(actor=request.user, pk=aid_id)
    record = services.aid_evidence_attach(actor=request.user, aid=record, upload=file)
    return Status(201, _aid_out(record))


@router.get(
    "/aid/{aid_id}/evidence",
    response={200: None},
    summary="Download the aid's evidence scan (audited)",
    openapi_extra={
        "responses": {
            "200": {
                "description": "The scan, as an attachment with its detected type.",
                "content": {t: {"schema": {"type": "string", "format": "binary"}} for t in EVIDENCE_TYPES},
            }
        }
    },
)
def aid_evidence_download(request: HttpRequest, aid_id: int) -> FileResponse:
    require_roles(request, *CASE_READERS)
    return evidence_response(request.user, selectors.aid_evidence_get(actor=request.user, pk=aid_id))


# --- follow-ups, scores, re-offences ----------------------------------------------------------------


@router.get("/cases/{case_id}/followups", response=list[MilestoneOut], summary="The four follow-ups")
def followups(request: HttpRequest, case_id: int) -> list[dict[str, Any]]:
    require_roles(request, *CASE_READERS)
    case = _case(request, case_id)
    _view(request, case, "followups")
    status = selectors.case_status(selectors.with_activity(AftercareCase.objects.filter(pk=case.pk)).get())
    return [
        item | {"followup": _followup_out(item["followup"]) if item["followup"] else None}
        for item in status.followups
    ]


@router.post("/cases/{case_id}/followups", response={201: FollowUpOut}, summary="Record a follow-up")
def followup_add(request: HttpRequest, case_id: int, payload: FollowUpIn) -> Status[dict[str, Any]]:
    require_roles(request, *GUIDES)
    case = _case(request, case_id)
    data = payload.dict(exclude={"milestone"})
    followup = services.followup_record(actor=request.user, case=case, milestone=payload.milestone, data=data)
    return Status(201, _followup_out(followup))


@router.put("/followups/{followup_id}", response=FollowUpOut, summary="Change a follow-up (with its version)")
def followup_update(request: HttpRequest, followup_id: int, payload: FollowUpUpdate) -> dict[str, Any]:
    require_roles(request, *GUIDES)
    followup = FollowUp.objects.filter(pk=followup_id).first()
    if followup is None:
        raise NotFoundError()
    case = _case(request, followup.case_id)
    followup.case = case
    data = payload.dict(exclude={"version"}, exclude_unset=True)
    services.followup_update(actor=request.user, followup=followup, data=data, version=payload.version)
    return _followup_out(followup)


@router.get("/cases/{case_id}/scores", response=list[ScoreOut], summary="Independence scores over time")
def scores(request: HttpRequest, case_id: int) -> list[IndexScore]:
    require_roles(request, *CASE_READERS)
    case = _case(request, case_id)
    _view(request, case, "scores")
    return list(IndexScore.objects.filter(case=case).order_by("scored_on", "pk"))


@router.get("/cases/{case_id}/reoffences", response=list[ReoffenceOut], summary="Re-offence records")
def reoffences(request: HttpRequest, case_id: int) -> list[Reoffence]:
    require_roles(request, *GUIDES)
    case = _case(request, case_id)
    _view(request, case, "reoffence_detail")
    return list(Reoffence.objects.filter(case=case))


@router.post("/cases/{case_id}/reoffences", response={201: ReoffenceOut}, summary="Record a re-offence")
def reoffence_add(request: HttpRequest, case_id: int, payload: ReoffenceIn) -> Status[Reoffence]:
    require_roles(request, *GUIDES)
    case = _case(request, case_id)
    record = services.reoffence_record(
        actor=request.user, case=case, kind=payload.kind, on=payload.occurred_on, reference=payload.reference
    )
    return Status(201, record)
