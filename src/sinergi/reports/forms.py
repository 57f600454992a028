"""The dashboard filter (period, agreement, program, unit) and the joint report's parameters."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _

from sinergi.accounts.models import Organisation
from sinergi.partnerships.selectors import agreement_list
from sinergi.reports import access
from sinergi.reports.models import ReportFormat, ReportLanguage
from sinergi.reports.selectors import Filters, visible_cohorts, visible_programs

PERIOD_REVERSED = _("The period ends before it starts: swap the two dates.")
ONE_SUBJECT = _("Choose an agreement or a program (one of the two).")
#: Why a filter of the address was left out. An id that does not exist and one outside the viewer's area get
#: the same message, so the message never tells whether a record exists.
IGNORED_DATE = _("The filter “%(field)s” was ignored: “%(value)s” is not a date (write it as YYYY-MM-DD).")
IGNORED_CHOICE = _(
    "The filter “%(field)s” was ignored: “%(value)s” is not one of the choices in your work area."
)
IGNORED_PERIOD = _("The period was ignored: it ends before it starts.")


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)


def _attrs_html(attrs: dict[str, Any]) -> str:
    """Django's `django/forms/widgets/attrs.html`, written in Python."""
    return "".join(
        f" {conditional_escape(name)}"
        if value is True
        else f' {conditional_escape(name)}="{conditional_escape(str(value))}"'
        for name, value in attrs.items()
        if value is not False
    )


class ManyOptionsSelect(forms.Select):
    """Django's `Select` with the same HTML, its options written in Python instead of one template include
    each: the dashboard filter lists every program (2,000 at national scale), unit and agreement in scope,
    and rendering them through the templates took about 0.4 s of every dashboard request."""

    def render(
        self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None
    ) -> SafeString:
        widget = self.get_context(name, value, attrs)["widget"]
        if any(group_name for group_name, _options, _index in widget["optgroups"]):
            return super().render(name, value, attrs, renderer)  # groups: Django's own templates
        parts = [f'<select name="{conditional_escape(widget["name"])}"{_attrs_html(widget["attrs"])}>']
        for _group_name, options, _index in widget["optgroups"]:
            parts.extend(
                f'\n  <option value="{conditional_escape(str(option["value"]))}"'
                f"{_attrs_html(option['attrs'])}>{conditional_escape(option['label'])}</option>\n"
                for option in options
            )
        parts.append("\n</select>")
        return mark_safe("".join(parts))  # noqa: S308 - every part escaped above


class FigureFilterForm(forms.Form):
    """Narrow the dashboard's figures. The choices are what the actor may see."""

    start = forms.DateField(label=_("Period from"), required=False, widget=DateInput())
    end = forms.DateField(label=_("Period to"), required=False, widget=DateInput())
    agreement = forms.TypedChoiceField(
        label=_("Agreement"), required=False, coerce=int, empty_value=None, widget=ManyOptionsSelect
    )
    program = forms.TypedChoiceField(
        label=_("Program"), required=False, coerce=int, empty_value=None, widget=ManyOptionsSelect
    )
    unit = forms.TypedChoiceField(
        label=_("Unit"), required=False, coerce=int, empty_value=None, widget=ManyOptionsSelect
    )

    def __init__(self, *args: Any, actor: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        everything = [("", _("All"))]
        if access.role_of(actor) == "pemantau":
            del self.fields["agreement"]
        else:
            agreements = agreement_list(actor=actor).values_list("pk", "number")
            self._choices("agreement", everything + [(pk, number) for pk, number in agreements])
        programs = visible_programs(actor).values_list("pk", "name")
        self._choices("program", everything + [(pk, name) for pk, name in programs])
        units = Organisation.objects.filter(pk__in=visible_cohorts(actor).values("unit_id")).order_by("name")
        self._choices("unit", everything + [(u.pk, u.name) for u in units])
        for field in self.fields.values():
            choice = isinstance(field, forms.ChoiceField)
            field.widget.attrs["class"] = (
                "form-select form-select-sm" if choice else "form-control form-control-sm"
            )

    def _choices(self, name: str, choices: list[Any]) -> None:
        field = self.fields[name]
        assert isinstance(field, forms.ChoiceField)  # noqa: S101 - declared above
        field.choices = choices

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("start") and data.get("end") and data["start"] > data["end"]:
            raise forms.ValidationError(PERIOD_REVERSED, code="reversed")
        return data

    def filters(self) -> Filters:
        """The valid filters: an invalid one is left out (and named by `ignored`), the others still apply.
        A reversed period leaves out both dates."""
        if self.is_bound:
            self.is_valid()
        data = dict(getattr(self, "cleaned_data", {}))
        if self.has_error(NON_FIELD_ERRORS, "reversed"):
            data.pop("start", None)
            data.pop("end", None)
        return Filters(
            start=data.get("start"),
            end=data.get("end"),
            agreement=data.get("agreement"),
            program=data.get("program"),
            unit=data.get("unit"),
        )

    def ignored(self) -> list[str]:
        """One message per filter of the address that was left out, and why, in the viewer's language."""
        if not self.is_bound or self.is_valid():
            return []
        messages = []
        for name, field in self.fields.items():
            if name not in self.errors:
                continue
            value = str(self.data.get(name, ""))[:40]
            template = IGNORED_CHOICE if isinstance(field, forms.ChoiceField) else IGNORED_DATE
            messages.append(str(template) % {"field": field.label, "value": value})
        if self.has_error(NON_FIELD_ERRORS, "reversed"):
            messages.append(str(IGNORED_PERIOD))
        return messages


class ReportForm(forms.Form):
    """Parameters of a joint report: an agreement or a program, the period, format, language and notes."""

    agreement = forms.TypedChoiceField(
        label=_("Agreement"), required=False, coerce=int, empty_value=None, widget=ManyOptionsSelect
    )
    program = forms.TypedChoiceField(
        label=_("Program"), required=False, coerce=int, empty_value=None, widget=ManyOptionsSelect
    )
    start = forms.DateField(label=_("Period from"), widget=DateInput())
    end = forms.DateField(label=_("Period to"), widget=DateInput())
    fmt = forms.ChoiceField(label=_("Format"), choices=ReportFormat.choices, initial=ReportFormat.PDF)
    language = forms.ChoiceField(
        label=_("Language"), choices=ReportLanguage.choices, initial=ReportLanguage.ID
    )
    notes = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, actor: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        none = [("", "—")]
        agreements = agreement_list(actor=actor).values_list("pk", "number", "title")
        self._choices("agreement", none + [(pk, f"{number} · {title}") for pk, number, title in agreements])
        programs = visible_programs(actor).values_list("pk", "name")
        self._choices("program", none + [(pk, name) for pk, name in programs])
        for name, field in self.fields.items():
            choice = isinstance(field, forms.ChoiceField)
            field.widget.attrs["class"] = "form-select" if choice else "form-control"
            field.widget.attrs["data-testid"] = f"report-{name}"

    def _choices(self, name: str, choices: list[Any]) -> None:
        field = self.fields[name]
        assert isinstance(field, forms.ChoiceField)  # noqa: S101 - declared above
        field.choices = choices

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if bool(data.get("agreement")) == bool(data.get("program")):
            raise forms.ValidationError(ONE_SUBJECT, code="subject")
        if data.get("start") and data.get("end") and data["start"] > data["end"]:
            raise forms.ValidationError(PERIOD_REVERSED, code="reversed")
        return data
