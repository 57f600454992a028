"""Writes for finance: budget lines, expenditures (with the 90% and 100% notices), in-kind contributions."""

from __future__ import annotations

from typing import Any

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.urls import reverse
from django.utils.translation import gettext as _

from sinergi.accounts.choices import Role
from sinergi.accounts.models import Organisation, User
from sinergi.audit.services import audit_record, model_update
from sinergi.core.dates import long_date
from sinergi.impact import domain, selectors
from sinergi.impact.choices import BudgetCategory, InKindKind
from sinergi.impact.models import BudgetAlert, BudgetLine, Expenditure, InKindContribution
from sinergi.impact.services._common import (
    AMOUNT_POSITIVE,
    BASIS_REQUIRED,
    BUDGET_NOT_NEGATIVE,
    LINE_OF_OTHER_PROGRAM,
    LINE_REQUIRED,
    LINE_TAKEN,
    YEAR_OF_OTHER_LINE,
    YEAR_OUTSIDE_PROGRAM,
    check_program_editor,
    invalid,
    program_years,
    raise_problems,
    read_scan,
    whole_rupiah,
)
from sinergi.partnerships.models import AgreementParty

LINE_FIELDS = ("year", "category", "description", "amount", "funder")
EXPENDITURE_FIELDS = ("budget_line", "spent_on", "amount", "description", "paid_by")
IN_KIND_FIELDS = ("contributor", "kind", "description", "contributed_on", "value", "valuation_basis")


def _d(value: Any) -> str:
    return long_date(value)


def _user(actor: Any) -> User | None:
    return actor if isinstance(actor, User) else None


# --- Budget lines -------------------------------------------------------------------------------------


def _check_line(program: Any, data: dict[str, Any]) -> dict[str, Any]:
    errors: dict[str, str] = {}
    year = data.get("year")
    if year not in program_years(program):
        errors["year"] = str(
            YEAR_OUTSIDE_PROGRAM
            % {"start": _d(program.start_date), "end": _d(program.end_date), "year": year}
        )
    if data.get("category") not in BudgetCategory.values:
        errors["category"] = _("Choose a category.")
    amount = whole_rupiah(data.get("amount"))
    if amount is None or amount < 0:
        errors["amount"] = str(BUDGET_NOT_NEGATIVE)
    if not isinstance(data.get("funder"), Organisation):
        errors["funder"] = _("Choose the organisation that funds this line.")
    raise_problems(errors)
    return {k: v for k, v in data.items() if k in LINE_FIELDS} | {
        "amount": amount,
        "description": (data.get("description") or "").strip(),
    }


def _line_taken(data: dict[str, Any]) -> Any:
    return invalid(
        LINE_TAKEN, "description", category=BudgetCategory(data["category"]).label, year=data["year"]
    )


def budget_line_create(
    *, actor: Any, program: Any, data: dict[str, Any], synthetic: bool = False
) -> BudgetLine:
    """Plan a budget line of a program for one of its years, with its funding organisation.

    Refuses a year the program does not run, a negative amount, and a second identical line."""
    check_program_editor(actor, program)
    values = _check_line(program, data)
    try:
        with transaction.atomic():
            line = BudgetLine.objects.create(program=program, is_synthetic=synthetic, **values)
            audit_record(
                actor=actor,
                action="budget_line.create",
                target=line,
                changes={
                    "program": program.pk,
                    "year": line.year,
                    "category": line.category,
                    "amount": line.amount,
                    "funder": line.funder.name,
                },
            )
    except IntegrityError as exc:
        raise _line_taken(values) from exc
    return line


def budget_line_update(*, actor: Any, line: BudgetLine, data: dict[str, Any], version: int) -> BudgetLine:
    """Change a budget line; conflicts when someone else saved it since `version`. A higher budget does
    not send the 90%/100% notices again."""
    check_program_editor(actor, line.program)
    current = {f: getattr(line, f) for f in LINE_FIELDS}
    values = _check_line(line.program, current | data)
    try:
        with transaction.atomic():
            model_update(
                instance=line, data=values, actor=actor, action="budget_line.update", expected_version=version
            )
            _announce_thresholds(line)
    except IntegrityError as exc:
        raise _line_taken(values) from exc
    return line


# --- Expenditures -------------------------------------------------------------------------------------


