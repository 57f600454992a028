"""Program pages: programs, screening runs, cohorts, sessions, attendance, results, certificates, release."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from sinergi.accounts.choices import Role
from sinergi.accounts.selectors import actor_unit_ids
from sinergi.audit.services import audit_read
from sinergi.beneficiaries.choices import ConsentPurpose
from sinergi.beneficiaries.selectors import has_active_consent, with_active_consent
from sinergi.core.access import allow
from sinergi.core.errors import ApplicationError, ConflictError, ForbiddenError, NotFoundError
from sinergi.core.forms import apply_error
from sinergi.core.uploads import detect_scan, download_name
from sinergi.partnerships.access import READERS as AGREEMENT_READERS
from sinergi.partnerships.selectors import agreement_get, agreement_list
from sinergi.programs import access, domain, selectors, services
from sinergi.programs.choices import Mark, PublicWithdrawal, RunStatus, Stage
from sinergi.programs.forms import (
    ApproveForm,
    AssessmentCorrectForm,
    AssessmentForm,
    AssessmentVoidForm,
    CertificateForm,
    CohortForm,
    ProgramForm,
    ReleaseForm,
    RescheduleForm,
    RevokeForm,
    ScheduleForm,
    ScreenForm,
    WithdrawForm,
)
from sinergi.programs.models import CurriculumModule, Enrollment
from sinergi.programs.panels import program_panels_for

READERS = access.READERS
PLANNERS = access.PLANNERS
SCREENERS = access.SCREENERS
DELIVERY = access.DELIVERY
CORRECTIONS = access.CORRECTIONS
COHORT_EDITORS = access.COHORT_EDITORS


def _cohort_page_with_status(request: HttpRequest, cohort_id: int, status: int) -> HttpResponse:
    """The cohort page with the message just added, answered with `status` (409 for a stale edit)."""
    response = cohort_detail(request, cohort_id)
    response.status_code = status
    return response


def _refuse_forbidden(error: ApplicationError) -> None:
    """A refusal by role or scope is a 403 page, never a message on a 200 or 302."""
    if isinstance(error, ForbiddenError | NotFoundError):
        raise error


def _role(request: HttpRequest) -> str:
    return str(getattr(request.user, "role", ""))


def _district_choices(agreement: Any, rule: dict[str, Any] | None = None) -> list[tuple[str, str]]:
    """The agreement's ring districts (and any already in the rule), labelled with their names."""
    from sinergi.partnerships.selectors import agreement_effective_districts
    from sinergi.regions.models import District

    codes = set(agreement_effective_districts(agreement)) | set((rule or {}).get("districts", []))
    return [
        (d.code, f"Kec. {d.name}, {d.regency.name} ({d.code})")
        for d in District.objects.filter(code__in=codes).select_related("regency").order_by("code")
    ]


def _district_names(codes: list[str]) -> dict[str, str]:
    from sinergi.regions.models import District

    return dict(District.objects.filter(code__in=codes).values_list("code", "name"))


@allow(*READERS)
def program_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "programs/program_list.html",
        {
            "programs": Paginator(selectors.program_list(actor=request.user), 25).get_page(
                request.GET.get("page")
            ),
            "can_plan": _role(request) in PLANNERS,
            "cohorts": selectors.cohort_list(actor=request.user)[:20],
        },
    )


@allow(*PLANNERS)
def program_create(request: HttpRequest) -> HttpResponse:
    agreement_id = request.GET.get("agreement") or request.POST.get("agreement") or ""
    if not (agreement_id.isascii() and agreement_id.isdigit()):
        messages.info(request, _("Open the agreement the program belongs to, then choose “Add program”."))
        return redirect("partnerships:agreement_list")
    agreement = agreement_get(actor=request.user, pk=int(agreement_id))
    initial = {"start_date": agreement.start_date, "end_date": agreement.end_date}
    initial |= ProgramForm.rule_initial(services.default_rule(agreement))
    form = ProgramForm(request.POST or None, initial=initial, districts=_district_choices(agreement))
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        modules = data.pop("modules")
        try:
            program = services.program_create(
                actor=request.user, agreement=agreement, data=data, modules=modules
            )
        except ApplicationError as error:
            _refuse_forbidden(error)
            apply_error(form, error)
        else:
            messages.success(request, _("The program %(name)s has been saved.") % {"name": program.name})
            return redirect("programs:program_detail", pk=program.pk)
    return render(
        request,
        "programs/program_form.html",
        {"form": form, "agreement": agreement, "title": _("New program")},
    )


