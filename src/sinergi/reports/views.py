"""The home page (one dashboard per role, with its figures) and the lists behind the numbers."""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sinergi.accounts.choices import Role
from sinergi.aftercare import access as aftercare_access
from sinergi.audit.services import audit_read
from sinergi.beneficiaries.selectors import person_get
from sinergi.core.access import ANY_ROLE, allow
from sinergi.core.errors import ApplicationError
from sinergi.impact import domain as impact_domain
from sinergi.reports import (
    access,
    drilldown,
    exports,
    joint,
    lists,
    report_selectors,
    selectors,
    services,
    subject,
    subject_jobs,
)
from sinergi.reports.dashboards import dashboard_context, figures_context
from sinergi.reports.forms import FigureFilterForm, ReportForm

PAGE_SIZE = 50
WINDOWS = impact_domain.WINDOW_MONTHS


@allow(ANY_ROLE)
def dashboard(request: HttpRequest) -> HttpResponse:
    """The home page: what this role can do, where to start, and its figures."""
    context = dashboard_context(actor=request.user)
    form = FigureFilterForm(request.GET or None, actor=request.user)
    window_text = str(request.GET.get("window") or "12")
    window = (
        int(window_text) if window_text.isascii() and window_text.isdigit() and len(window_text) < 4 else 12
    )
    if window not in (12, 24, 60):
        window = 12
    # A monitor's program table (`dashboard_context`) is the one the people-reached tables are masked with:
    # worked out once per page (its counts and masking were 1 to 2 s of the page at national scale).
    context.update(
        figures_context(
            actor=request.user,
            filters=form.filters(),
            window=window,
            program_table=context.get("program_figures"),
        )
    )
    context["filter_form"] = form
    context["filters_ignored"] = form.ignored()
    context["aggregates_only"] = access.aggregates_only(request.user)
    context["may_report"] = access.role_of(request.user) in access.REPORT_ROLES
    context["may_export_registry"] = access.role_of(request.user) in access.REGISTRY_EXPORT_ROLES
    return render(request, f"reports/dashboard/{context['template']}.html", context)


def _paged(
    request: HttpRequest, rows: Any, *, action: str | None = None, filters: dict[str, Any] | None = None
) -> tuple[Any, str]:
    """One page of a list behind a number, and the address's query without `page` (for the pager and the
    exports). With `action`, the bulk read is audited with the filters and the whole list's count."""
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    if action is not None:
        audit_read(
            actor=request.user,
            action=action,
            filters={**(filters or {}), **request.GET.dict()},
            count=page.paginator.count,
        )
    query = request.GET.copy()
    query.pop("page", None)
    return page, query.urlencode()


@allow(*access.PERSON_LIST_ROLES)
def figure_list(request: HttpRequest, metric: str) -> HttpResponse:
    """The people (enrolments, or screening results) a dashboard number counts, in the viewer's scope.

    The heading states the dashboard's number first, in what it counts (people for the people reached and
    the screening steps; `lists.headline`), then the rows listed when they are more; under it, the slice
    and the filters the list shows."""
    form, _scope, base = lists.metric_base(request.user, request.GET, metric)
    page, query = _paged(
        request, lists.listed(base, metric), action="participant.list", filters={"metric": metric}
    )
    labels = dict(selectors.metric_labels())
    return render(
        request,
        "reports/figure_list.html",
        {
            "metric": metric,
            "title": labels.get(metric, metric),
            "page": page,
            "headline": lists.headline(base, metric, page.paginator.count),
            "described": lists.described(form, request.GET, metric),
            "screening": metric in selectors.SCREENING_METRICS,
            "release_dates": access.may_see_release_dates(request.user),
            "query": query,
            "filter_form": form,
        },
    )


