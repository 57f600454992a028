"""The dashboard filter's selects (`forms.ManyOptionsSelect`, options written in Python for speed) give
exactly the HTML of Django's own `Select`: escaping, the selected option, the empty choice, attributes."""

from __future__ import annotations

from typing import Any

import pytest
from django import forms
from django.utils.translation import gettext_lazy

from sinergi.reports.forms import ManyOptionsSelect

CHOICES: list[Any] = [
    ("", gettext_lazy("All")),
    (1, "Lapas <Kelas I> & \"Cabang\" 'Uji'"),
    (2, "Program B"),
    (30, "Kemitraan Ü"),
]


def _form(widget: type[forms.Select], data: dict[str, str] | None) -> forms.Form:
    class Form(forms.Form):
        program = forms.TypedChoiceField(required=False, coerce=int, empty_value=None, widget=widget)

    form = Form(data)
    field = form.fields["program"]
    assert isinstance(field, forms.ChoiceField)
    field.choices = CHOICES
    field.widget.attrs.update({"class": "form-select form-select-sm", "data-x": "a&b", "required": True})
    field.widget.attrs["disabled"] = False
    return form


@pytest.mark.parametrize(
    "data", [None, {"program": "1"}, {"program": "30"}, {"program": "99"}, {"program": ""}]
)
def test_same_html_as_django_select(data: dict[str, str] | None) -> None:
    assert str(_form(ManyOptionsSelect, data)["program"]) == str(_form(forms.Select, data)["program"])


def test_groups_fall_back_to_django() -> None:
    grouped = [("", "All"), ("Kanwil A", [(1, "Lapas A"), (2, "Rutan A")])]
    ours, django = _form(ManyOptionsSelect, {"program": "2"}), _form(forms.Select, {"program": "2"})
    for form in (ours, django):
        field = form.fields["program"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = grouped
    assert str(ours["program"]) == str(django["program"])
    assert "<optgroup" in str(ours["program"])
