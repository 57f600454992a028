"""Impact pages: programs' impact and finance, value maps with numbers and snapshots, IKM surveys, SDGs."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST

from sinergi.accounts.choices import Role
from sinergi.core.access import allow
from sinergi.core.errors import ApplicationError
from sinergi.core.forms import apply_error
from sinergi.impact import access, domain, figures, selectors, services
from sinergi.impact.access import FINANCE_EDITORS, FINANCE_READERS, IMPACT_READERS
from sinergi.impact.forms import (
    BudgetLineForm,
    ExpenditureForm,
    FileForm,
    FreezeForm,
    InKindForm,
    OutcomeForm,
    ResponseForm,
    SdgForm,
    SurveyForm,
    ValueMapForm,
    party_organisations,
)
from sinergi.impact.models import BudgetLine
from sinergi.impact.services.surveys import MAX_CSV
from sinergi.partnerships.selectors import agreement_get
from sinergi.programs.models import Program

COST_LABELS = {
    "participant": gettext_lazy("per participant"),
    "completion": gettext_lazy("per completion"),
    "certificate": gettext_lazy("per certificate"),
    "in_work_6m": gettext_lazy("per person in work or business at 6 months"),
}


def _form_page(
    request: HttpRequest, *, form: Any, title: str, back: str, program: Any = None, **extra: Any
) -> HttpResponse:
    return render(
        request,
        "impact/form.html",
        {"form": form, "title": title, "back": back, "program": program, "multipart": True} | extra,
    )


# --- Programs -------------------------------------------------------------------------------------------


@allow(*IMPACT_READERS)
def impact_index(request: HttpRequest) -> HttpResponse:
    """Programs with budget, realisation and in-kind totals."""
    page = Paginator(selectors.program_list(actor=request.user), 25).get_page(request.GET.get("page"))
    role = getattr(request.user, "role", "")
    return render(request, "impact/index.html", {"page_obj": page, "can_see_maps": role in FINANCE_READERS})


def _window(request: HttpRequest) -> int:
    raw = request.GET.get("window", "")
    return int(raw) if raw.isdigit() and int(raw) in domain.WINDOW_MONTHS else domain.DEFAULT_WINDOW_MONTHS


def _recidivism_context(request: HttpRequest, programs: Any) -> dict[str, Any]:
    """Recidivism of the programs; withheld from aggregate-only roles on these filtered views
    (`selectors.WITHHELD_PER_PROGRAM`), which get the notice with a link to the dashboard instead."""
    if selectors.withheld_per_program(request.user):
        return {"rec": None, "withheld_notice": str(selectors.WITHHELD_PER_PROGRAM)}
    result = selectors.recidivism(programs=programs, months=_window(request), as_of=timezone.localdate())
    figures = selectors.recidivism_figures(actor=request.user, result=result)
    return {
        "rec": figures,
        "rec_groups": [
            (_("Participants"), figures.participants),
            (_("Comparison group"), figures.comparison),
        ],
        "windows": domain.WINDOW_MONTHS,
    }


@allow(*IMPACT_READERS)
def agreement_impact(request: HttpRequest, pk: int) -> HttpResponse:
    """An agreement's impact over its programs and those of its PKS and addenda: cost per outcome,
    recidivism with the comparison group, and its value maps. Cost per outcome and recidivism count only
    the programs whose every cohort the viewer reaches (`selectors.programs_reached`), and say so."""
    agreement = selectors.impact_agreement_get(actor=request.user, pk=pk)
    programs = selectors.programs_of_agreement(agreement)
    visible = selectors.program_list(actor=request.user).filter(pk__in=programs.values("pk"))
    reached = selectors.programs_reached(request.user, programs)
    reach = selectors.reach_of(request.user, programs)
    total, counted, first, last = reach["total"], reach["counted"], reach["first"], reach["last"]
    inputs = (
        selectors.inputs_for(programs=reached, start=first, end=last)
        if first and last
        else {"realisation": 0, "in_kind": 0, "total": 0}
    )
    context: dict[str, Any] = {}
    if counted < total:
        context["reach_notice"] = str(
            selectors.AGREEMENT_PARTLY_REACHED % {"left_out": total - counted, "total": total}
        )
    if counted:
        costs = selectors.cost_per_outcome(actor=request.user, programs=reached, cost=inputs["total"])
        context |= {"costs": [(COST_LABELS[c.outcome], c) for c in costs]} | _recidivism_context(
            request, reached
        )
    return render(
        request,
        "impact/agreement_impact.html",
        {
            "agreement": agreement,
            "programs": list(visible),
            "inputs": inputs,
            "costs": [],
            "value_maps": list(selectors.value_map_list(actor=request.user).filter(agreement=agreement)),
            "can_edit": access.may_edit_agreement(request.user, agreement),
        }
        | context,
    )


@allow(*IMPACT_READERS)
def program_impact(request: HttpRequest, pk: int) -> HttpResponse:
    """A program's impact. Cost per outcome and recidivism only when the viewer reaches every cohort of it
    (`selectors.programs_reached`); otherwise a notice says why they are not shown."""
    program = selectors.program_get(actor=request.user, pk=pk)
    programs = Program.objects.filter(pk=program.pk)
    inputs = selectors.inputs_for(programs=programs, start=program.start_date, end=program.end_date)
    rows = selectors.budget_realisation(program=program)
    surveys = [
        (survey, selectors.survey_results(actor=request.user, survey=survey))
        for survey in selectors.survey_list(actor=request.user, program=program)
    ]
    context: dict[str, Any] = {"costs": []}
    if selectors.programs_reached(request.user, programs).exists():
        costs = selectors.cost_per_outcome(
            actor=request.user, programs=programs, cost=inputs["total"], program=program
        )
        context = {"costs": [(COST_LABELS[c.outcome], c) for c in costs]} | _recidivism_context(
            request, programs
        )
    else:
        context["reach_notice"] = str(selectors.PROGRAM_PARTLY_REACHED)
    return render(
        request,
        "impact/program_impact.html",
        {
            "program": program,
            "inputs": inputs,
            "years": selectors.realisation_by_year(rows),
            "surveys": surveys,
            "sdg_tags": selectors.sdg_tags(program=program),
            "value_maps": list(selectors.value_map_list(actor=request.user, program=program)),
            "can_edit": access.may_edit_program(request.user, program),
            "can_read_finance": access.may_read_finance(request.user, program),
        }
        | context,
    )


@allow(*FINANCE_READERS)
def program_finance(request: HttpRequest, pk: int) -> HttpResponse:
    program = selectors.finance_program_get(actor=request.user, pk=pk)
    rows = selectors.budget_realisation(program=program)
    page = Paginator(selectors.expenditure_list(actor=request.user, program=program), 25).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "impact/program_finance.html",
        {
            "program": program,
            "rows": rows,
            "years": selectors.realisation_by_year(rows),
            "page_obj": page,
            "in_kind": list(selectors.in_kind_list(actor=request.user, program=program)),
            "can_edit": access.may_edit_program(request.user, program),
        },
    )


def _lines(program: Any) -> Any:
    return BudgetLine.objects.filter(program=program).order_by("year", "category", "description")


@allow(*FINANCE_EDITORS)
def budget_line_create(request: HttpRequest, pk: int) -> HttpResponse:
    program = selectors.finance_program_get(actor=request.user, pk=pk)
    form = BudgetLineForm(
        request.POST or None,
        organisations=party_organisations(program.agreement),
        initial={"year": program.start_date.year},
    )
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        data.pop("version")
        try:
            services.budget_line_create(actor=request.user, program=program, data=data)
        except ApplicationError as error:
            apply_error(form, error)
        else:
            messages.success(request, _("The budget line has been saved."))
            return redirect("impact:program_finance", pk=program.pk)
    return _form_page(
        request, form=form, title=_("New budget line"), back=_back_finance(program), program=program
    )


def _back_finance(program: Any) -> str:
    return reverse("impact:program_finance", args=[program.pk])


@allow(*FINANCE_EDITORS)
def budget_line_edit(request: HttpRequest, pk: int) -> HttpResponse:
    line = selectors.budget_line_get(actor=request.user, pk=pk)
    program = line.program
    initial = {
        f: getattr(line, f) for f in ("year", "category", "description", "amount", "funder", "version")
    }
    form = BudgetLineForm(
        request.POST or None, organisations=party_organisations(program.agreement), initial=initial
    )
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        version = data.pop("version") or line.version
        try:
            services.budget_line_update(actor=request.user, line=line, data=data, version=version)
        except ApplicationError as error:
            apply_error(form, error)
        else:
            messages.success(request, _("The budget line has been saved."))
            return redirect("impact:program_finance", pk=program.pk)
    return _form_page(request, form=form, title=str(line), back=_back_finance(program), program=program)


@allow(*FINANCE_EDITORS)
def expenditure_create(request: HttpRequest, pk: int) -> HttpResponse:
    program = selectors.finance_program_get(actor=request.user, pk=pk)
    form = ExpenditureForm(
        request.POST or None,
        request.FILES or None,
        lines=_lines(program),
        organisations=party_organisations(program.agreement),
    )
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        data.pop("version")
        receipt = data.pop("receipt")
        try:
            services.expenditure_create(actor=request.user, program=program, data=data, receipt=receipt)
        except ApplicationError as error:
            apply_error(form, error)
        else:
            messages.success(request, _("The expenditure has been recorded."))
            return redirect("impact:program_finance", pk=program.pk)
    return _form_page(
        request, form=form, title=_("New expenditure"), back=_back_finance(program), program=program
    )


@allow(*FINANCE_EDITORS)
def expenditure_edit(request: HttpRequest, pk: int) -> HttpResponse:
    expenditure = selectors.expenditure_get(actor=request.user, pk=pk)
    program = expenditure.budget_line.program
    fields = ("budget_line", "spent_on", "amount", "description", "paid_by", "version")
    form = ExpenditureForm(
        request.POST or None,
        lines=_lines(program),
        organisations=party_organisations(program.agreement),
        initial={f: getattr(expenditure, f) for f in fields},
    )
    form.fields.pop("receipt")
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        version = data.pop("version") or expenditure.version
        try:
            services.expenditure_update(
                actor=request.user, expenditure=expenditure, data=data, version=version
            )
        except ApplicationError as error:
            apply_error(form, error)
        else:
            messages.success(request, _("The expenditure has been saved."))
            return redirect("impact:program_finance", pk=program.pk)
    return _form_page(
        request, form=form, title=expenditure.description, back=_back_finance(program), program=program
    )


@allow(*FINANCE_READERS)
def receipt_download(request: HttpRequest, pk: int) -> FileResponse:
    expenditure = selectors.expenditure_get(actor=request.user, pk=pk)
    if not expenditure.receipt:
        raise Http404
    services.receipt_download_record(actor=request.user, expenditure=expenditure)
    suffix = expenditure.receipt.name.rsplit(".", 1)[-1]
    return FileResponse(
        expenditure.receipt.open("rb"),
        as_attachment=True,
        filename=f"kuitansi-{expenditure.pk}.{suffix}",
        content_type=expenditure.receipt_content_type or None,
    )


@allow(*FINANCE_EDITORS)
def in_kind_create(request: HttpRequest, pk: int) -> HttpResponse:
    program = selectors.finance_program_get(actor=request.user, pk=pk)
    form = InKindForm(request.POST or None, organisations=party_organisations(program.agreement))
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        data.pop("version")
        try:
            services.in_kind_create(actor=request.user, program=program, data=data)
        except ApplicationError as error:
            apply_error(form, error)
        else:
            messages.success(request, _("The in-kind contribution has been recorded."))
            return redirect("impact:program_finance", pk=program.pk)
    return _form_page(
        request, form=form, title=_("New in-kind contribution"), back=_back_finance(program), program=program
    )


@allow(*FINANCE_EDITORS)
def in_kind_edit(request: HttpRequest, pk: int) -> HttpResponse:
    contribution = selectors.in_kind_get(actor=request.user, pk=pk)
    program = contribution.program
    fields = ("contributor", "kind", "description", "contributed_on", "value", "valuation_basis", "version")
    form = InKindForm(
        request.POST or None,
        organisations=party_organisations(program.agreement),
        initial={f: getattr(contribution, f) for f in fields},
    )
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        version = data.pop("version") or contribution.version
        try:
            services.in_kind_update(actor=request.user, contribution=contribution, data=data, version=version)
        except ApplicationError as error:
            apply_error(form, error)
        else:
            messages.success(request, _("The in-kind contribution has been saved."))
            return redirect("impact:program_finance", pk=program.pk)
    return _form_page(
        request, form=form, title=contribution.description, back=_back_finance(program), program=program
    )


@allow(*FINANCE_EDITORS)
def sdg_edit(request: HttpRequest, pk: int) -> HttpResponse:
    program = selectors.program_get(actor=request.user, pk=pk)
    if not access.may_edit_program(request.user, program):
        raise Http404
    current = selectors.sdg_tags(program=program)
    form = SdgForm(
        request.POST or None, initial={"targets": ", ".join(current), "expected": ",".join(current)}
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.program_sdg_set(
                actor=request.user,
                program=program,
                targets=form.codes("targets"),
                expected=form.codes("expected"),
            )
        except ApplicationError as error:
            apply_error(form, error)
        else:
            messages.success(request, _("The SDG targets have been saved."))
            return redirect("impact:program_impact", pk=program.pk)
    return _form_page(
        request,
        form=form,
        title=_("SDG targets of %(program)s") % {"program": program.name},
        back=reverse("impact:program_impact", args=[program.pk]),
        program=program,
        sdg_goals=domain.SDG_GOALS,
    )


@allow(*IMPACT_READERS)
def sdg_rollup(request: HttpRequest) -> HttpResponse:
    withheld = getattr(request.user, "role", None) == Role.MONITOR
    return render(
        request,
        "impact/sdg.html",
        {
            "goals": selectors.sdg_rollup(actor=request.user),
            "withheld_notice": str(selectors.WITHHELD_PER_PROGRAM) if withheld else "",
        },
    )


# --- Value maps -------------------------------------------------------------------------------------------


@allow(*FINANCE_READERS)
def value_map_list(request: HttpRequest) -> HttpResponse:
    page = Paginator(selectors.value_map_list(actor=request.user), 25).get_page(request.GET.get("page"))
    return render(request, "impact/value_map_list.html", {"page_obj": page})


@allow(*FINANCE_EDITORS)
def value_map_create(request: HttpRequest) -> HttpResponse:
    program = agreement = None
    if (request.GET.get("program") or "").isdigit():
        program = selectors.program_get(actor=request.user, pk=int(request.GET["program"]))
    elif (request.GET.get("agreement") or "").isdigit():
        agreement = agreement_get(actor=request.user, pk=int(request.GET["agreement"]))
    else:
        raise Http404
    owner: Any = program or agreement
    form = ValueMapForm(
        request.POST or None,
        initial={
            "title": _("Value map: %(name)s") % {"name": getattr(owner, "name", None) or owner.title},
        }
        | services.default_period(request.user, owner),
    )
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        data.pop("version")
        try:
            value_map = services.value_map_create(
                actor=request.user, program=program, agreement=agreement, data=data
            )
        except ApplicationError as error:
            apply_error(form, error)
        else:
            return redirect("impact:value_map_detail", pk=value_map.pk)
    back = (
        reverse("impact:program_impact", args=[program.pk])
        if program is not None
        else reverse("impact:value_map_list")
    )
    return _form_page(request, form=form, title=_("New value map"), back=back, program=program)


def _numbers_context(value_map: Any, step: Any, actor: Any) -> dict[str, Any]:
    numbers = selectors.value_map_numbers(value_map, step=step, actor=actor)
    step_percent = int(step * 100)
    return {
        "numbers": numbers,
        "step_percent": step_percent,
        "field_labels": figures.FIELD_LABELS,
        "tornado": figures.sensitivity_chart(numbers, step_percent),
    }


@allow(*FINANCE_READERS)
def value_map_detail(request: HttpRequest, pk: int) -> HttpResponse:
    value_map = selectors.value_map_get(actor=request.user, pk=pk)
    step = domain.DEFAULT_STEP
    raw = request.GET.get("langkah", "")
    if raw.isdigit() and 1 <= int(raw) <= 90:
        step = domain.Decimal(int(raw)) / 100
    numbers = _numbers_context(value_map, step, request.user)
    return render(
        request,
        "impact/value_map_detail.html",
        {
            "value_map": value_map,
            # A snapshot holds whole-map figures: one who reaches only part of the map is told why they may
            # not freeze it, instead of the form (`services.snapshot_freeze`).
            "freeze_refused": services.freeze_refused(numbers["numbers"]),
            "outcomes": list(value_map.outcomes.all()),
            # Each with its ratio as the viewer may see it, and whether it is withheld from them ("×" when it
            # would give back a masked count: said in words on the page, `selectors.snapshot_shown`).
            "snapshots": [
                (snap, shown.results.get("ratio"), shown.masked)
                for snap in value_map.snapshots.select_related("taken_by")
                for shown in (selectors.snapshot_shown(actor=request.user, snapshot=snap),)
            ],
            "freeze_form": FreezeForm(),
            "import_form": FileForm(initial={"version": value_map.version}),
            "can_edit": access.may_edit_agreement(
                request.user, value_map.program.agreement if value_map.program else value_map.agreement
            ),
        }
        | numbers,
    )


@require_POST
@allow(*FINANCE_EDITORS)
def outcome_deadweight(request: HttpRequest, pk: int) -> HttpResponse:
    """One click: the outcome's deadweight becomes the comparison group's rate of the same outcome."""
    outcome = selectors.outcome_get(actor=request.user, pk=pk)
    raw = request.POST.get("version", "")
    try:
        services.outcome_deadweight_from_comparison(
            actor=request.user, outcome=outcome, version=int(raw) if raw.isdigit() else -1
        )
    except ApplicationError as error:
        messages.error(request, str(error.message))
    else:
        messages.success(
            request,
            _("Deadweight set from the comparison group: %(source)s") % {"source": outcome.deadweight_source},
        )
    return redirect("impact:value_map_detail", pk=outcome.value_map_id)


@allow(*FINANCE_EDITORS)
def value_map_edit(request: HttpRequest, pk: int) -> HttpResponse:
    value_map = selectors.value_map_get(actor=request.user, pk=pk)
    fields = (
        "title",
        "discount_rate",
        "inputs_source",
        "inputs_manual",
        "period_start",
        "period_end",
        "version",
    )
    initial = {f: getattr(value_map, f) for f in fields} | {"stakeholders": "\n".join(value_map.stakeholders)}
    form = ValueMapForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if v is not None or k == "inputs_manual"}
        version = data.pop("version", None) or value_map.version
        try:
            services.value_map_update(actor=request.user, value_map=value_map, data=data, version=version)
        except ApplicationError as error:
            apply_error(form, error)
        else:
            messages.success(request, _("The value map has been saved."))
            return redirect("impact:value_map_detail", pk=value_map.pk)
    return _form_page(request, form=form, title=value_map.title, back=_back_map(value_map))


def _back_map(value_map: Any) -> str:
    return reverse("impact:value_map_detail", args=[value_map.pk])


def _outcome_data(form: Any) -> dict[str, Any]:
    data = dict(form.cleaned_data)
    data.pop("version", None)
    return data


@allow(*FINANCE_EDITORS)
def outcome_create(request: HttpRequest, pk: int) -> HttpResponse:
    value_map = selectors.value_map_get(actor=request.user, pk=pk)
    form = OutcomeForm(
        request.POST or None,
        initial={"duration": 1, "drop_off": 0, "deadweight": 0, "displacement": 0, "attribution": 0},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.outcome_add(actor=request.user, value_map=value_map, data=_outcome_data(form))
        except ApplicationError as error:
            apply_error(form, error)
        else:
            messages.success(request, _("The outcome has been added."))
            return redirect("impact:value_map_detail", pk=value_map.pk)
    return _form_page(request, form=form, title=_("New outcome"), back=_back_map(value_map))


@allow(*FINANCE_EDITORS)
def outcome_edit(request: HttpRequest, pk: int) -> HttpResponse:
    outcome = selectors.outcome_get(actor=request.user, pk=pk)
    initial = {f: getattr(outcome, f) for f in OutcomeForm.base_fields}
    form = OutcomeForm(request.POST or None, initial=initial)
    if request.method == "POST" and request.POST.get("hapus"):
        try:
            services.outcome_remove(
                actor=request.user,
                outcome=outcome,
                version=int(request.POST.get("version") or outcome.version),
            )
        except ApplicationError as error:
            messages.error(request, str(error.message))
        else:
            messages.success(request, _("The outcome has been removed."))
        return redirect("impact:value_map_detail", pk=outcome.value_map_id)
    if request.method == "POST" and form.is_valid():
        version = form.cleaned_data.get("version") or outcome.version
        try:
            services.outcome_update(
                actor=request.user, outcome=outcome, data=_outcome_data(form), version=version
            )
        except ApplicationError as error:
            apply_error(form, error)
        else:
            messages.success(request, _("The outcome has been saved."))
            return redirect("impact:value_map_detail", pk=outcome.value_map_id)
    return _form_page(
        request, form=form, title=outcome.name, back=_back_map(outcome.value_map), removable=outcome
    )


@allow(*FINANCE_READERS)
def value_map_export(request: HttpRequest, pk: int) -> HttpResponse:
    value_map = selectors.value_map_get(actor=request.user, pk=pk)
    data = services.value_map_export(actor=request.user, value_map=value_map)
    response = HttpResponse(
        domain.to_json(data, indent=2) + "\n", content_type="application/json; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="peta-nilai-{value_map.pk}.json"'
    return response


@allow(*FINANCE_EDITORS)
@require_POST
def value_map_import(request: HttpRequest, pk: int) -> HttpResponse:
    value_map = selectors.value_map_get(actor=request.user, pk=pk)
    form = FileForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _("Choose a value-map JSON file to import."))
        return redirect("impact:value_map_detail", pk=pk)
    upload = form.cleaned_data["file"]
    if upload.size > 1024 * 1024:
        messages.error(request, _("The file is larger than 1 MB."))
        return redirect("impact:value_map_detail", pk=pk)
    try:
        text = upload.read().decode("utf-8-sig")
        services.value_map_import(
            actor=request.user, value_map=value_map, text=text, version=form.cleaned_data["version"] or 0
        )
    except UnicodeDecodeError:
        messages.error(request, _("The file is not UTF-8 text."))
    except ApplicationError as error:
        messages.error(request, str(error.message))
    else:
        messages.success(request, _("The value map has been replaced by the file's outcomes."))
    return redirect("impact:value_map_detail", pk=pk)


@allow(*FINANCE_EDITORS)
@require_POST
def value_map_freeze(request: HttpRequest, pk: int) -> HttpResponse:
    value_map = selectors.value_map_get(actor=request.user, pk=pk)
    form = FreezeForm(request.POST)
    try:
        snapshot = services.snapshot_freeze(
            actor=request.user, value_map=value_map, label=form.data.get("label", "")
        )
    except ApplicationError as error:
        messages.error(request, str(error.message))
        return redirect("impact:value_map_detail", pk=pk)
    messages.success(request, _("The snapshot has been frozen. It will not change."))
    return redirect("impact:snapshot_detail", pk=snapshot.pk)


@allow(*FINANCE_READERS)
def snapshot_detail(request: HttpRequest, pk: int) -> HttpResponse:
    snapshot = selectors.snapshot_get(actor=request.user, pk=pk)
    # Masked at display time for aggregate-only readers, whoever froze it (`selectors.snapshot_shown`).
    shown = selectors.snapshot_shown(actor=request.user, snapshot=snapshot)
    if request.GET.get("unduh"):
        # The frozen file as it is, or (aggregate-only readers) as they may see it, which its checksum no
        # longer matches: they get the masked copy with the masked results.
        text = (
            domain.to_json(shown.data | {"results": shown.results}, indent=2)
            if access.aggregates_only(request.user)
            else snapshot.data
        )
        response = HttpResponse(text + "\n", content_type="application/json; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="potret-{snapshot.pk}.json"'
        return response
    return render(
        request,
        "impact/snapshot_detail.html",
        {
            "snapshot": snapshot,
            "data": shown.data,
            "results": shown.results,
            "masked": shown.masked,
            "masked_notes": shown.notes,
        },
    )


# --- IKM ---------------------------------------------------------------------------------------------------


@allow(*FINANCE_EDITORS)
def survey_create(request: HttpRequest, pk: int) -> HttpResponse:
    program = selectors.program_get(actor=request.user, pk=pk)
    if not access.may_edit_program(request.user, program):
        raise Http404
    form = SurveyForm(request.POST or None, initial={"elements": list(domain.IKM_ELEMENT_CODES)})
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        data.pop("version")
        try:
            survey = services.survey_create(actor=request.user, program=program, data=data)
        except ApplicationError as error:
            apply_error(form, error)
        else:
            return redirect("impact:survey_detail", pk=survey.pk)
    return _form_page(
        request,
        form=form,
        title=_("New IKM survey"),
        back=reverse("impact:program_impact", args=[pk]),
        program=program,
    )


@allow(*IMPACT_READERS)
def survey_detail(request: HttpRequest, pk: int) -> HttpResponse:
    survey = selectors.survey_get(actor=request.user, pk=pk)
    can_edit = access.may_edit_program(request.user, survey.program)
    form = ResponseForm(request.POST or None, elements=survey.elements)
    if request.method == "POST":
        if not can_edit:
            raise Http404
        if form.is_valid():
            answers = {e: form.cleaned_data[e] for e in survey.elements}
            try:
                services.response_add(
                    actor=request.user,
                    survey=survey,
                    answers=answers,
                    respondent=form.cleaned_data["respondent"],
                )
            except ApplicationError as error:
                apply_error(form, error)
            else:
                messages.success(request, _("The response has been saved."))
                return redirect("impact:survey_detail", pk=pk)
    results = selectors.survey_results(actor=request.user, survey=survey)
    labels = dict(domain.IKM_ELEMENTS)
    elements = [
        (code, labels[code], results.result.element_means.get(code) if results.result else None)
        for code in survey.elements
    ]
    return render(
        request,
        "impact/survey_detail.html",
        {
            "survey": survey,
            "results": results,
            "elements": elements,
            "bands": domain.IKM_BANDS[survey.band_version],
            "form": form,
            "csv_form": FileForm(),
            "can_edit": can_edit,
        },
    )


@allow(*FINANCE_EDITORS)
@require_POST
def survey_import(request: HttpRequest, pk: int) -> HttpResponse:
    survey = selectors.survey_get(actor=request.user, pk=pk)
    form = FileForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _("Choose a CSV file to import."))
        return redirect("impact:survey_detail", pk=pk)
    upload = form.cleaned_data["file"]
    try:
        count = services.responses_import(
            actor=request.user, survey=survey, content=upload.read(MAX_CSV + 1), name=upload.name or ""
        )
    except ApplicationError as error:
        messages.error(request, str(error.message))
    else:
        messages.success(
            request, ngettext("%(n)s response imported.", "%(n)s responses imported.", count) % {"n": count}
        )
    return redirect("impact:survey_detail", pk=pk)