@allow(*aftercare_access.LIST_READERS)
def independence_list(request: HttpRequest) -> HttpResponse:
    """The aftercare cases behind one band of the dashboard's independence index, in the viewer's scope."""
    band = str(request.GET.get("band") or "")
    if band not in drilldown.INDEPENDENCE_KEYS:
        raise Http404()
    form = FigureFilterForm(request.GET or None, actor=request.user)
    scope = selectors.scope_of(request.user, form.filters())
    cases = drilldown.independence_cases(scope, band)
    page, query = _paged(request, cases, action="aftercare_case.list", filters={"independence": band})
    label = _("not contacted") if band == drilldown.NOT_CONTACTED else band
    return render(
        request,
        "reports/independence_list.html",
        {
            "title": _("Independence index: %(band)s") % {"band": label},
            "page": page,
            "query": query,
            "dashboard_query": urlencode(form.filters().query()),
        },
    )


@allow(*access.PERSON_LIST_ROLES)
def session_list(request: HttpRequest) -> HttpResponse:
    """The sessions held behind one month of the dashboard's delivery figures (or the whole period)."""
    if not drilldown.may_list_sessions(request.user):
        raise Http404()
    month_text = str(request.GET.get("month") or "")
    try:
        month = dt.date.fromisoformat(f"{month_text}-01") if month_text else None
    except ValueError as exc:
        raise Http404() from exc
    form = FigureFilterForm(request.GET or None, actor=request.user)
    scope = selectors.scope_of(request.user, form.filters())
    page, query = _paged(request, drilldown.sessions_held(scope, month))
    title = _("Sessions held")
    if month is not None:
        title = _("Sessions held in %(month)s") % {"month": date_format(month, "F Y")}
    return render(
        request,
        "reports/session_list.html",
        {
            "title": title,
            "page": page,
            "query": query,
            "dashboard_query": urlencode(form.filters().query()),
        },
    )


RECIDIVISM_TITLES = {
    "participants": gettext_lazy("Participants counted for recidivism"),
    "participants_reoffended": gettext_lazy("Participants who re-offended"),
    "waiting": gettext_lazy("Participants waiting (window not closed yet)"),
    "unmatched": gettext_lazy("Participants without a match in the comparison group"),
    "comparison": gettext_lazy("Comparison group, matched"),
    "comparison_reoffended": gettext_lazy("Comparison group: people who re-offended"),
}


@allow(*drilldown.RECIDIVISM_LISTERS)
def recidivism_list(request: HttpRequest) -> HttpResponse:
    """The people behind one recidivism count of the dashboard (participants or the comparison group)."""
    group = str(request.GET.get("group") or "")
    window = str(request.GET.get("window") or "12")
    if (
        group not in RECIDIVISM_TITLES
        or not (window.isascii() and window.isdigit())
        or int(window) not in WINDOWS
    ):
        raise Http404()
    form = FigureFilterForm(request.GET or None, actor=request.user)
    scope = selectors.scope_of(request.user, form.filters())
    groups = drilldown.recidivism_groups(scope, months=int(window))
    ids = groups.of(group) if groups is not None else frozenset()
    people = drilldown.recidivism_people(request.user, ids)
    page, query = _paged(request, people, action="person.list", filters={"recidivism": group})
    return render(
        request,
        "reports/recidivism_list.html",
        {
            "title": RECIDIVISM_TITLES[group],
            "page": page,
            "months": int(window),
            "query": query,
            "dashboard_query": urlencode(form.filters().query() | {"window": window}),
            # How many of the figure's people the list leaves out: administrators only (a count of people
            # outside one's registry scope is not the officer's to read).
            "outside_scope": len(ids) - page.paginator.count
            if access.role_of(request.user) == Role.ADMIN
            else 0,
        },
    )


def _export_params(request: HttpRequest) -> Any:
    """The list's filters from the address, and the form's choices (posted, so a reason stays out of URLs)."""
    if request.method != "POST":
        return request.GET
    params = request.GET.copy()
    for key in ("identities", "reason"):  # only as posted, never from the address
        params.pop(key, None)
    params.update(request.POST)
    return params


