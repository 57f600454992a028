"""Forms for finance, value maps, IKM surveys and SDG targets. They validate input; services decide."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from sinergi.accounts.models import Organisation
from sinergi.core.forms import DateInput, StyledForm
from sinergi.impact.choices import BudgetCategory, InKindKind, InputsSource
from sinergi.impact.domain import IKM_ELEMENTS
from sinergi.impact.models import BudgetLine

RUPIAH_HELP = _("Whole rupiah, without dots: 1500000.")
FRACTION_HELP = _("A fraction from 0 to 1: 0.25 means 25%.")


class VersionedStyledForm(StyledForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


def party_organisations(agreement: Any) -> QuerySet[Organisation]:
    """The parties of an agreement and of its parent: who funds, pays or contributes."""
    ids = [agreement.pk] + ([agreement.parent_id] if agreement.parent_id else [])
    return Organisation.objects.filter(agreement_parties__agreement_id__in=ids).distinct().order_by("name")


class BudgetLineForm(VersionedStyledForm):
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    category = forms.ChoiceField(label=_("Category"), choices=[("", "—"), *BudgetCategory.choices])
    description = forms.CharField(label=_("Description"), max_length=200, required=False)
    amount = forms.IntegerField(label=_("Budget (rupiah)"), help_text=RUPIAH_HELP)
    funder = forms.ModelChoiceField(label=_("Funded by"), queryset=Organisation.objects.none())

    def __init__(self, *args: Any, organisations: QuerySet[Organisation], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["funder"].queryset = organisations  # type: ignore[attr-defined]


class ExpenditureForm(VersionedStyledForm):
    budget_line = forms.ModelChoiceField(
        label=_("Budget line"), queryset=BudgetLine.objects.none(), required=False
    )
    spent_on = forms.DateField(label=_("Date"), widget=DateInput)
    amount = forms.IntegerField(label=_("Amount (rupiah)"), help_text=RUPIAH_HELP)
    description = forms.CharField(label=_("Description"), max_length=300)
    paid_by = forms.ModelChoiceField(label=_("Paid by"), queryset=Organisation.objects.none())
    receipt = forms.FileField(
        label=_("Receipt scan"), required=False, help_text=_("PDF, JPG or PNG, at most 10 MB.")
    )

    def __init__(self, *args: Any, lines: Any, organisations: QuerySet[Organisation], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["budget_line"].queryset = lines  # type: ignore[attr-defined]
        self.fields["paid_by"].queryset = organisations  # type: ignore[attr-defined]


class InKindForm(VersionedStyledForm):
    contributor = forms.ModelChoiceField(label=_("Contributor"), queryset=Organisation.objects.none())
    kind = forms.ChoiceField(label=_("Kind"), choices=[("", "—"), *InKindKind.choices])
    description = forms.CharField(label=_("Description"), max_length=300)
    contributed_on = forms.DateField(label=_("Date"), widget=DateInput)
    value = forms.IntegerField(label=_("Value (rupiah)"), help_text=RUPIAH_HELP)
    valuation_basis = forms.CharField(
        label=_("Basis of the valuation"),
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("For example: 2 rooms × 30 days × Rp 100.000 per day (the local rental rate)."),
    )

    def __init__(self, *args: Any, organisations: QuerySet[Organisation], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["contributor"].queryset = organisations  # type: ignore[attr-defined]


class ValueMapForm(VersionedStyledForm):
    title = forms.CharField(label=_("Title"), max_length=200)
    stakeholders = forms.CharField(
        label=_("Stakeholders"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One per line: for example participants, their families, the community."),
    )
    discount_rate = forms.DecimalField(
        label=_("Discount rate"),
        min_value=0,
        max_value=1,
        decimal_places=5,
        initial="0.035",
        help_text=_("A fraction: 0.035 means 3.5% a year."),
    )
    inputs_source = forms.ChoiceField(label=_("Inputs"), choices=InputsSource.choices)
    inputs_manual = forms.IntegerField(label=_("Inputs entered by hand (rupiah)"), required=False)
    period_start = forms.DateField(label=_("Period from"), widget=DateInput, required=False)
    period_end = forms.DateField(label=_("Period to"), widget=DateInput, required=False)

    def clean_stakeholders(self) -> list[str]:
        return [line.strip() for line in self.cleaned_data["stakeholders"].splitlines() if line.strip()]


class OutcomeForm(VersionedStyledForm):
    stakeholder = forms.CharField(label=_("Stakeholder"), max_length=200, required=False)
    name = forms.CharField(label=_("Outcome"), max_length=200)
    indicator = forms.CharField(label=_("Indicator"), max_length=300, required=False)
    quantity = forms.DecimalField(label=_("Quantity"), decimal_places=2)
    quantity_source = forms.CharField(label=_("Source of the quantity"), max_length=300, required=False)
    proxy = forms.DecimalField(label=_("Financial proxy (rupiah)"), decimal_places=2)
    proxy_source = forms.CharField(label=_("Source of the proxy"), max_length=300, required=False)
    duration = forms.IntegerField(label=_("Duration (years)"))
    drop_off = forms.DecimalField(label=_("Drop-off"), decimal_places=5, help_text=FRACTION_HELP)
    deadweight = forms.DecimalField(label=_("Deadweight"), decimal_places=5, help_text=FRACTION_HELP)
    deadweight_source = forms.CharField(label=_("Source of the deadweight"), max_length=300, required=False)
    displacement = forms.DecimalField(label=_("Displacement"), decimal_places=5, help_text=FRACTION_HELP)
    attribution = forms.DecimalField(label=_("Attribution"), decimal_places=5, help_text=FRACTION_HELP)


class FileForm(StyledForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    file = forms.FileField(label=_("File"))


class FreezeForm(StyledForm):
    label = forms.CharField(
        label=_("Report"), max_length=200, help_text=_("For example: TJSL report 2022 or PROPER 2023.")
    )


class SurveyForm(VersionedStyledForm):
    title = forms.CharField(label=_("Title"), max_length=200)
    conducted_from = forms.DateField(label=_("Survey from"), widget=DateInput)
    conducted_to = forms.DateField(label=_("Survey until"), widget=DateInput)
    elements = forms.MultipleChoiceField(
        label=_("Elements"), choices=IKM_ELEMENTS, widget=forms.CheckboxSelectMultiple
    )


class ResponseForm(StyledForm):
    respondent = forms.CharField(
        label=_("Respondent code"),
        max_length=40,
        required=False,
        help_text=_("No names: a code such as R-012."),
    )

    def __init__(self, *args: Any, elements: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        labels = dict(IKM_ELEMENTS)
        for code in elements:
            self.fields[code] = forms.TypedChoiceField(
                label=f"{code}. {labels[code]}",
                choices=[("", "—"), ("1", "1"), ("2", "2"), ("3", "3"), ("4", "4")],
                coerce=int,
            )
            self.fields[code].widget.attrs["class"] = "form-select"


class SdgForm(StyledForm):
    expected = forms.CharField(widget=forms.HiddenInput, required=False)
    targets = forms.CharField(
        label=_("SDG targets"),
        required=False,
        help_text=_("Official target codes separated by commas, for example 1.2, 4.4, 8.5, 16.3."),
    )

    def codes(self, name: str) -> list[str]:
        return [c.strip() for c in (self.cleaned_data.get(name) or "").split(",") if c.strip()]
