"""Forms for programs, screening, cohorts, schedules, sessions, assessments and certificates."""

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from sinergi.accounts.choices import OrganisationKind, Role, UnitKind
from sinergi.accounts.models import Organisation, User
from sinergi.core.forms import DateInput, StyledForm
from sinergi.partnerships.choices import ProgramType
from sinergi.programs.choices import AssessmentKind, Pillar, WithdrawalReason

WEEKDAYS = [
    (0, _("Monday")),
    (1, _("Tuesday")),
    (2, _("Wednesday")),
    (3, _("Thursday")),
    (4, _("Friday")),
    (5, _("Saturday")),
    (6, _("Sunday")),
]


class TimeInput(forms.TimeInput):
    input_type = "time"


class ProgramForm(StyledForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    name = forms.CharField(label=_("Name"), max_length=200)
    program_type = forms.ChoiceField(label=_("Type"), choices=[("", "—"), *ProgramType.choices])
    pillar = forms.ChoiceField(label=_("TJSL pillar"), choices=[("", "—"), *Pillar.choices])
    sdg_targets = forms.CharField(
        label=_("SDG targets"),
        required=False,
        help_text=_("Goal numbers separated by commas, for example 1, 4, 8."),
    )
    objectives = forms.CharField(
        label=_("Objectives"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    kpi_participants = forms.IntegerField(label=_("Target participants"), min_value=0)
    kpi_completion_rate = forms.IntegerField(
        label=_("Target completion rate (%)"), min_value=0, max_value=100
    )
    kpi_certification_rate = forms.IntegerField(
        label=_("Target certification rate (%)"), min_value=0, max_value=100
    )
    start_date = forms.DateField(label=_("Start date"), widget=DateInput)
    end_date = forms.DateField(label=_("End date"), widget=DateInput)
    modules = forms.CharField(
        label=_("Curriculum modules"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("One module per line: title; hours. For example: Menjahit dasar; 24"),
    )
    rule = forms.CharField(
        label=_("Eligibility rule (JSON)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4, "spellcheck": "false"}),
        help_text=_("Leave empty to use the agreement's ring districts and sentenced prisoners."),
    )

    def clean_sdg_targets(self) -> list[int]:
        text = self.cleaned_data.get("sdg_targets") or ""
        parts = [p.strip() for p in text.replace(";", ",").split(",") if p.strip()]
        if any(not p.isdigit() or not 1 <= int(p) <= 17 for p in parts):
            raise forms.ValidationError(_("SDG targets are numbers from 1 to 17, separated by commas."))
        return sorted({int(p) for p in parts})

    def clean_modules(self) -> list[tuple[str, int]]:
        modules = []
        for number, line in enumerate((self.cleaned_data.get("modules") or "").splitlines(), start=1):
            if not line.strip():
                continue
            title, _sep, hours = line.rpartition(";")
            if not title.strip() or not hours.strip().isdigit():
                raise forms.ValidationError(
                    _(
                        "Line %(n)s: write the title, a semicolon and the hours, "
                        "for example: Menjahit dasar; 24"
                    ),
                    params={"n": number},
                )
            modules.append((title.strip(), int(hours.strip())))
        return modules

    def clean_rule(self) -> dict[str, Any] | None:
        text = (self.cleaned_data.get("rule") or "").strip()
        if not text:
            return None
        try:
            value = json.loads(text)
        except json.JSONDecodeError as exc:
            raise forms.ValidationError(
                _("The rule is not valid JSON: %(error)s"), params={"error": exc}
            ) from exc
        return value if isinstance(value, dict) else {"_": value}


class ScreenForm(StyledForm):
    as_of = forms.DateField(label=_("As of"), widget=DateInput)


class ApproveForm(StyledForm):
    decided_on = forms.DateField(label=_("TPP decision date"), widget=DateInput)
    reference = forms.CharField(label=_("TPP decision reference"), max_length=100)


class CohortForm(StyledForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    name = forms.CharField(label=_("Name"), max_length=200)
    unit = forms.ModelChoiceField(
        label=_("Unit"),
        queryset=Organisation.objects.filter(kind=OrganisationKind.UNIT)
        .exclude(unit_kind=UnitKind.BAPAS)
        .order_by("name"),
    )
    start_date = forms.DateField(label=_("Start date"), widget=DateInput)
    end_date = forms.DateField(label=_("End date"), widget=DateInput)
    capacity = forms.IntegerField(label=_("Capacity"), min_value=1, max_value=500)
    facilitators = forms.ModelMultipleChoiceField(
        label=_("Facilitators"),
        required=False,
        queryset=User.objects.filter(role=Role.FACILITATOR, is_active=True).order_by("full_name"),
        widget=forms.SelectMultiple(attrs={"size": 4}),
    )


class ScheduleForm(StyledForm):
    weekdays = forms.TypedMultipleChoiceField(
        label=_("Days of the week"), choices=WEEKDAYS, coerce=int, widget=forms.CheckboxSelectMultiple
    )
    start_time = forms.TimeField(label=_("From"), widget=TimeInput)
    end_time = forms.TimeField(label=_("To"), widget=TimeInput)
    from_date = forms.DateField(label=_("First date"), widget=DateInput)
    to_date = forms.DateField(label=_("Last date"), widget=DateInput)


class WithdrawForm(StyledForm):
    reason = forms.ChoiceField(label=_("Reason"), choices=WithdrawalReason.choices)


class ReleaseForm(StyledForm):
    kind = forms.ChoiceField(
        label=_("Release"),
        choices=[("bebas", _("Released (bebas)")), ("pb", "PB"), ("cb", "CB"), ("cmb", "CMB")],
    )
    on = forms.DateField(label=_("Date"), widget=DateInput)
    reference = forms.CharField(label=_("TPP decision reference"), max_length=100, required=False)


class RescheduleForm(StyledForm):
    version = forms.IntegerField(widget=forms.HiddenInput)
    to = forms.DateField(label=_("New date"), widget=DateInput)


class AssessmentForm(StyledForm):
    kind = forms.ChoiceField(label=_("Assessment"), choices=AssessmentKind.choices)
    score = forms.DecimalField(label=_("Score (0–100)"), min_value=0, max_value=100, decimal_places=2)
    assessor = forms.CharField(label=_("Assessor"), max_length=150)
    assessed_on = forms.DateField(label=_("Date"), widget=DateInput)


class CertificateForm(StyledForm):
    issuer = forms.CharField(label=_("Issuer (for example an LSP or BLK)"), max_length=200)
    number = forms.CharField(label=_("Certificate number"), max_length=100)
    competency = forms.CharField(label=_("Competency"), max_length=200)
    issued_on = forms.DateField(label=_("Issued on"), widget=DateInput)
    expires_on = forms.DateField(label=_("Expires on"), widget=DateInput, required=False)
    document = forms.FileField(label=_("Scanned certificate (PDF, JPG or PNG)"), required=False)