def _check_expenditure(program: Any, data: dict[str, Any]) -> dict[str, Any]:
    errors: dict[str, str] = {}
    line = data.get("budget_line")
    spent_on = data.get("spent_on")
    if not isinstance(line, BudgetLine):
        errors["budget_line"] = str(LINE_REQUIRED)
    elif line.program_id != program.pk:
        errors["budget_line"] = str(LINE_OF_OTHER_PROGRAM)
    if spent_on is None:
        errors["spent_on"] = _("Enter the date of the expenditure.")
    elif spent_on.year not in program_years(program):
        errors["spent_on"] = str(
            YEAR_OUTSIDE_PROGRAM
            % {"start": _d(program.start_date), "end": _d(program.end_date), "year": spent_on.year}
        )
    elif isinstance(line, BudgetLine) and "budget_line" not in errors and line.year != spent_on.year:
        errors["budget_line"] = str(
            YEAR_OF_OTHER_LINE % {"line_year": line.year, "date": _d(spent_on), "year": spent_on.year}
        )
    amount = whole_rupiah(data.get("amount"))
    if amount is None or amount <= 0:
        errors["amount"] = str(AMOUNT_POSITIVE)
    if not (data.get("description") or "").strip():
        errors["description"] = _("Describe what was bought or paid for.")
    if not isinstance(data.get("paid_by"), Organisation):
        errors["paid_by"] = _("Choose the organisation that paid.")
    raise_problems(errors)
    return {k: v for k, v in data.items() if k in EXPENDITURE_FIELDS} | {
        "amount": amount,
        "description": data["description"].strip(),
    }


def line_spent(line: BudgetLine) -> int:
    """Realisation of a line: its expenditures, plus aid recorded in aftercare for an "equipment and aid"
    line (selectors.aid_for_line)."""
    spent = int(Expenditure.objects.filter(budget_line=line).aggregate(total=Sum("amount"))["total"] or 0)
    return spent + selectors.aid_for_line(line)


def _recipients(program: Any) -> Any:
    agreement = program.agreement
    chain = [agreement.pk] + ([agreement.parent_id] if agreement.parent_id else [])
    organisations = AgreementParty.objects.filter(agreement_id__in=chain).values("organisation_id")
    return User.objects.filter(
        is_active=True,
        organisation_id__in=organisations,
        role__in=(Role.KANWIL_OFFICER, Role.CSR_OFFICER),
    )


def _announce_thresholds(line: BudgetLine) -> list[int]:
    """Inside the writer's transaction: notify the parties' Kanwil and TJSL officers of each threshold the
    line has reached for the first time. The line row is locked so two expenditures cannot both announce."""
    from sinergi.notifications.services import notify

    BudgetLine.objects.select_for_update().filter(pk=line.pk).first()
    sent = set(BudgetAlert.objects.filter(budget_line=line).values_list("threshold", flat=True))
    spent = line_spent(line)
    due = domain.thresholds_reached(line.amount, spent, sent)
    program = line.program
    for threshold in due:
        alert = BudgetAlert.objects.create(budget_line=line, threshold=threshold)
        count = notify(
            recipients=_recipients(program),
            key=f"budget-threshold:{line.pk}:{threshold}",
            title=_("%(program)s: budget line %(line)s has reached %(threshold)s%%")
            % {"program": program.name, "line": str(line), "threshold": threshold},
            body=_("Spent %(spent)s of %(budget)s.")
            % {"spent": _money(spent), "budget": _money(line.amount)},
            link=reverse("impact:program_finance", args=[program.pk]),
            level="warning" if threshold < 100 else "danger",
        )
        BudgetAlert.objects.filter(pk=alert.pk).update(recipients=count)
        audit_record(
            actor=None,
            action="budget_line.threshold",
            target=line,
            changes={"threshold": threshold, "spent": spent, "budget": line.amount, "recipients": count},
        )
    return due


def budget_thresholds_check() -> dict[str, int]:
    """Daily (jobs.schedule "impact.budget_thresholds"): announce the 90%/100% thresholds that "equipment
    and aid" lines reached through aid recorded in aftercare, which sends no event of its own. Lines whose
    thresholds were announced already stay quiet."""
    checked = announced = 0
    for line in BudgetLine.objects.filter(category=BudgetCategory.EQUIPMENT_AID).select_related(
        "program__agreement"
    ):
        checked += 1
        with transaction.atomic():
            announced += len(_announce_thresholds(line))
    return {"checked": checked, "announced": announced}


def _money(value: int) -> str:
    return "Rp " + f"{value:,}".replace(",", ".")


