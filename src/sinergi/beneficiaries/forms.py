"""Forms for the registry: search, a person with a first episode, another episode, consent, import."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sinergi.accounts.choices import OrganisationKind
from sinergi.accounts.models import Organisation
from sinergi.beneficiaries import domain
from sinergi.beneficiaries.choices import ConsentPurpose, CustodyStatus, IntegrationKind, RiskLevel, Sex
from sinergi.core.forms import DateInput, StyledForm
from sinergi.regions.models import District, Village


def _add_problems(form: forms.Form, problems: dict[str, str]) -> None:
    """Put domain problems next to their fields (or above the form when the field is not on it)."""
    for name, message in problems.items():
        if name in form.fields and name not in form.errors:
            form.add_error(name, message)
        elif name not in form.fields:
            form.add_error(None, message)


class PersonForm(StyledForm):
    """A person's details. Domicile is a district code (and optionally a village code)."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    full_name = forms.CharField(label=_("Name"), max_length=domain.MAX_LENGTHS["full_name"])
    nik = forms.CharField(
        label=_("NIK"),
        max_length=30,
        required=False,
        help_text=_("16 digits. Stored encrypted; shown masked."),
    )
    sex = forms.ChoiceField(label=_("Sex"), choices=Sex.choices)
    birth_date = forms.DateField(label=_("Birth date"), widget=DateInput)
    birth_place = forms.CharField(
        label=_("Place of birth"), max_length=domain.MAX_LENGTHS["birth_place"], required=False
    )
    education = forms.CharField(
        label=_("Education"), max_length=domain.MAX_LENGTHS["education"], required=False
    )
    prior_occupation = forms.CharField(
        label=_("Prior occupation"), max_length=domain.MAX_LENGTHS["prior_occupation"], required=False
    )
    phone = forms.CharField(label=_("Phone"), max_length=domain.MAX_LENGTHS["phone"], required=False)
    address = forms.CharField(
        label=_("Domicile address"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    domicile_district = forms.CharField(
        label=_("Domicile district code"),
        max_length=8,
        help_text=_("Kemendagri code, for example 16.71.14 (Plaju)."),
    )
    domicile_village = forms.CharField(label=_("Domicile village code"), max_length=13, required=False)
    offence_category = forms.CharField(
        label=_("Offence category"), max_length=domain.MAX_LENGTHS["offence_category"], required=False
    )
    risk_level = forms.ChoiceField(
        label=_("Risk level"), choices=[("", "—"), *RiskLevel.choices], required=False
    )

    def __init__(
        self, *args: Any, show_sensitive: bool = True, custody_start: dt.date | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.custody_start = custody_start
        if not show_sensitive:
            for name in ("nik", "offence_category", "risk_level"):
                del self.fields[name]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        _add_problems(
            self,
            domain.person_date_problems(
                birth_date=data.get("birth_date"),
                today=timezone.localdate(),
                custody_start=data.get("start_date") or self.custody_start,
            ),
        )
        return data

    def clean_domicile_district(self) -> District:
        code = self.cleaned_data["domicile_district"].strip()
        district = District.objects.filter(code=code).first()
        if district is None:
            raise forms.ValidationError(_("District code %(code)s does not exist."), params={"code": code})
        return district

    def clean_domicile_village(self) -> Village | None:
        code = (self.cleaned_data.get("domicile_village") or "").strip()
        if not code:
            return None
        village = Village.objects.filter(code=code).first()
        if village is None:
            raise forms.ValidationError(_("Village code %(code)s does not exist."), params={"code": code})
        return village


class EpisodeForm(StyledForm):
    """A custody episode at a unit."""

    unit = forms.ModelChoiceField(label=_("Unit"), queryset=Organisation.objects.none())
    registration_number = forms.CharField(
        label=_("Registration number"), max_length=domain.MAX_LENGTHS["registration_number"]
    )
    status = forms.ChoiceField(label=_("Status"), choices=CustodyStatus.choices)
    start_date = forms.DateField(
        label=_("Sentence start (detention start)"), widget=DateInput, required=False
    )
    sentence_years = forms.IntegerField(label=_("Sentence: years"), min_value=0, max_value=99, required=False)
    sentence_months = forms.IntegerField(
        label=_("Sentence: months"), min_value=0, max_value=11, required=False
    )
    sentence_days = forms.IntegerField(label=_("Sentence: days"), min_value=0, max_value=30, required=False)
    remission_days = forms.IntegerField(label=_("Remission (days)"), min_value=0, required=False)
    release_date = forms.DateField(label=_("Release date"), widget=DateInput, required=False)

    def __init__(
        self,
        *args: Any,
        unit_ids: frozenset[int] | None = None,
        birth_date: dt.date | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.person_birth_date = birth_date
        units = Organisation.objects.filter(kind=OrganisationKind.UNIT).order_by("name")
        if unit_ids is not None:
            units = units.filter(pk__in=unit_ids)
        self.fields["unit"].queryset = units  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        status = data.get("status")
        if status in (CustodyStatus.PRISONER, CustodyStatus.JUVENILE, CustodyStatus.CLIENT) and not data.get(
            "start_date"
        ):
            self.add_error("start_date", _("Required for this status."))
        sentence = any(data.get(k) for k in ("sentence_years", "sentence_months", "sentence_days"))
        if status == CustodyStatus.PRISONER and not sentence:
            self.add_error("sentence_years", _("A prisoner's sentence length is required."))
        if status == CustodyStatus.RELEASED and not data.get("release_date"):
            self.add_error("release_date", _("Required for status bebas."))
        today = timezone.localdate()
        _add_problems(
            self,
            domain.episode_date_problems(
                start_date=data.get("start_date"), release_date=data.get("release_date"), today=today
            ),
        )
        if self.person_birth_date and data.get("start_date") and "start_date" not in self.errors:
            age = domain.person_date_problems(
                birth_date=self.person_birth_date, today=today, custody_start=data["start_date"]
            )
            _add_problems(self, {"start_date": age["birth_date"]} if age else {})
        return data


class PersonCreateForm(PersonForm, EpisodeForm):
    """A new person with their first custody episode; both classes' checks run (every error at once)."""


class ConsentForm(StyledForm):
    purpose = forms.ChoiceField(label=_("Purpose"), choices=ConsentPurpose.choices)
    given_on = forms.DateField(label=_("Given on"), widget=DateInput)
    evidence = forms.CharField(
        label=_("Evidence"),
        max_length=domain.MAX_LENGTHS["evidence"],
        help_text=_("For example the number of the signed consent form."),
    )

    def __init__(self, *args: Any, custody_start: dt.date | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.custody_start = custody_start

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("given_on"):
            problems = domain.consent_date_problems(
                given_on=data["given_on"], today=timezone.localdate(), custody_start=self.custody_start
            )
            _add_problems(self, problems)
        return data


class IntegrationForm(StyledForm):
    """Asimilasi, PB, CB or CMB for one custody episode."""

    episode = forms.TypedChoiceField(label=_("Custody episode"), coerce=int)
    kind = forms.ChoiceField(label=_("Integration"), choices=IntegrationKind.choices)
    date = forms.DateField(label=_("Date"), widget=DateInput)
    approved = forms.BooleanField(label=_("Approved by the TPP"), required=False)
    reference = forms.CharField(
        label=_("TPP decision reference"),
        max_length=domain.MAX_LENGTHS["board_reference"],
        required=False,
        help_text=_("Required for PB."),
    )
    override_reason = forms.CharField(
        label=_("Reason to record it before the rules allow it"),
        max_length=300,
        required=False,
        help_text=_("Administrators only; recorded in the audit trail."),
    )

    def __init__(
        self, *args: Any, episodes: list[Any] | None = None, may_override: bool = False, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["episode"].choices = [  # type: ignore[attr-defined]
            (e.pk, f"{e.registration_number} · {e.unit.name}") for e in episodes or []
        ]
        if not may_override:
            del self.fields["override_reason"]


class ImportForm(StyledForm):
    file = forms.FileField(
        label=_("Registry file (CSV or XLSX)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx"}),
    )