@allow(ANY_ROLE)
def list_export(request: HttpRequest, kind: str, fmt: str) -> HttpResponseBase:
    """A list as CSV or XLSX (pseudonymised unless identities are asked for with a reason), scoped as its
    page; the role check is the list's own (`lists.KINDS`).

    Names only on a POST (the export form, CSRF-protected): a link from another site (a GET, which the
    SameSite=Lax cookie still carries) must not make an officer download a named file, nor write a reason
    of someone else's choosing into the audit trail. The API (bearer token, no cookie) is `api.list_export`.

    A choice the export refuses (a reason too short, say) comes back on the export form, next to its field,
    with everything chosen kept. A GET that does not say which list (`lists.Kind.asks`: the participants
    export without its number) opens the export form instead of exporting a list nobody chose.
    """
    if request.method != "POST" and exports.wants_identities(request.GET):
        lists.kind_for(request.user, kind)  # an unknown list 404, a role that may not export it 403, first
        raise ApplicationError(str(exports.NAMES_FROM_FORM), code="identities")
    params = _export_params(request)
    if request.method != "POST":
        spec = lists.kind_for(request.user, kind)
        if any(not str(request.GET.get(name) or "") for name in spec.asks):
            query = request.GET.urlencode()
            return redirect(reverse("reports:export_form", args=[spec.slug]) + (f"?{query}" if query else ""))
        return lists.export(actor=request.user, slug=kind, params=params, fmt=fmt)
    try:
        return lists.export(actor=request.user, slug=kind, params=params, fmt=fmt)
    except ApplicationError as exc:
        if exc.status != 400:
            raise
        spec = lists.kind_for(request.user, kind)
        context = _export_form_context(request, spec, params)
        context["error"] = str(exc.message)
        context["error_field"] = exc.code
        return render(request, "reports/export_form.html", context, status=400)


EXPORT_CHOICES = ("purpose", "identities", "reason", "delimiter", "csrfmiddlewaretoken")


def _export_form_context(request: HttpRequest, spec: lists.Kind, params: Any) -> dict[str, Any]:
    """The export form for one list: the list's own parameters carried as hidden fields, and the choices
    already made (a form shown again after a refused export keeps them)."""
    return {
        "kind": spec.slug,
        "title": spec.title,
        "purposes": exports.PURPOSES.items(),
        "may_identify": access.may_see_identities(request.user),
        "hidden": [(k, v) for k, v in params.items() if k not in EXPORT_CHOICES],
        "chosen": {
            "purpose": str(params.get("purpose") or ""),
            "delimiter": str(params.get("delimiter") or ""),
            "identities": exports.wants_identities(params) if request.method == "POST" else False,
            "reason": str(params.get("reason") or "") if request.method == "POST" else "",
        },
        "reason_min": exports.REASON_MIN,
        "error": "",
        "error_field": "",
    }


@allow(ANY_ROLE)
def export_form(request: HttpRequest, kind: str) -> HttpResponse:
    """Choose purpose, format and (for roles that may) identities with a reason, then download."""
    spec = lists.kind_for(request.user, kind)
    if spec.target is not None:
        spec.target(request.user, request.GET)  # the cohort or run in the actor's scope, or 404
    return render(request, "reports/export_form.html", _export_form_context(request, spec, request.GET))


# --- Joint reports ----------------------------------------------------------------------------------------


@allow(*access.REPORT_ROLES)
def report_list(request: HttpRequest) -> HttpResponse:
    reports = report_selectors.report_list(actor=request.user)[:50]
    return render(request, "reports/joint/list.html", {"reports": reports})


@allow(*access.REPORT_ROLES)
def report_create(request: HttpRequest) -> HttpResponse:
    """Ask for a joint report; it is generated in the background and kept with its parameters."""
    form = ReportForm(request.POST or None, actor=request.user, initial=request.GET.dict())
    if request.method == "POST":
        # A subject outside the actor's rights is refused outright (403/404), not as a form error.
        ids = [str(request.POST.get(k) or "") for k in ("agreement", "program")]
        if sum(1 for v in ids if v) == 1 and all((v.isascii() and v.isdigit()) or not v for v in ids):
            services.report_subject(
                actor=request.user,
                agreement_id=int(ids[0]) if ids[0] else None,
                program_id=int(ids[1]) if ids[1] else None,
            )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            report = services.report_request(
                actor=request.user,
                agreement_id=data["agreement"],
                program_id=data["program"],
                start=data["start"],
                end=data["end"],
                fmt=data["fmt"],
                language=data["language"],
                notes=data["notes"],
            )
        except ApplicationError as exc:
            if exc.status != 400:
                raise
            form.add_error(None, str(exc.message))
        else:
            return redirect("reports:report_detail", pk=report.pk)
    # A TJSL officer reads, before asking, that theirs is the company's restricted version (not signed).
    restricted = joint.RESTRICTED_COVER if access.aggregates_only(request.user) else None
    return render(request, "reports/joint/create.html", {"form": form, "restricted": restricted})


