"""Forms for agreements: fields, parties (a small formset), ring districts and documents."""

from __future__ import annotations

from typing import Any

from django import forms
from django.forms import formset_factory
from django.utils.translation import gettext_lazy as _

from sinergi.accounts.models import Organisation
from sinergi.core.forms import DateInput, StyledForm
from sinergi.partnerships.choices import AgreementKind, DocumentKind, PartyRole, ProgramType


class AgreementForm(StyledForm):
    """The agreement's own fields. Parties and districts come from their own inputs."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    kind = forms.ChoiceField(label=_("Kind"), choices=AgreementKind.choices)
    parent = forms.TypedChoiceField(
        label=_("Under agreement"),
        required=False,
        coerce=int,
        empty_value=None,
        help_text=_("For a PKS, addendum or renewal: the agreement it belongs to."),
    )
    number = forms.CharField(label=_("Number"), max_length=100)
    title = forms.CharField(label=_("Title"), max_length=300)
    signed_on = forms.DateField(
        label=_("Date signed"),
        required=False,
        widget=DateInput,
        help_text=_("Leave empty while the agreement is still a draft."),
    )
    signed_place = forms.CharField(label=_("Place signed"), max_length=200, required=False)
    start_date = forms.DateField(label=_("Start date"), widget=DateInput)
    end_date = forms.DateField(
        label=_("End date"),
        required=False,
        widget=DateInput,
        help_text=_("Or leave empty and give the duration below."),
    )
    duration_years = forms.IntegerField(label=_("Duration: years"), required=False, min_value=0, max_value=50)
    duration_months = forms.IntegerField(
        label=_("Duration: months"), required=False, min_value=0, max_value=11
    )
    scope = forms.CharField(label=_("Scope"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    program_types = forms.MultipleChoiceField(
        label=_("Program types covered"),
        choices=ProgramType.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(
        self, *args: Any, parents: list[tuple[int, str]] | None = None, editing: bool = False, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["parent"].choices = [("", "—"), *(parents or [])]  # type: ignore[attr-defined]
        self.fields["program_types"].widget.attrs["class"] = "form-check-input"
        if editing:
            self.fields["kind"].disabled = True


class PartyForm(StyledForm):
    """One party row."""

    organisation = forms.ModelChoiceField(
        label=_("Organisation"), queryset=Organisation.objects.filter(is_active=True), required=False
    )
    role = forms.ChoiceField(label=_("Role"), choices=[("", "—"), *PartyRole.choices], required=False)
    signatory_name = forms.CharField(label=_("Signatory"), max_length=150, required=False)
    signatory_title = forms.CharField(label=_("Signatory's title"), max_length=150, required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("organisation") and not data.get("role"):
            self.add_error("role", _("Choose this party's role."))
        if not data.get("organisation") and (data.get("signatory_name") or data.get("role")):
            self.add_error("organisation", _("Choose the organisation of this party, or clear the row."))
        return data


PartyFormSet = formset_factory(PartyForm, extra=0)


class TerminateForm(StyledForm):
    """End an agreement early."""

    version = forms.IntegerField(widget=forms.HiddenInput)
    on = forms.DateField(label=_("Terminated on"), widget=DateInput)
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}))


class DocumentForm(StyledForm):
    """Upload a scanned document (PDF, JPG or PNG, at most 10 MB)."""

    kind = forms.ChoiceField(label=_("Document"), choices=DocumentKind.choices)
    title = forms.CharField(
        label=_("Title"),
        max_length=200,
        required=False,
        help_text=_("Upload again with the same title to add a new version."),
    )
    file = forms.FileField(
        label=_("File (PDF, JPG or PNG, at most 10 MB)"),
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,image/jpeg,image/png"}),
    )