@allow(*PLANNERS)
def program_edit(request: HttpRequest, pk: int) -> HttpResponse:
    program = selectors.program_get(actor=request.user, pk=pk)
    initial = {
        f: getattr(program, f)
        for f in (
            "name",
            "program_type",
            "pillar",
            "objectives",
            "kpi_participants",
            "kpi_completion_rate",
            "kpi_certification_rate",
            "start_date",
            "end_date",
            "version",
        )
    }
    initial |= {
        "sdg_targets": ", ".join(str(s) for s in program.sdg_targets),
        "modules": "\n".join(f"{m.title}; {m.hours}" for m in program.modules.all()),
    } | ProgramForm.rule_initial(program.rule)
    form = ProgramForm(
        request.POST or None, initial=initial, districts=_district_choices(program.agreement, program.rule)
    )
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        modules = data.pop("modules")
        version = data.pop("version") or program.version
        try:
            services.program_update(
                actor=request.user, program=program, data=data, version=version, modules=modules
            )
        except ApplicationError as error:
            _refuse_forbidden(error)
            apply_error(form, error)
        else:
            messages.success(request, _("The program %(name)s has been saved.") % {"name": program.name})
            return redirect("programs:program_detail", pk=program.pk)
    return render(
        request,
        "programs/program_form.html",
        {"form": form, "agreement": program.agreement, "program": program, "title": program.name},
    )


@allow(*READERS)
def program_detail(request: HttpRequest, pk: int) -> HttpResponse:
    program = selectors.program_get(actor=request.user, pk=pk)
    cohorts = Paginator(selectors.cohort_list(actor=request.user, program=program), 25).get_page(
        request.GET.get("page")
    )
    runs = (
        selectors.runs_of_program(actor=request.user, program=program) if _role(request) in SCREENERS else []
    )
    return render(
        request,
        "programs/program_detail.html",
        {
            "program": program,
            "district_names": _district_names(program.rule.get("districts", [])),
            "cohorts": cohorts,
            "runs": runs,
            "kpi": selectors.program_kpis(program=program, actor=request.user),
            "modules": CurriculumModule.objects.filter(program=program),
            "can_plan": _role(request) in PLANNERS,
            "can_create_cohort": _role(request) in COHORT_EDITORS,
            "can_open_agreement": _role(request) in AGREEMENT_READERS
            and agreement_list(actor=request.user).filter(pk=program.agreement_id).exists(),
            "can_screen": _role(request) in SCREENERS,
            "screen_form": ScreenForm(initial={"as_of": timezone.localdate()}),
            "panels": program_panels_for(actor=request.user, program=program),
        },
    )


@allow(*SCREENERS)
@require_POST
def screening_run(request: HttpRequest, pk: int) -> HttpResponse:
    program = selectors.program_get(actor=request.user, pk=pk)
    form = ScreenForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose the as-of date for the screening."))
        return redirect("programs:program_detail", pk=pk)
    run = services.screening_run_start(actor=request.user, program=program, as_of=form.cleaned_data["as_of"])
    return redirect("programs:run_detail", pk=run.pk)


RUN_PAGE_SIZE = 25


