"""Aftercare pages: the caseload "Klien saya", the case page with its plan, reports, visits, aid,
follow-ups, re-offences and index, the one-screen follow-up form, opening by hand and the UMK table.
Thin: reads through selectors, writes through services; every refusal keeps what was typed."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.db import transaction
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from sinergi.accounts.choices import OrganisationKind, Role
from sinergi.accounts.models import Organisation
from sinergi.aftercare import forms, selectors, services
from sinergi.aftercare.access import (
    ASSIGN_PERMISSION,
    CASE_OPENERS,
    CASE_READERS,
    CASELOAD_ROLES,
    GUIDES,
    LIST_READERS,
    VISITORS,
    WAGE_EDITORS,
    is_head_of_bapas,
)
from sinergi.aftercare.domain import COMPONENT_LABELS, DUE, OVERDUE
from sinergi.aftercare.models import AftercareCase, Aid, FollowUp, Goal
from sinergi.audit.services import audit_read, audit_record
from sinergi.core.access import allow
from sinergi.core.errors import ApplicationError, ConflictError, ForbiddenError, NotFoundError
from sinergi.core.forms import apply_error
from sinergi.core.pagination import DEFAULT_CAP, CappedPaginator, window_cap
from sinergi.core.uploads import SCAN_TYPES, download_name


def _case(request: HttpRequest, pk: int) -> AftercareCase:
    try:
        return selectors.case_get(actor=request.user, pk=pk)
    except NotFoundError as error:
        raise Http404 from error


def _detail(case: AftercareCase) -> HttpResponse:
    return redirect("aftercare:case_detail", pk=case.pk)


def _form_page(
    request: HttpRequest, case: AftercareCase, form: Any, title: str, status: int = 200
) -> HttpResponse:
    return render(request, "aftercare/form.html", {"case": case, "form": form, "title": title}, status=status)


VERSION_MISSING = gettext_lazy(
    "The form came without the version of the record you edited, so a change made meanwhile by someone "
    "else could be overwritten. Reload the page and enter your changes again."
)


def _version(form: Any) -> int:
    """The version the editor saw, sent with the form; an edit without it is refused as a conflict (never
    checked against the current version, which would let it overwrite a concurrent change)."""
    version = form.cleaned_data.get("version")
    if version is None:
        raise ConflictError(VERSION_MISSING)
    return int(version)


def _refused(form: Any, error: ApplicationError) -> None:
    detail = error.detail if isinstance(error.detail, dict) else {}
    clean = {k: v for k, v in detail.items() if k in form.fields or not isinstance(v, int)}
    apply_error(form, ApplicationError(error.message, code=error.code, detail=clean or None))


@allow(*LIST_READERS)
def case_list_view(request: HttpRequest) -> HttpResponse:
    q = request.GET.get("q", "")
    officer = request.GET.get("officer", "")
    officer_id = int(officer) if officer.isdigit() else None
    cases = selectors.with_followups(selectors.case_list(actor=request.user, q=q, officer=officer_id))
    # From the dashboards' due and overdue figures: only the cases with a follow-up in that state.
    followups = request.GET.get("followups", "")
    if followups in (DUE, OVERDUE):
        cases = cases.filter(pk__in=selectors.cases_with_followups(actor=request.user, status=followups))
    number = request.GET.get("page")
    page = CappedPaginator(cases, 25, cap=window_cap(number, 25), limit=DEFAULT_CAP).get_page(number)
    today = timezone.localdate()
    show_followups = getattr(request.user, "role", None) in FOLLOWUP_VIEWERS
    rows = [
        (
            case,
            selectors.followup_counts(case, today=today) if show_followups and not case.closed_on else None,
        )
        for case in page.object_list
    ]
    audit_read(
        actor=request.user,
        action="aftercare_case.list",
        filters={"q": q, "officer": officer_id or "", "followups": followups},
        count=len(page.object_list),
    )
    return render(
        request,
        "aftercare/case_list.html",
        {
            "page_obj": page,
            "rows": rows,
            "q": q,
            "officer": officer_id,
            "show_followups": show_followups,
            "followups": followups if followups in (DUE, OVERDUE) else "",
        },
    )


# Who sees the due and overdue follow-ups of each case in the list (not the company or partners).
FOLLOWUP_VIEWERS = (Role.ADMIN, Role.KANWIL_OFFICER, Role.BAPAS_OFFICER)


@allow(*CASELOAD_ROLES)
def caseload_view(request: HttpRequest) -> HttpResponse:
    load = selectors.caseload(actor=request.user)
    unassigned = (
        list(selectors.unassigned_cases(actor=request.user)[:50]) if is_head_of_bapas(request.user) else []
    )
    audit_read(
        actor=request.user, action="aftercare_case.caseload", filters={}, count=len(load) + len(unassigned)
    )
    return render(request, "aftercare/caseload.html", {"load": load, "unassigned": unassigned})


@allow(*CASE_READERS)
def case_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    case = _case(request, pk)
    context = selectors.case_detail(actor=request.user, case=case)
    with transaction.atomic():
        audit_record(
            actor=request.user, action="aftercare.case_view", target=case.person, changes={"case": case.pk}
        )
    view = context["view"]
    if view.guide:
        context["report_form"] = forms.ReportForm(initial={"mode": "in_person"})
        context["goal_form"] = forms.GoalForm(initial={"status": "planned"})
        context["aid_form"] = forms.AidForm(funders=_funders())
        context["reoffence_form"] = forms.ReoffenceForm()
        context["close_form"] = forms.CloseForm(initial={"version": case.version})
        context["schedule_form"] = forms.ScheduleForm(
            initial={"version": case.version, "report_every_months": case.report_every_months}
        )
    if view.record_visits:
        context["visit_form"] = forms.VisitForm(initial={"mode": "in_person"})
    if view.scores and context.get("scores"):
        latest = context["scores"][-1]
        context["latest_score"] = latest
        # In the ruleset's order (the stored JSON keeps no order), with the weight each could earn.
        context["components"] = [
            {"label": label, "weight": latest.weights.get(name), **latest.components[name]}
            for name, label in COMPONENT_LABELS.items()
            if name in latest.components
        ]
    context["reporting_until"] = selectors.reporting_until(case)
    return render(request, "aftercare/case_detail.html", context)


def _funders() -> Any:
    return Organisation.objects.filter(
        kind__in=(OrganisationKind.COMPANY, OrganisationKind.KANWIL, OrganisationKind.PROVIDER),
        is_active=True,
    ).order_by("name")


@allow(*CASE_READERS)
def case_assign_view(request: HttpRequest, pk: int) -> HttpResponse:
    case = _case(request, pk)
    if not selectors.view_of(request.user, case).assign:
        raise ForbiddenError(services.ASSIGN_NOT_ALLOWED)
    kwargs = {"officers": selectors.officers_of(case.bapas_id), "mentors": selectors.mentors()}
    if request.method == "POST":
        form = forms.AssignForm(request.POST, **kwargs)
        if form.is_valid():
            try:
                services.case_assign(
                    actor=request.user,
                    case=case,
                    pk_officer=form.cleaned_data["pk_officer"],
                    mentor=form.cleaned_data["mentor"],
                    mentor_shares=form.cleaned_data["mentor_shares"],
                    version=_version(form),
                )
            except ApplicationError as error:
                _refused(form, error)
            else:
                messages.success(request, _("The case has been assigned."))
                return _detail(case)
    else:
        form = forms.AssignForm(
            initial={
                "pk_officer": case.pk_officer_id,
                "mentor": case.mentor_id,
                "mentor_shares": case.mentor_shares,
                "version": case.version,
            },
            **kwargs,
        )
    return _form_page(request, case, form, _("Assign the case"))


def _guided_post(
    request: HttpRequest, pk: int, form_class: Any, title: str, write: Any, done: str, **form_kwargs: Any
) -> HttpResponse:
    """A small POST form on a case: on success back to the case, when refused the form again with input."""
    case = _case(request, pk)
    if request.method != "POST":
        return _form_page(request, case, form_class(**form_kwargs), title)
    form = form_class(request.POST, request.FILES, **form_kwargs)
    if form.is_valid():
        try:
            write(case, form.cleaned_data)
        except ApplicationError as error:
            if isinstance(error, ForbiddenError):
                raise
            _refused(form, error)
        else:
            messages.success(request, done)
            return _detail(case)
    return _form_page(request, case, form, title, status=400)


@allow(*GUIDES)
def report_add_view(request: HttpRequest, pk: int) -> HttpResponse:
    def write(case: AftercareCase, data: dict[str, Any]) -> None:
        services.report_record(
            actor=request.user, case=case, on=data["reported_on"], mode=data["mode"], note=data["note"]
        )

    return _guided_post(
        request, pk, forms.ReportForm, _("Record a report"), write, _("The report has been recorded.")
    )


@allow(*VISITORS)
def visit_add_view(request: HttpRequest, pk: int) -> HttpResponse:
    def write(case: AftercareCase, data: dict[str, Any]) -> None:
        services.visit_record(
            actor=request.user,
            case=case,
            on=data["visited_on"],
            mode=data["mode"],
            met_with=data["met_with"],
            notes=data["notes"],
            next_steps=data["next_steps"],
        )

    return _guided_post(
        request, pk, forms.VisitForm, _("Record a visit"), write, _("The visit has been recorded.")
    )


@allow(*GUIDES)
def aid_add_view(request: HttpRequest, pk: int) -> HttpResponse:
    def write(case: AftercareCase, data: dict[str, Any]) -> None:
        services.aid_record(
            actor=request.user,
            case=case,
            kind=data["kind"],
            value=data["value"],
            given_on=data["given_on"],
            funder=data["funder"],
            description=data["description"],
            evidence=data["evidence"],
        )

    return _guided_post(
        request,
        pk,
        forms.AidForm,
        _("Record aid"),
        write,
        _("The aid has been recorded."),
        funders=_funders(),
    )


@allow(*GUIDES)
def goal_add_view(request: HttpRequest, pk: int) -> HttpResponse:
    def write(case: AftercareCase, data: dict[str, Any]) -> None:
        services.goal_add(
            actor=request.user,
            case=case,
            area=data["area"],
            description=data["description"],
            target_date=data["target_date"],
            status=data["status"],
        )

    return _guided_post(request, pk, forms.GoalForm, _("Add a goal"), write, _("The goal has been added."))


@allow(*GUIDES)
def goal_edit_view(request: HttpRequest, pk: int, goal: int) -> HttpResponse:
    case = _case(request, pk)
    item = Goal.objects.filter(case=case, pk=goal).first()
    if item is None:
        raise Http404
    fields = ("area", "description", "status", "target_date")
    if request.method == "POST":
        form = forms.GoalForm(request.POST)
        if form.is_valid():
            try:
                services.goal_update(
                    actor=request.user,
                    goal=item,
                    data={k: form.cleaned_data[k] for k in fields},
                    version=_version(form),
                )
            except ConflictError as error:
                form.add_error(None, str(error.message))
            except ApplicationError as error:
                _refused(form, error)
            else:
                messages.success(request, _("The goal has been changed."))
                return _detail(case)
    else:
        form = forms.GoalForm(initial={k: getattr(item, k) for k in fields} | {"version": item.version})
    return _form_page(request, case, form, _("Change the goal"))


@allow(*GUIDES)
def reoffence_add_view(request: HttpRequest, pk: int) -> HttpResponse:
    def write(case: AftercareCase, data: dict[str, Any]) -> None:
        services.reoffence_record(
            actor=request.user,
            case=case,
            kind=data["kind"],
            on=data["occurred_on"],
            reference=data["reference"],
        )

    return _guided_post(
        request,
        pk,
        forms.ReoffenceForm,
        _("Record a re-offence"),
        write,
        _("The re-offence has been recorded."),
    )


@allow(*GUIDES)
def case_close_view(request: HttpRequest, pk: int) -> HttpResponse:
    def write(case: AftercareCase, data: dict[str, Any]) -> None:
        services.case_close(
            actor=request.user,
            case=case,
            reason=data["reason"],
            on=data["closed_on"],
            note=data["note"],
            version=data["version"] or case.version,
        )

    return _guided_post(
        request, pk, forms.CloseForm, _("Close the case"), write, _("The case has been closed.")
    )


@allow(*GUIDES)
def schedule_view(request: HttpRequest, pk: int) -> HttpResponse:
    def write(case: AftercareCase, data: dict[str, Any]) -> None:
        services.case_schedule_update(
            actor=request.user,
            case=case,
            every_months=data["report_every_months"],
            version=data["version"] or case.version,
        )

    return _guided_post(
        request,
        pk,
        forms.ScheduleForm,
        _("Reporting schedule"),
        write,
        _("The reporting schedule has been changed."),
    )


FOLLOWUP_FORM_FIELDS = services.FOLLOWUP_FIELDS  # the form edits what the service saves


@allow(*GUIDES)
def followup_view(request: HttpRequest, pk: int, milestone: int) -> HttpResponse:
    """The one-screen follow-up of a milestone: records it, or changes it when it exists (version check)."""
    case = _case(request, pk)
    if milestone not in (3, 6, 12, 24):
        raise Http404
    existing = FollowUp.objects.filter(case=case, milestone=milestone).first()
    status = 200
    if request.method == "POST":
        form = forms.FollowUpForm(request.POST)
        if form.is_valid():
            data = {k: form.cleaned_data[k] for k in FOLLOWUP_FORM_FIELDS}
            try:
                if existing is None:
                    services.followup_record(actor=request.user, case=case, milestone=milestone, data=data)
                else:
                    services.followup_update(
                        actor=request.user,
                        followup=existing,
                        data=data,
                        version=_version(form),
                    )
            except ConflictError as error:
                form.add_error(None, str(error.message))
            except ApplicationError as error:
                if isinstance(error, ForbiddenError):
                    raise
                _refused(form, error)
            else:
                messages.success(
                    request, _("The %(months)s-month follow-up has been saved.") % {"months": milestone}
                )
                return _detail(case)
        status = 400
    elif existing is not None:
        initial: dict[str, Any] = {k: getattr(existing, k) for k in FOLLOWUP_FORM_FIELDS}
        for name in ("contacted", "business_running", "family_support", "health_blocks_work"):
            value = initial[name]
            initial[name] = "" if value is None else ("1" if value else "0")
        form = forms.FollowUpForm(initial=initial | {"version": existing.version})
    else:
        form = forms.FollowUpForm(initial={"contacted": "1"})
    due = selectors.domain.followup_due_dates(case.released_on)[milestone]
    return render(
        request,
        "aftercare/followup_form.html",
        {"case": case, "form": form, "milestone": milestone, "due": due, "existing": existing},
        status=status,
    )


@allow(*CASE_READERS)
def evidence_download_view(request: HttpRequest, pk: int) -> FileResponse:
    try:
        aid = selectors.aid_evidence_get(actor=request.user, pk=pk)
    except NotFoundError as error:
        raise Http404 from error
    return evidence_response(request.user, aid)


def evidence_response(actor: Any, aid: Aid) -> FileResponse:
    """The audited download of an aid's evidence (the page's and the API's), with its stored type."""
    services.evidence_download_record(actor=actor, aid=aid)
    suffix = aid.evidence.name.rsplit(".", 1)[-1].lower()
    content_type = next(
        (kind.content_type for kind in SCAN_TYPES.values() if kind.suffix == suffix),
        "application/octet-stream",
    )
    return FileResponse(
        aid.evidence.open("rb"),
        as_attachment=True,
        filename=download_name(aid.evidence.name, content_type),
        content_type=content_type,
    )