@allow(*access.REPORT_ROLES)
def report_detail(request: HttpRequest, pk: int) -> HttpResponse:
    report = report_selectors.report_get(actor=request.user, pk=pk)
    template = (
        "reports/joint/_status.html" if request.headers.get("HX-Request") else "reports/joint/detail.html"
    )
    return render(request, template, {"report": report, "job": report.job})


@allow(*access.REPORT_ROLES)
def report_download(request: HttpRequest, pk: int) -> HttpResponseBase:
    report = report_selectors.report_get(actor=request.user, pk=pk)
    if not report.file:
        raise Http404()
    filters, count = services.download_audit(report)
    audit_read(actor=request.user, action="report.export", filters=filters, count=count, target=report)
    content_type = "application/pdf" if report.fmt == "pdf" else exports.XLSX_TYPE
    name = (
        f"laporan-kerja-sama-{report.period_start.isoformat()}-{report.period_end.isoformat()}.{report.fmt}"
    )
    return FileResponse(report.file.open("rb"), as_attachment=True, filename=name, content_type=content_type)


# --- Subject-access export ----------------------------------------------------------------------------------


@allow(*access.SUBJECT_ACCESS_ROLES)
def subject_access(request: HttpRequest, pk: int) -> HttpResponseBase:
    """Everything held about one person, with a stated reason (audited): the JSON at once, the PDF as a
    background job whose page shows its progress (`subject_jobs`). Lists the actor's own PDFs of the
    person."""
    person = person_get(actor=request.user, pk=pk)
    error = ""
    if request.method == "POST":
        fmt = "pdf" if request.POST.get("format") == "pdf" else "json"
        reason = str(request.POST.get("reason") or "")
        try:
            if fmt == "pdf":
                export = subject_jobs.subject_pdf_request(actor=request.user, person=person, reason=reason)
                return redirect("reports:subject_export", pk=export.pk)
            data, content_type = subject.subject_export(
                actor=request.user, person=person, fmt=fmt, reason=reason
            )
        except ApplicationError as exc:
            if exc.status != 400:
                raise
            error = str(exc.message)
        else:
            response = HttpResponse(data, content_type=content_type)
            response["Content-Disposition"] = f'attachment; filename="subjek-{person.pk}.{fmt}"'
            return response
    exports = subject_jobs.export_list(actor=request.user, person=person)[:20]
    return render(
        request, "reports/subject_form.html", {"person": person, "error": error, "exports": exports}
    )


@allow(*access.SUBJECT_ACCESS_ROLES)
def subject_export(request: HttpRequest, pk: int) -> HttpResponse:
    """A subject-access PDF being made: its progress (polled with HTMX), then its download."""
    export = subject_jobs.export_get(actor=request.user, pk=pk)
    template = (
        "reports/subject_status.html" if request.headers.get("HX-Request") else "reports/subject_export.html"
    )
    days = settings.SUBJECT_EXPORT_RETENTION_DAYS
    return render(
        request,
        template,
        {"export": export, "job": export.job, "person": export.person, "retention_days": days},
    )


@allow(*access.SUBJECT_ACCESS_ROLES)
def subject_download(request: HttpRequest, pk: int) -> HttpResponse:
    """The finished PDF, for the officer who asked for it (audited)."""
    export = subject_jobs.export_get(actor=request.user, pk=pk)
    data = subject_jobs.export_open(actor=request.user, export=export)
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="subjek-{export.person_id}-{export.pk}.pdf"'
    response["Cache-Control"] = "no-store"
    return response
