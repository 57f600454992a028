"""Forms for users and organisations. They validate input; services decide and write."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm, PasswordChangeForm, SetPasswordForm
from django.utils.translation import gettext_lazy as _

from sinergi.accounts.choices import OrganisationKind, Role, UnitKind
from sinergi.accounts.models import Organisation
from sinergi.core.forms import StyledForm, StyledFormMixin
from sinergi.regions.models import District, Province, Regency


class LoginForm(StyledFormMixin, AuthenticationForm):
    """Username and password."""

    error_messages = {
        "invalid_login": _(
            "The username or password is wrong. Check both (passwords are case-sensitive) and try again. "
            "After %(limit)s wrong attempts the account is locked for %(minutes)s minutes."
        ),
        "inactive": _("This account has been deactivated. Ask your administrator."),
    }

    def get_invalid_login_error(self) -> forms.ValidationError:
        return forms.ValidationError(
            self.error_messages["invalid_login"],
            code="invalid_login",
            params={
                "limit": settings.AXES_FAILURE_LIMIT,
                "minutes": int(settings.AXES_COOLOFF_TIME.total_seconds() // 60),
            },
        )


class SinergiPasswordChangeForm(StyledFormMixin, PasswordChangeForm):
    """Old password, new password twice."""


class SinergiSetPasswordForm(StyledFormMixin, SetPasswordForm):
    """New password twice (from an administrator's reset link)."""


class VersionedForm(StyledForm):
    """Carries the version the user started from, so a concurrent save becomes a visible conflict."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class UserForm(VersionedForm):
    """Create or edit a user."""

    username = forms.CharField(label=_("Username"), max_length=150)
    full_name = forms.CharField(label=_("Full name"), max_length=150)
    email = forms.EmailField(label=_("E-mail"), required=False)
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)
    organisation = forms.ModelChoiceField(
        label=_("Organisation"),
        queryset=Organisation.objects.filter(is_active=True).order_by("kind", "name"),
        required=False,
        help_text=_("Required for every role except system administrator and monitor."),
    )
    is_active = forms.BooleanField(label=_("Active (may log in)"), required=False, initial=True)

    def __init__(self, *args: Any, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if editing:
            self.fields["username"].disabled = True
        else:
            del self.fields["is_active"]


class PasswordSetForm(StyledForm):
    """An administrator sets a new password for a user."""

    password = forms.CharField(
        label=_("New password"),
        widget=forms.PasswordInput,
        strip=False,
        help_text=_("At least 10 characters; not only digits; not a common password."),
    )


class TokenForm(StyledForm):
    """A new API token: a name saying what uses it, and how long it lasts."""

    name = forms.CharField(
        label=_("Name"),
        max_length=100,
        help_text=_("What will use the token, for example “Laporan bulanan Excel”."),
    )
    days = forms.IntegerField(
        label=_("Valid for (days)"), min_value=1, max_value=366, initial=90, help_text=_("1 to 366 days.")
    )


class OrganisationForm(VersionedForm):
    """Create or edit an organisation."""

    kind = forms.ChoiceField(label=_("Kind"), choices=OrganisationKind.choices)
    name = forms.CharField(label=_("Name"), max_length=200)
    code = forms.CharField(
        label=_("Code"),
        max_length=40,
        required=False,
        help_text=_("Short unique code, for example LAPAS-PLG-I. Used in imports."),
    )
    unit_kind = forms.ChoiceField(
        label=_("Unit kind"), choices=[("", "—"), *UnitKind.choices], required=False
    )
    regional_office = forms.ModelChoiceField(
        label=_("Kanwil"),
        queryset=Organisation.objects.filter(kind=OrganisationKind.KANWIL),
        required=False,
        help_text=_("For a correctional unit: the Kanwil it reports to."),
    )
    province = forms.ModelChoiceField(label=_("Province"), queryset=Province.objects.all(), required=False)
    regency = forms.ModelChoiceField(
        label=_("Regency or city"), queryset=Regency.objects.select_related("province"), required=False
    )
    district = forms.CharField(
        label=_("District code"),
        required=False,
        max_length=8,
        help_text=_("Kemendagri code such as 16.07.01; look it up under Regions."),
    )
    service_regencies = forms.ModelMultipleChoiceField(
        label=_("Regencies served (Bapas)"),
        queryset=Regency.objects.all(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Unit-only fields are hidden in the browser unless Kind is "correctional unit" (app.js).
        for name in ("unit_kind", "regional_office", "service_regencies"):
            self.fields[name].widget.attrs["data-show-when-kind"] = OrganisationKind.UNIT

    def clean_district(self) -> District | None:
        code = (self.cleaned_data.get("district") or "").strip()
        if not code:
            return None
        district = District.objects.filter(code=code).first()
        if district is None:
            raise forms.ValidationError(
                _("District code %(code)s does not exist. Use the Kemendagri code, for example 16.07.01."),
                params={"code": code},
            )
        return district
