"""Agreement pages: list, record, detail with timeline, edit, terminate, documents."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from sinergi.accounts.choices import Role
from sinergi.audit.selectors import audit_history
from sinergi.core.access import allow
from sinergi.core.errors import ApplicationError
from sinergi.core.forms import apply_error
from sinergi.core.uploads import download_name
from sinergi.partnerships import selectors, services
from sinergi.partnerships.access import EDITORS, READERS
from sinergi.partnerships.choices import AgreementKind
from sinergi.partnerships.domain import timeline
from sinergi.partnerships.filters import AgreementFilter
from sinergi.partnerships.forms import AgreementForm, DocumentForm, PartyFormSet, TerminateForm
from sinergi.partnerships.models import Agreement
from sinergi.regions.models import District


@allow(*READERS)
def agreement_list(request: HttpRequest) -> HttpResponse:
    filterset = AgreementFilter(request.GET or None, queryset=Agreement.objects.none())
    agreements = selectors.agreement_list(actor=request.user, filters=request.GET.dict())
    page = Paginator(agreements, 25).get_page(request.GET.get("page"))
    return render(
        request,
        "partnerships/agreement_list.html",
        {
            "page_obj": page,
            "filter": filterset,
            "can_create": getattr(request.user, "role", "") in EDITORS,
        },
    )


def _parents(actor: Any) -> list[tuple[int, str]]:
    return [(a.pk, f"{a.number} · {a.title}") for a in selectors.agreement_list(actor=actor)]


def _parties(formset: Any) -> list[services.PartyInput]:
    return [
        services.PartyInput(
            organisation=f.cleaned_data["organisation"],
            role=f.cleaned_data["role"],
            signatory_name=f.cleaned_data.get("signatory_name", ""),
            signatory_title=f.cleaned_data.get("signatory_title", ""),
        )
        for f in formset.forms
        if f.cleaned_data.get("organisation")
    ]


def _picked(codes: list[str]) -> list[District]:
    by_code = {d.code: d for d in District.objects.filter(code__in=codes).select_related("regency")}
    return [by_code[c] for c in codes if c in by_code]


def _form_page(
    request: HttpRequest,
    *,
    form: Any,
    formset: Any,
    codes: list[str],
    title: str,
    agreement: Agreement | None = None,
    loose: list[str] | None = None,
) -> HttpResponse:
    return render(
        request,
        "partnerships/agreement_form.html",
        {
            "form": form,
            "formset": formset,
            "picked": _picked(codes),
            "title": title,
            "agreement": agreement,
            "loose_errors": loose or [],
        },
    )


def _with_blank_rows(initial: list[dict[str, Any]], minimum: int = 3) -> list[dict[str, Any]]:
    return initial + [{}] * max(1, minimum - len(initial))


@allow(*EDITORS)
def agreement_create(request: HttpRequest) -> HttpResponse:
    actor: Any = request.user
    parents = _parents(actor)
    if request.method == "POST":
        form = AgreementForm(request.POST, parents=parents)
        formset = PartyFormSet(request.POST, prefix="party")
        codes = request.POST.getlist("focus_districts")
        if form.is_valid() and formset.is_valid():
            data = dict(form.cleaned_data)
            data["parent"] = (
                Agreement.objects.filter(pk=data["parent"]).first() if data.get("parent") else None
            )
            try:
                agreement, warnings = services.agreement_create(
                    actor=actor, data=data, parties=_parties(formset), district_codes=codes
                )
            except ApplicationError as error:
                loose = apply_error(form, error, keep_unplaced=True)
            else:
                messages.success(
                    request, _("Agreement %(number)s has been saved.") % {"number": agreement.number}
                )
                for warning in warnings:
                    messages.warning(request, warning)
                return redirect("partnerships:agreement_detail", pk=agreement.pk)
            return _form_page(
                request, form=form, formset=formset, codes=codes, title=_("New agreement"), loose=loose
            )
        return _form_page(request, form=form, formset=formset, codes=codes, title=_("New agreement"))
    parent_id = request.GET.get("parent")
    kind = request.GET.get("kind") or AgreementKind.MOU
    initial: dict[str, Any] = {"kind": kind, "parent": parent_id}
    codes = []
    party_rows: list[dict[str, Any]] = []
    if actor.organisation_id:
        party_rows.append({"organisation": actor.organisation_id})
    if parent_id and parent_id.isdigit():
        parent = selectors.agreement_get(actor=actor, pk=int(parent_id))
        initial |= {
            "start_date": parent.start_date,
            "scope": parent.scope,
            "program_types": parent.program_types,
        }
        if kind != AgreementKind.RENEWAL:
            initial["end_date"] = parent.end_date
        party_rows = [{"organisation": p.organisation_id, "role": p.role} for p in parent.parties.all()]
        codes = [d.code for d in parent.focus_districts.all()]
    form = AgreementForm(initial=initial, parents=parents)
    formset = PartyFormSet(initial=_with_blank_rows(party_rows), prefix="party")
    return _form_page(request, form=form, formset=formset, codes=codes, title=_("New agreement"))


@allow(*READERS)
def agreement_detail(request: HttpRequest, pk: int) -> HttpResponse:
    actor: Any = request.user
    agreement = selectors.agreement_get(actor=actor, pk=pk)
    children = selectors.agreement_children(actor=actor, agreement=agreement)
    can_edit = actor.role == Role.ADMIN or (
        actor.role in EDITORS
        and any(p.organisation_id == actor.organisation_id for p in agreement.parties.all())
    )
    return render(
        request,
        "partnerships/agreement_detail.html",
        {
            "agreement": agreement,
            "children": children,
            "programs": list(agreement.programs.all()),
            "timeline": timeline(
                agreement=agreement,
                children=children,
                today=timezone.localdate(),
                programs=list(agreement.programs.values_list("start_date", "name")),
            ),
            "documents": selectors.agreement_documents(agreement=agreement),
            "districts": agreement.focus_districts.all(),
            "inherited_districts": []
            if agreement.focus_districts.all()
            else selectors.agreement_inherited_districts(agreement),
            "history": audit_history(target_type="partnerships.agreement", target_id=str(agreement.pk)),
            "can_edit": can_edit,
            "parent_visible": selectors.agreement_parent_visible(actor=actor, agreement=agreement),
            "document_form": DocumentForm(),
            "terminate_form": TerminateForm(
                initial={"version": agreement.version, "on": timezone.localdate()}
            ),
        },
    )


@allow(*EDITORS)
def agreement_edit(request: HttpRequest, pk: int) -> HttpResponse:
    actor: Any = request.user
    agreement = selectors.agreement_get(actor=actor, pk=pk)
    parents = [p for p in _parents(actor) if p[0] != agreement.pk]
    title = _("Edit %(number)s") % {"number": agreement.number}
    if request.method == "POST":
        form = AgreementForm(request.POST, parents=parents, editing=True, initial={"kind": agreement.kind})
        formset = PartyFormSet(request.POST, prefix="party")
        codes = request.POST.getlist("focus_districts")
        if form.is_valid() and formset.is_valid():
            data = dict(form.cleaned_data)
            data["parent"] = (
                Agreement.objects.filter(pk=data["parent"]).first() if data.get("parent") else None
            )
            try:
                _updated, warnings = services.agreement_update(
                    actor=actor,
                    agreement=agreement,
                    data=data,
                    parties=_parties(formset),
                    district_codes=codes,
                    version=form.cleaned_data["version"] or agreement.version,
                )
            except ApplicationError as error:
                loose = apply_error(form, error, keep_unplaced=True)
                return _form_page(
                    request,
                    form=form,
                    formset=formset,
                    codes=codes,
                    title=title,
                    agreement=agreement,
                    loose=loose,
                )
            messages.success(
                request, _("Agreement %(number)s has been saved.") % {"number": agreement.number}
            )
            for warning in warnings:
                messages.warning(request, warning)
            return redirect("partnerships:agreement_detail", pk=agreement.pk)
        return _form_page(request, form=form, formset=formset, codes=codes, title=title, agreement=agreement)
    # The form shows what the service saves (the parent by its id, not whether it is synthetic).
    initial = {
        field: getattr(agreement, field)
        for field in (*services.FIELDS, "version")
        if field not in ("parent", "is_synthetic")
    }
    initial["parent"] = agreement.parent_id
    form = AgreementForm(initial=initial, parents=parents, editing=True)
    rows = [
        {
            "organisation": p.organisation_id,
            "role": p.role,
            "signatory_name": p.signatory_name,
            "signatory_title": p.signatory_title,
        }
        for p in agreement.parties.all()
    ]
    formset = PartyFormSet(initial=_with_blank_rows(rows), prefix="party")
    codes = [d.code for d in agreement.focus_districts.all()]
    return _form_page(request, form=form, formset=formset, codes=codes, title=title, agreement=agreement)


@allow(*EDITORS)
@require_POST
def agreement_terminate(request: HttpRequest, pk: int) -> HttpResponse:
    agreement = selectors.agreement_get(actor=request.user, pk=pk)
    form = TerminateForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Fill in the termination date and the reason."))
        return redirect("partnerships:agreement_detail", pk=pk)
    try:
        services.agreement_terminate(
            actor=request.user,
            agreement=agreement,
            on=form.cleaned_data["on"],
            reason=form.cleaned_data["reason"],
            version=form.cleaned_data["version"],
        )
    except ApplicationError as error:
        messages.error(request, str(error.message))
    else:
        messages.success(
            request, _("Agreement %(number)s has been terminated.") % {"number": agreement.number}
        )
    return redirect("partnerships:agreement_detail", pk=pk)


@allow(*EDITORS)
@require_POST
def document_upload(request: HttpRequest, pk: int) -> HttpResponse:
    agreement = selectors.agreement_get(actor=request.user, pk=pk)
    form = DocumentForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _("Choose the file to upload."))
        return redirect("partnerships:agreement_detail", pk=pk)
    try:
        document = services.document_upload(
            actor=request.user,
            agreement=agreement,
            upload=form.cleaned_data["file"],
            title=form.cleaned_data["title"],
            kind=form.cleaned_data["kind"],
        )
    except ApplicationError as error:
        messages.error(request, str(error.message))
    else:
        messages.success(
            request,
            _("%(title)s version %(version)s has been uploaded.")
            % {"title": document.title, "version": document.version},
        )
    return redirect("partnerships:agreement_detail", pk=pk)


@allow(*READERS)
def document_download(request: HttpRequest, pk: int) -> FileResponse:
    document = selectors.document_get(actor=request.user, pk=pk)
    services.document_download_record(actor=request.user, document=document)
    response = FileResponse(
        document.file.open("rb"),
        content_type=document.content_type,
        as_attachment=True,
        filename=download_name(document.original_name, document.content_type),
    )
    return response
