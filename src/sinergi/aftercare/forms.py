"""Aftercare forms: they validate input; the services decide and write."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from sinergi.accounts.forms import VersionedForm
from sinergi.accounts.models import Organisation, User
from sinergi.aftercare.choices import (
    AidKind,
    CloseReason,
    GoalArea,
    GoalStatus,
    Housing,
    ReoffenceKind,
    ReportMode,
    Share,
    VisitMode,
    WorkStatus,
)
from sinergi.core.forms import DateInput, StyledForm
from sinergi.regions.models import Regency

YES_NO = [("", "–"), ("1", _("Yes")), ("0", _("No"))]


def _yes_no(label: Any) -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        label=label,
        choices=YES_NO,
        required=False,
        coerce=lambda v: v == "1",
        empty_value=None,
    )


class AssignForm(VersionedForm):
    pk_officer: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        label=_("PK officer"), queryset=User.objects.none(), required=False
    )
    mentor: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        label=_("Mentor"), queryset=User.objects.none(), required=False
    )
    mentor_shares = forms.MultipleChoiceField(
        label=_("The person agreed to share with the mentor"),
        choices=Share.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, officers: Any, mentors: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["pk_officer"].queryset = officers  # type: ignore[attr-defined]
        self.fields["mentor"].queryset = mentors  # type: ignore[attr-defined]


class CloseForm(VersionedForm):
    reason = forms.ChoiceField(label=_("Reason"), choices=CloseReason.choices)
    closed_on = forms.DateField(label=_("Closed on"), widget=DateInput)
    note = forms.CharField(label=_("Note"), max_length=300, required=False)


class ScheduleForm(VersionedForm):
    report_every_months = forms.IntegerField(label=_("Report every (months)"), min_value=1, max_value=6)


class GoalForm(VersionedForm):
    area = forms.ChoiceField(label=_("Area"), choices=GoalArea.choices)
    description = forms.CharField(label=_("Plan goal"), max_length=300)
    status = forms.ChoiceField(label=_("Status"), choices=GoalStatus.choices)
    target_date = forms.DateField(label=_("Target date"), widget=DateInput, required=False)


class ReportForm(StyledForm):
    reported_on = forms.DateField(label=_("Date of the report"), widget=DateInput)
    mode = forms.ChoiceField(label=_("How"), choices=ReportMode.choices)
    note = forms.CharField(label=_("Note"), max_length=300, required=False)


class VisitForm(StyledForm):
    visited_on = forms.DateField(label=_("Date"), widget=DateInput)
    mode = forms.ChoiceField(label=_("How"), choices=VisitMode.choices)
    met_with = forms.CharField(label=_("Who met"), max_length=200, required=False)
    notes = forms.CharField(label=_("Notes"), widget=forms.Textarea(attrs={"rows": 3}), required=False)
    next_steps = forms.CharField(
        label=_("Next steps"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )


class AidForm(StyledForm):
    kind = forms.ChoiceField(label=_("Kind"), choices=AidKind.choices)
    description = forms.CharField(label=_("Description"), max_length=300, required=False)
    value = forms.IntegerField(label=_("Value (Rp)"), required=False)
    given_on = forms.DateField(label=_("Date"), widget=DateInput)
    funder: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        label=_("Funder"), queryset=Organisation.objects.none(), required=False
    )
    evidence = forms.FileField(label=_("Evidence (PDF, JPG or PNG scan)"), required=False)

    def __init__(self, *args: Any, funders: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["funder"].queryset = funders  # type: ignore[attr-defined]


class FollowUpForm(VersionedForm):
    """The one-screen follow-up: works on a phone and keeps what was typed when refused."""

    done_on = forms.DateField(label=_("Date of the follow-up"), widget=DateInput)
    contacted = forms.TypedChoiceField(
        label=_("Could the person be contacted?"),
        choices=[("1", _("Yes")), ("0", _("No, could not be contacted"))],
        coerce=lambda v: v == "1",
        widget=forms.RadioSelect,
        initial="1",
    )
    work_status = forms.ChoiceField(label=_("Work"), choices=[("", "–"), *WorkStatus.choices], required=False)
    employer = forms.CharField(label=_("Employer or business type"), max_length=200, required=False)
    monthly_income = forms.IntegerField(
        label=_("Monthly income (Rp)"),
        required=False,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    business_running = _yes_no(_("Business still running"))
    business_since = forms.DateField(label=_("Business running since"), widget=DateInput, required=False)
    housing = forms.ChoiceField(label=_("Housing"), choices=[("", "–"), *Housing.choices], required=False)
    family_support = _yes_no(_("Family support"))
    health_blocks_work = _yes_no(_("Health issues that block work"))
    note = forms.CharField(label=_("Note"), widget=forms.Textarea(attrs={"rows": 2}), required=False)


class ReoffenceForm(StyledForm):
    kind = forms.ChoiceField(label=_("Kind"), choices=ReoffenceKind.choices)
    occurred_on = forms.DateField(label=_("Date"), widget=DateInput)
    reference = forms.CharField(label=_("Source and reference"), max_length=200, required=False)


class WageForm(StyledForm):
    regency: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        label=_("Regency or city"), queryset=Regency.objects.none()
    )
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    amount = forms.IntegerField(label=_("UMK (Rp per month)"))
    source = forms.CharField(label=_("Source (decree)"), max_length=300, required=False)
    is_demo = forms.BooleanField(label=_("Demo value (not from a published decree)"), required=False)

    def __init__(self, *args: Any, regencies: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["regency"].queryset = regencies  # type: ignore[attr-defined]
