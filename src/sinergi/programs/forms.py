"""Forms for programs, screening, cohorts, schedules, sessions, assessments and certificates."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from sinergi.accounts.choices import OrganisationKind, Role, UnitKind
from sinergi.accounts.models import Organisation, User
from sinergi.beneficiaries.choices import CustodyStatus, RiskLevel, Sex
from sinergi.core.forms import DateInput, StyledForm
from sinergi.partnerships.choices import ProgramType
from sinergi.programs.choices import AssessmentKind, Pillar, WithdrawalReason
from sinergi.programs.domain import RuleError, parse_rule

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


AGE_ORDER = _("The oldest age (%(high)s) is below the youngest age (%(low)s).")
RELEASE_ORDER = _(
    "The most days left to release (%(high)s) are fewer than the fewest days left to release (%(low)s)."
)


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
    # The eligibility rule, field by field (stored as the same JSON rule the command line reads).
    rule_districts = forms.MultipleChoiceField(
        label=_("Rule: domicile districts"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("The agreement's ring areas. Tick at least one."),
    )
    rule_statuses = forms.MultipleChoiceField(
        label=_("Rule: custody statuses"),
        choices=CustodyStatus.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    rule_sexes = forms.MultipleChoiceField(
        label=_("Rule: sex"), choices=Sex.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    rule_age_min = forms.IntegerField(
        label=_("Rule: youngest age"), min_value=0, max_value=120, required=False
    )
    rule_age_max = forms.IntegerField(label=_("Rule: oldest age"), min_value=0, max_value=120, required=False)
    rule_release_min = forms.IntegerField(
        label=_("Rule: fewest days left to release"), min_value=0, required=False
    )
    rule_release_max = forms.IntegerField(
        label=_("Rule: most days left to release"),
        min_value=0,
        required=False,
        help_text=_("For example 730 for people released within two years."),
    )
    rule_exclude_offences = forms.CharField(
        label=_("Rule: excluded offence categories"),
        required=False,
        help_text=_("Separated by commas, for example: Narkotika, Terorisme"),
    )
    rule_max_risk = forms.ChoiceField(
        label=_("Rule: highest risk level"), required=False, choices=[("", _("no limit")), *RiskLevel.choices]
    )
    rule_requires_consent = forms.BooleanField(
        label=_("Rule: consent for participation required"), required=False
    )

    def __init__(self, *args: Any, districts: list[tuple[str, str]] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["rule_districts"].choices = districts or []  # type: ignore[attr-defined]

    @staticmethod
    def rule_initial(rule: dict[str, Any]) -> dict[str, Any]:
        """Form values for a stored rule."""
        age = rule.get("age") or [None, None]
        window = rule.get("release_within_days") or [None, None]
        return {
            "rule_districts": rule.get("districts", []),
            "rule_statuses": rule.get("statuses", []),
            "rule_sexes": rule.get("sexes", ["L", "P"]),
            "rule_age_min": age[0],
            "rule_age_max": age[1],
            "rule_release_min": window[0],
            "rule_release_max": window[1],
            "rule_exclude_offences": ", ".join(rule.get("exclude_offences") or []),
            "rule_max_risk": rule.get("max_risk") or "",
            "rule_requires_consent": bool(rule.get("requires_consent")),
        }

    def clean(self) -> dict[str, Any]:
        """Check the rule field by field, so every problem shows at once under its own field in plain words
        (the JSON rule's key names are for the rule file and the API, not for this page)."""
        data = super().clean() or {}

        def pair(low: str, high: str, message: Any) -> list[int] | None:
            a, b = data.get(low), data.get(high)
            if a is not None and b is not None and a > b:
                self.add_error(high, message % {"low": a, "high": b})
            if a is None and b is None:
                return None
            return [a if a is not None else 0, b if b is not None else 100000]

        rule = {
            "districts": data.get("rule_districts") or [],
            "statuses": data.get("rule_statuses") or [],
            "sexes": data.get("rule_sexes") or ["L", "P"],
            "age": pair("rule_age_min", "rule_age_max", AGE_ORDER),
            "release_within_days": pair("rule_release_min", "rule_release_max", RELEASE_ORDER),
            "exclude_offences": list(
                dict.fromkeys(
                    o.strip() for o in (data.get("rule_exclude_offences") or "").split(",") if o.strip()
                )
            ),
            "max_risk": data.get("rule_max_risk") or None,
            "requires_consent": bool(data.get("rule_requires_consent")),
        }
        if not rule["districts"] and "rule_districts" not in self.errors:
            self.add_error("rule_districts", _("Tick at least one district."))
        if not rule["statuses"] and "rule_statuses" not in self.errors:
            self.add_error("rule_statuses", _("Tick at least one custody status."))
        if not any(name.startswith("rule_") for name in self.errors):
            try:
                parse_rule(rule)  # the same rule the file and the API read; a safety net for the checks above
            except RuleError as exc:
                self.add_error(None, str(exc))
        data["rule"] = rule
        return data

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
    version = forms.IntegerField(widget=forms.HiddenInput)


class RescheduleForm(StyledForm):
    version = forms.IntegerField(widget=forms.HiddenInput)
    to = forms.DateField(label=_("New date"), widget=DateInput)


class AssessmentForm(StyledForm):
    kind = forms.ChoiceField(label=_("Assessment"), choices=AssessmentKind.choices)
    score = forms.DecimalField(label=_("Score (0–100)"), min_value=0, max_value=100, decimal_places=2)
    assessor = forms.CharField(label=_("Assessor"), max_length=150)
    assessed_on = forms.DateField(label=_("Date"), widget=DateInput)


class RevokeForm(StyledForm):
    on = forms.DateField(label=_("Revoked on"), widget=DateInput)
    reason = forms.CharField(label=_("Reason"), max_length=300)


class AssessmentCorrectForm(StyledForm):
    score = forms.DecimalField(label=_("Score (0–100)"), min_value=0, max_value=100, decimal_places=2)
    assessed_on = forms.DateField(label=_("Date"), widget=DateInput)
    reason = forms.CharField(label=_("Reason"), max_length=300)


class AssessmentVoidForm(StyledForm):
    reason = forms.CharField(label=_("Reason"), max_length=300)


class CertificateForm(StyledForm):
    issuer = forms.CharField(label=_("Issuer (for example an LSP or BLK)"), max_length=200)
    number = forms.CharField(label=_("Certificate number"), max_length=100)
    competency = forms.CharField(label=_("Competency"), max_length=200)
    issued_on = forms.DateField(label=_("Issued on"), widget=DateInput)
    expires_on = forms.DateField(label=_("Expires on"), widget=DateInput, required=False)
    document = forms.FileField(label=_("Scanned certificate (PDF, JPG or PNG)"), required=False)