class RunPaginator(Paginator):
    """Pages of one list of a run (the eligible, or the others), sorted by name. For a whole-run reader
    (`positional`, the default) a page is the range of positions the freeze numbered (selectors.by_position):
    the last page costs what the first does. A reader limited to some units pages by offset."""

    def __init__(self, *args: Any, positional: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.positional = positional

    def page(self, number: Any) -> Any:
        rows = self.object_list
        if not self.positional or not isinstance(rows, QuerySet):
            return super().page(number)
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        return Page(selectors.by_position(rows, bottom, top), number, self)


@allow(*SCREENERS)
def run_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A saved run, paged: the eligible (`page`) and the others with their reasons (`tidak`), each 25 a
    page. Reasons are worked out for the rows shown only, in the reader's language. A run still being
    frozen by its background job shows the job's progress instead (the page polls it)."""
    run = selectors.run_get(actor=request.user, pk=pk)
    if run.status == RunStatus.RUNNING:
        return _run_in_progress(request, run)
    if request.headers.get("HX-Request"):  # the progress poll of a run that is done now: load the run
        return HttpResponse(headers={"HX-Refresh": "true"})
    whole_run = actor_unit_ids(request.user) is None
    eligible = RunPaginator(
        selectors.run_results(actor=request.user, run=run, eligible=True), RUN_PAGE_SIZE, positional=whole_run
    )
    ineligible = RunPaginator(
        selectors.run_results(actor=request.user, run=run, eligible=False),
        RUN_PAGE_SIZE,
        positional=whole_run,
    )
    if whole_run:  # the whole run: its counts were saved with it
        eligible.count = run.eligible_count
        ineligible.count = run.evaluated - run.eligible_count
    eligible_page = eligible.get_page(request.GET.get("page"))
    ineligible_page = ineligible.get_page(request.GET.get("tidak"))
    shown = selectors.with_reasons([*eligible_page.object_list, *ineligible_page.object_list], run=run)
    services.run_read_record(
        actor=request.user,
        run=run,
        count=len(shown),
        pages={"eligible": eligible_page.number, "ineligible": ineligible_page.number},
    )
    return render(
        request,
        "programs/run_detail.html",
        {
            "run": run,
            "shown": eligible.count + ineligible.count,
            "eligible_total": eligible.count,
            "ineligible_total": ineligible.count,
            "district_names": _district_names(run.rule.get("districts", [])),
            "page_obj": eligible_page,
            "ineligible_page": ineligible_page,
            "eligible": [r for r in shown if r.eligible],
            "ineligible": [r for r in shown if not r.eligible],
            "approve_form": ApproveForm(initial={"decided_on": timezone.localdate()}),
        },
    )


def _run_in_progress(request: HttpRequest, run: Any) -> HttpResponse:
    """The page of a run its background job is still freezing: the job's state, polled every second; the
    poll answers with a redirect to the run once it is done (HTMX follows it with a full page load)."""
    from sinergi.jobs.services import job_can_retry, jobs_fail_stale

    job = run.job
    if job is not None and jobs_fail_stale(job_id=job.pk):
        job.refresh_from_db()
    context = {
        "run": run,
        "job": job,
        "can_retry": job is not None and job_can_retry(actor=request.user, job=job),
        "last_seconds": selectors.last_screening_seconds(program=run.program),
        "district_names": _district_names(run.rule.get("districts", [])),
    }
    if request.headers.get("HX-Request"):
        return render(request, "programs/_run_progress.html", context)
    return render(request, "programs/run_progress.html", context)


@allow(*SCREENERS)
@require_POST
def run_approve(request: HttpRequest, pk: int) -> HttpResponse:
    run = selectors.run_get(actor=request.user, pk=pk)
    form = ApproveForm(request.POST)
    ids = [int(v) for v in request.POST.getlist("result") if v.isascii() and v.isdigit() and len(v) <= 18]
    if not form.is_valid() or not ids:
        messages.error(request, _("Tick the candidates and fill in the TPP decision date and reference."))
        return redirect("programs:run_detail", pk=pk)
    count = services.candidates_approve(actor=request.user, run=run, result_ids=ids, **form.cleaned_data)
    messages.success(
        request, ngettext("%(n)s candidate approved.", "%(n)s candidates approved.", count) % {"n": count}
    )
    return redirect("programs:run_detail", pk=pk)


@allow(*COHORT_EDITORS)
def cohort_create(request: HttpRequest) -> HttpResponse:
    program_id = request.GET.get("program") or request.POST.get("program") or ""
    if not (program_id.isascii() and program_id.isdigit()):
        raise Http404
    program = selectors.program_get(actor=request.user, pk=int(program_id))
    form = CohortForm(
        request.POST or None, initial={"start_date": program.start_date, "end_date": program.end_date}
    )
    # Offer only the units where this actor may open a cohort; the service refuses any other (403).
    units = form.fields["unit"].queryset  # type: ignore[attr-defined]
    form.fields["unit"].choices = [("", "---------")] + [  # type: ignore[attr-defined]
        (unit.pk, str(unit))
        for unit in units
        if access.may_open_cohort(request.user, program=program, unit=unit)
    ]
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        facilitators = data.pop("facilitators")
        try:
            cohort = services.cohort_create(
                actor=request.user, program=program, data=data, facilitators=facilitators
            )
        except ApplicationError as error:
            _refuse_forbidden(error)
            apply_error(form, error)
        else:
            return redirect("programs:cohort_detail", pk=cohort.pk)
    return render(request, "programs/cohort_form.html", {"form": form, "program": program})


@allow(*COHORT_EDITORS)
def cohort_edit(request: HttpRequest, pk: int) -> HttpResponse:
    cohort = selectors.cohort_get(actor=request.user, pk=pk)
    if not access.may_edit_cohort(request.user, cohort):
        raise ForbiddenError()
    initial = {
        "name": cohort.name,
        "unit": cohort.unit,
        "start_date": cohort.start_date,
        "end_date": cohort.end_date,
        "capacity": cohort.capacity,
        "facilitators": list(cohort.facilitators.all()),
        "version": cohort.version,
    }
    form = CohortForm(request.POST or None, initial=initial)
    form.fields["unit"].disabled = True
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        facilitators = data.pop("facilitators")
        try:
            services.cohort_update(
                actor=request.user,
                cohort=cohort,
                data=data,
                facilitators=facilitators,
                version=data.pop("version") or cohort.version,
            )
        except ApplicationError as error:
            _refuse_forbidden(error)
            apply_error(form, error)
        else:
            messages.success(request, _("The cohort has been saved."))
            return redirect("programs:cohort_detail", pk=cohort.pk)
    return render(
        request, "programs/cohort_form.html", {"form": form, "program": cohort.program, "cohort": cohort}
    )


@allow(*READERS)
def cohort_detail(request: HttpRequest, pk: int) -> HttpResponse:
    cohort = selectors.cohort_get(actor=request.user, pk=pk)
    role = _role(request)
    enrollments = list(
        cohort.enrollments.select_related("person", "episode").order_by("stage", "person__full_name")
    )
    progress = selectors.enrollment_progress(cohort=cohort)
    full_reasons = access.may_see_withdrawal_reason(request.user)
    # A company officer learns of a release only with the person's partner_sharing consent (as the release
    # notice); other roles without the full reasons (Bapas officers) read every release.
    sharing = (
        with_active_consent(
            person_ids={e.person_id for e in enrollments if e.withdrawal_reason == "released"},
            purpose=ConsentPurpose.PARTNER_SHARING,
        )
        if not full_reasons and role == Role.CSR_OFFICER
        else None
    )
    for e in enrollments:
        e.reason_text = (  # type: ignore[attr-defined]
            ""
            if not e.withdrawal_reason
            else e.get_withdrawal_reason_display()
            if full_reasons
            else PublicWithdrawal(
                domain.public_withdrawal(
                    e.withdrawal_reason, release_shared=sharing is None or e.person_id in sharing
                )
            ).label
        )
    can_enrol = access.may_enrol(request.user, cohort)
    candidates = selectors.cohort_candidates(cohort=cohort) if can_enrol else []
    audit_read(
        actor=request.user,
        action="cohort.participants.list",
        filters={"cohort": cohort.pk},
        count=len(enrollments) + len(candidates),
        target=cohort,
    )
    return render(
        request,
        "programs/cohort_detail.html",
        {
            "cohort": cohort,
            "enrollments": enrollments,
            "progress": progress,
            "candidates": candidates,
            "sessions": cohort.sessions.all(),
            "releases": selectors.cohort_releases(cohort=cohort),
            "flags": selectors.cohort_flags(cohort=cohort),
            "role": role,
            "can_enrol": can_enrol,
            "can_release": access.may_release(request.user, cohort=cohort),
            "can_move": access.may_move_stage(request.user, cohort),
            "can_deliver": access.may_deliver(request.user, cohort),
            "schedule_form": ScheduleForm(
                initial={"from_date": cohort.start_date, "to_date": cohort.end_date}
            ),
            "withdraw_form": WithdrawForm(),
            "release_form": ReleaseForm(initial={"on": timezone.localdate()}),
            "show_sentence": access.may_see_sentence(request.user),
            "today": timezone.localdate(),
            "can_open_participant": access.may_deliver(request.user, cohort),
            "can_edit": access.may_edit_cohort(request.user, cohort),
        },
    )


@allow(*CORRECTIONS)
@require_POST
def cohort_enrol(request: HttpRequest, pk: int) -> HttpResponse:
    cohort = selectors.cohort_get(actor=request.user, pk=pk)
    result_id = request.POST.get("result", "")
    result = selectors.candidate_get(
        actor=request.user, cohort=cohort, pk=int(result_id) if result_id.isdigit() else 0
    )
    try:
        enrollment = services.enroll(actor=request.user, cohort=cohort, result=result)
    except ApplicationError as error:
        _refuse_forbidden(error)
        messages.error(request, str(error.message))
    else:
        if enrollment.stage == Stage.WAITLISTED:
            messages.warning(
                request,
                _("The cohort is full: %(name)s is on the waiting list (number %(n)s).")
                % {"name": result.full_name, "n": enrollment.waitlist_position},
            )
        else:
            messages.success(request, _("%(name)s has been enrolled.") % {"name": result.full_name})
    return redirect("programs:cohort_detail", pk=pk)


def _enrollment(request: HttpRequest, pk: int) -> Enrollment:
    return selectors.enrollment_get(actor=request.user, pk=pk)


@allow(*access.STAGE_MOVERS)
@require_POST
def enrollment_move(request: HttpRequest, pk: int) -> HttpResponse:
    enrollment = _enrollment(request, pk)
    try:
        seen = request.POST.get("version", "")
        services.enrollment_move(
            actor=request.user,
            enrollment=enrollment,
            to=request.POST.get("to", ""),
            reason=request.POST.get("reason", ""),
            version=int(seen) if seen.isdigit() else None,
        )
    except ApplicationError as error:
        _refuse_forbidden(error)
        messages.error(request, str(error.message))
        if isinstance(error, ConflictError):
            return _cohort_page_with_status(request, enrollment.cohort_id, 409)
    return redirect("programs:cohort_detail", pk=enrollment.cohort_id)


@allow(*CORRECTIONS)
@require_POST
def enrollment_release(request: HttpRequest, pk: int) -> HttpResponse:
    enrollment = _enrollment(request, pk)
    form = ReleaseForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose the kind of release and its date."))
        return redirect("programs:cohort_detail", pk=enrollment.cohort_id)
    try:
        services.participant_release(actor=request.user, enrollment=enrollment, **form.cleaned_data)
    except ApplicationError as error:
        _refuse_forbidden(error)
        messages.error(request, str(error.message))
    else:
        messages.success(
            request,
            _("The release of %(name)s has been recorded. The handover to the Bapas is being processed.")
            % {"name": enrollment.person.full_name},
        )
    return redirect("programs:cohort_detail", pk=enrollment.cohort_id)


@allow(*DELIVERY)
@require_POST
def sessions_generate(request: HttpRequest, pk: int) -> HttpResponse:
    cohort = selectors.cohort_get(actor=request.user, pk=pk)
    form = ScheduleForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose the days of the week, the times and the first and last date."))
        return redirect("programs:cohort_detail", pk=pk)
    try:
        sessions = services.sessions_generate(actor=request.user, cohort=cohort, **form.cleaned_data)
    except ApplicationError as error:
        _refuse_forbidden(error)
        messages.error(request, str(error.message))
    else:
        count = len(sessions)
        messages.success(
            request,
            ngettext("%(n)s session has been scheduled.", "%(n)s sessions have been scheduled.", count)
            % {"n": count},
        )
    return redirect("programs:cohort_detail", pk=pk)


@allow(*DELIVERY)
def session_attendance(request: HttpRequest, pk: int) -> HttpResponse:
    session = selectors.session_get(actor=request.user, pk=pk)
    if not services.can_take_attendance(request.user, session):
        raise NotFoundError()
    outcome = None
    error = ""
    status = 200
    if request.method == "POST":
        marks: dict[int, tuple[str, int]] = {}
        for key in request.POST:
            value = request.POST.get(key, "")
            if key.startswith("mark-") and key[5:].isdigit() and value:
                seen = request.POST.get(f"version-{key[5:]}", "0")
                marks[int(key[5:])] = (value, int(seen) if seen.isdigit() else 0)
        try:
            outcome = services.attendance_record(actor=request.user, session=session, marks=marks)
        except ApplicationError as refusal:
            _refuse_forbidden(refusal)
            error, status = str(refusal.message), refusal.status
    rows = selectors.attendance_sheet(session=session)
    if request.method == "GET":
        audit_read(
            actor=request.user,
            action="session.attendance.list",
            filters={"session": session.pk},
            count=len(rows),
            target=session,
        )
    conflicts = {c["enrollment"]: c for c in (outcome.conflicts if outcome else [])}
    context = {
        "session": session,
        "rows": rows,
        "conflicts": conflicts,
        "outcome": outcome,
        "error": error,
        "closed_reason": services.attendance_closed_reason(session),
        "mark_labels": dict(Mark.choices),
        "counts": selectors.mark_counts(session=session),
        "reschedule_form": RescheduleForm(initial={"version": session.version, "to": session.date}),
    }
    if request.headers.get("HX-Request"):
        return render(request, "programs/_attendance_rows.html", context, status=status)
    return render(request, "programs/session_attendance.html", context, status=status)


@allow(*DELIVERY)
@require_POST
def session_change(request: HttpRequest, pk: int) -> HttpResponse:
    session = selectors.session_get(actor=request.user, pk=pk)
    try:
        if request.POST.get("action") == "cancel":
            seen = request.POST.get("version", "")
            services.session_cancel(
                actor=request.user,
                session=session,
                note=request.POST.get("note", ""),
                version=int(seen) if seen.isdigit() else None,
            )
        else:
            form = RescheduleForm(request.POST)
            if not form.is_valid():
                raise ApplicationError(_("Choose the new date."))
            services.session_reschedule(
                actor=request.user,
                session=session,
                to=form.cleaned_data["to"],
                version=form.cleaned_data["version"],
            )
    except ApplicationError as error:
        _refuse_forbidden(error)
        messages.error(request, str(error.message))
        if isinstance(error, ConflictError):
            return _cohort_page_with_status(request, session.cohort_id, 409)
    else:
        messages.success(request, _("The session has been changed."))
    return redirect("programs:cohort_detail", pk=session.cohort_id)


@allow(*DELIVERY)
def enrollment_detail(request: HttpRequest, pk: int) -> HttpResponse:
    enrollment = _enrollment(request, pk)
    assessment_form = AssessmentForm(prefix="a", initial={"assessed_on": timezone.localdate()})
    certificate_form = CertificateForm(prefix="c", initial={"issued_on": timezone.localdate()})
    if request.method == "POST":
        try:
            if "a-kind" in request.POST:
                assessment_form = AssessmentForm(request.POST, prefix="a")
                if assessment_form.is_valid():
                    data = assessment_form.cleaned_data
                    services.assessment_record(
                        actor=request.user,
                        enrollment=enrollment,
                        kind=data["kind"],
                        score=data["score"],
                        assessor=data["assessor"],
                        on=data["assessed_on"],
                    )
                    messages.success(request, _("The assessment has been recorded."))
                    return redirect("programs:enrollment_detail", pk=pk)
            else:
                certificate_form = CertificateForm(request.POST, request.FILES, prefix="c")
                if certificate_form.is_valid():
                    data = dict(certificate_form.cleaned_data)
                    upload = data.pop("document")
                    services.certificate_record(
                        actor=request.user, enrollment=enrollment, data=data, upload=upload
                    )
                    messages.success(request, _("The certificate has been recorded."))
                    return redirect("programs:enrollment_detail", pk=pk)
        except ApplicationError as error:
            _refuse_forbidden(error)
            apply_error(assessment_form if "a-kind" in request.POST else certificate_form, error)
    return render(
        request,
        "programs/enrollment_detail.html",
        {
            "enrollment": enrollment,
            "assessments": enrollment.assessments.all(),
            "certificates": enrollment.certificates.all(),
            "today": timezone.localdate(),
            "assessment_form": assessment_form,
            "certificate_form": certificate_form,
        },
    )


@allow(*access.CERTIFICATE_READERS)
def certificate_download(request: HttpRequest, pk: int) -> FileResponse:
    """The scanned certificate, for officers and facilitators of the cohort; every download is audited."""
    certificate = selectors.certificate_get(actor=request.user, pk=pk)
    if not certificate.document:
        raise NotFoundError()
    services.certificate_download_record(actor=request.user, certificate=certificate)
    with certificate.document.open("rb") as handle:
        kind = detect_scan(handle.read(8))
    content_type = kind.content_type if kind else "application/octet-stream"
    return FileResponse(
        certificate.document.open("rb"),
        as_attachment=True,
        filename=download_name(certificate.document.name, content_type),
        content_type=content_type,
    )


def _form_errors(form: Any) -> str:
    return " ".join(str(message) for messages_ in form.errors.values() for message in messages_)


@allow(*DELIVERY)
@require_POST
def certificate_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    """Revoke a certificate with a reason; its public page then says it was revoked."""
    certificate = selectors.certificate_get(actor=request.user, pk=pk)
    form = RevokeForm(request.POST)
    try:
        if not form.is_valid():
            raise ApplicationError(_form_errors(form))
        services.certificate_revoke(actor=request.user, certificate=certificate, **form.cleaned_data)
    except ApplicationError as error:
        _refuse_forbidden(error)
        messages.error(request, str(error.message))
    else:
        messages.success(request, _("The certificate has been revoked."))
    return redirect("programs:enrollment_detail", pk=certificate.enrollment_id)


@allow(*DELIVERY)
@require_POST
def assessment_correct(request: HttpRequest, pk: int) -> HttpResponse:
    """Correct an assessment's score or date, with a reason (audited)."""
    assessment = selectors.assessment_get(actor=request.user, pk=pk)
    form = AssessmentCorrectForm(request.POST)
    try:
        if not form.is_valid():
            raise ApplicationError(_form_errors(form))
        data = form.cleaned_data
        services.assessment_correct(
            actor=request.user,
            assessment=assessment,
            score=data["score"],
            on=data["assessed_on"],
            reason=data["reason"],
        )
    except ApplicationError as error:
        _refuse_forbidden(error)
        messages.error(request, str(error.message))
    else:
        messages.success(request, _("The assessment has been corrected."))
    return redirect("programs:enrollment_detail", pk=assessment.enrollment_id)


@allow(*DELIVERY)
@require_POST
def assessment_void(request: HttpRequest, pk: int) -> HttpResponse:
    """Void an assessment recorded by mistake, with a reason (audited)."""
    assessment = selectors.assessment_get(actor=request.user, pk=pk)
    form = AssessmentVoidForm(request.POST)
    try:
        if not form.is_valid():
            raise ApplicationError(_form_errors(form))
        services.assessment_void(
            actor=request.user, assessment=assessment, reason=form.cleaned_data["reason"]
        )
    except ApplicationError as error:
        _refuse_forbidden(error)
        messages.error(request, str(error.message))
    else:
        messages.success(request, _("The assessment has been voided."))
    return redirect("programs:enrollment_detail", pk=assessment.enrollment_id)


@login_not_required
def certificate_verify(request: HttpRequest, code: str) -> HttpResponse:
    """Public page an employer opens with the certificate's code; the name only with the person's consent."""
    certificate = selectors.certificate_by_code(code=code)
    if certificate is None:
        return render(request, "programs/certificate_verify.html", {"certificate": None}, status=404)
    person = certificate.enrollment.person
    shares = has_active_consent(person=person, purpose=ConsentPurpose.PARTNER_SHARING)
    return render(
        request,
        "programs/certificate_verify.html",
        {
            "certificate": certificate,
            "name": person.full_name if shares else None,
            "revoked": certificate.revoked_on is not None,
            "valid": certificate.revoked_on is None
            and (certificate.expires_on is None or certificate.expires_on >= timezone.localdate()),
        },
    )