def expenditure_create(
    *,
    actor: Any,
    program: Any,
    data: dict[str, Any],
    receipt: UploadedFile | None = None,
    synthetic: bool = False,
) -> Expenditure:
    """Record an expenditure against a budget line of the program, with its receipt scan (PDF, JPG or PNG,
    checked by content). Refuses an expenditure without a line, dated in a year the program does not run,
    or dated in another year than its line. Notifies once each when the line reaches 90% and 100%."""
    check_program_editor(actor, program)
    values = _check_expenditure(program, data)
    scan = read_scan(receipt) if receipt is not None else None
    with transaction.atomic():
        expenditure = Expenditure(**values, created_by=_user(actor), is_synthetic=synthetic)
        if scan is not None:
            content, content_type, suffix, checksum = scan
            expenditure.receipt_checksum = checksum
            expenditure.receipt_content_type = content_type
            expenditure.receipt_name = (receipt.name or f"kuitansi.{suffix}")[:255] if receipt else ""
            expenditure.receipt.save(f"kuitansi.{suffix}", ContentFile(content), save=False)
        expenditure.save()
        audit_record(
            actor=actor,
            action="expenditure.create",
            target=expenditure,
            changes={
                "line": expenditure.budget_line_id,
                "amount": expenditure.amount,
                "spent_on": str(expenditure.spent_on),
                "receipt": expenditure.receipt_checksum,
            },
        )
        _announce_thresholds(expenditure.budget_line)
    return expenditure


def expenditure_update(
    *, actor: Any, expenditure: Expenditure, data: dict[str, Any], version: int
) -> Expenditure:
    """Correct an expenditure; the same rules as recording it; conflicts on a stale version."""
    program = expenditure.budget_line.program
    check_program_editor(actor, program)
    current = {f: getattr(expenditure, f) for f in EXPENDITURE_FIELDS}
    values = _check_expenditure(program, current | data)
    with transaction.atomic():
        model_update(
            instance=expenditure,
            data=values,
            actor=actor,
            action="expenditure.update",
            expected_version=version,
        )
        _announce_thresholds(expenditure.budget_line)
    return expenditure


def receipt_download_record(*, actor: Any, expenditure: Expenditure) -> None:
    """Audit that the actor downloaded a receipt scan."""
    with transaction.atomic():
        audit_record(actor=actor, action="expenditure.receipt_download", target=expenditure, changes={})


# --- In-kind contributions ----------------------------------------------------------------------------


def _check_in_kind(program: Any, data: dict[str, Any]) -> dict[str, Any]:
    errors: dict[str, str] = {}
    if not isinstance(data.get("contributor"), Organisation):
        errors["contributor"] = _("Choose the partner that contributed.")
    if data.get("kind") not in InKindKind.values:
        errors["kind"] = _("Choose what kind of contribution this is.")
    if not (data.get("description") or "").strip():
        errors["description"] = _("Describe the contribution.")
    on = data.get("contributed_on")
    if on is None:
        errors["contributed_on"] = _("Enter the date of the contribution.")
    elif on.year not in program_years(program):
        errors["contributed_on"] = str(
            YEAR_OUTSIDE_PROGRAM
            % {"start": _d(program.start_date), "end": _d(program.end_date), "year": on.year}
        )
    value = whole_rupiah(data.get("value"))
    if value is None or value <= 0:
        errors["value"] = str(AMOUNT_POSITIVE)
    if not (data.get("valuation_basis") or "").strip():
        errors["valuation_basis"] = str(BASIS_REQUIRED)
    raise_problems(errors)
    return {k: v for k, v in data.items() if k in IN_KIND_FIELDS} | {
        "value": value,
        "description": data["description"].strip(),
        "valuation_basis": data["valuation_basis"].strip(),
    }


def in_kind_create(
    *, actor: Any, program: Any, data: dict[str, Any], synthetic: bool = False
) -> InKindContribution:
    """Record a contribution in kind from any partner, valued in rupiah with the basis of the valuation."""
    check_program_editor(actor, program)
    values = _check_in_kind(program, data)
    with transaction.atomic():
        contribution = InKindContribution.objects.create(program=program, is_synthetic=synthetic, **values)
        audit_record(
            actor=actor,
            action="in_kind.create",
            target=contribution,
            changes={
                "program": program.pk,
                "value": contribution.value,
                "contributor": contribution.contributor.name,
            },
        )
    return contribution


def in_kind_update(
    *, actor: Any, contribution: InKindContribution, data: dict[str, Any], version: int
) -> InKindContribution:
    """Correct an in-kind contribution; conflicts on a stale version."""
    check_program_editor(actor, contribution.program)
    current = {f: getattr(contribution, f) for f in IN_KIND_FIELDS}
    values = _check_in_kind(contribution.program, current | data)
    model_update(
        instance=contribution, data=values, actor=actor, action="in_kind.update", expected_version=version
    )
    return contribution