@allow(*CASE_OPENERS)
@require_POST
def case_open_view(request: HttpRequest, episode: int) -> HttpResponse:
    from sinergi.beneficiaries.models import CustodyEpisode
    from sinergi.beneficiaries.selectors import person_get

    item = CustodyEpisode.objects.filter(pk=episode).select_related("person", "unit").first()
    if item is None:
        raise Http404
    try:
        person_get(actor=request.user, pk=item.person_id)
    except NotFoundError as error:
        if not services.may_open_by_hand(request.user, item):
            raise Http404 from error
    try:
        case = services.case_open_by_hand(actor=request.user, episode=item, note=request.POST.get("note", ""))
    except ForbiddenError:
        raise
    except ApplicationError as error:
        messages.error(request, str(error.message))
        return redirect("beneficiaries:person_detail", pk=item.person_id)
    messages.success(request, _("The aftercare case has been opened."))
    return _detail(case)


@allow(*WAGE_EDITORS)
def wage_list_view(request: HttpRequest) -> HttpResponse:
    from sinergi.regions.models import Regency

    regencies = Regency.objects.order_by("name")
    if request.method == "POST":
        form = forms.WageForm(request.POST, regencies=regencies)
        if form.is_valid():
            try:
                services.wage_set(actor=request.user, **form.cleaned_data)
            except ApplicationError as error:
                _refused(form, error)
            else:
                messages.success(request, _("The UMK has been saved."))
                return redirect("aftercare:wage_list")
    else:
        form = forms.WageForm(regencies=regencies)
    wages = selectors.wage_list(actor=request.user)
    return render(request, "aftercare/wages.html", {"form": form, "wages": wages})


@allow(*WAGE_EDITORS)
def heads_view(request: HttpRequest) -> HttpResponse:
    """Administrators choose which Bapas officers head their Bapas (and so assign its cases)."""
    from sinergi.accounts.models import User

    officers = User.objects.filter(role=Role.BAPAS_OFFICER, is_active=True).select_related("organisation")
    if request.method == "POST":
        user = officers.filter(username=request.POST.get("user", "")).first()
        if user is None:
            raise Http404
        services.bapas_head_set(actor=request.user, user=user, is_head=request.POST.get("is_head") == "1")
        messages.success(request, _("Saved."))
        return redirect("aftercare:heads")
    heads = set(selectors.users_with_permission(ASSIGN_PERMISSION).values_list("pk", flat=True))
    ordered = officers.order_by("organisation__name", "full_name")
    rows = [{"user": u, "is_head": u.pk in heads} for u in ordered]
    return render(request, "aftercare/heads.html", {"rows": rows})
