"""Form helpers: Bootstrap classes, accessible error links, and the hidden version used for conflicts."""

from __future__ import annotations

from typing import Any

from django import forms


class StyledFormMixin:
    """Adds Bootstrap classes and aria attributes to widgets, and marks invalid fields after validation."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():  # type: ignore[attr-defined]
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput | forms.CheckboxSelectMultiple):
                css = "form-check-input"
            elif isinstance(widget, forms.Select | forms.SelectMultiple):
                css = "form-select"
            else:
                css = "form-control"
            widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()
            if field.help_text:
                widget.attrs["aria-describedby"] = f"id_{self.add_prefix(name)}_helptext"  # type: ignore[attr-defined]

    def full_clean(self) -> None:
        # Marking happens here, not in __init__: reading self.errors there would validate too early.
        super().full_clean()  # type: ignore[misc]
        for name in self.errors:  # type: ignore[attr-defined]
            field = self.fields.get(name)  # type: ignore[attr-defined]
            if field is None:
                continue
            attrs = field.widget.attrs
            attrs["class"] = f"{attrs.get('class', '')} is-invalid".strip()
            attrs["aria-invalid"] = "true"
            attrs["aria-describedby"] = f"id_{self.add_prefix(name)}_error"  # type: ignore[attr-defined]


class StyledForm(StyledFormMixin, forms.Form):
    """A plain form with Sinergi's styling."""


class DateInput(forms.DateInput):
    """A native date picker (works well on phones)."""

    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%d")


def apply_error(form: Any, error: Any, *, keep_unplaced: bool = False) -> list[str]:
    """Show an ApplicationError on a form: each problem next to its field.

    Problems that belong to no field of this form become form-wide errors, or, with `keep_unplaced`, are
    returned for the page to show elsewhere (for example above a formset).
    """
    detail = error.detail if isinstance(error.detail, dict) else {}
    unplaced: list[str] = []
    for name, message in detail.items():
        if name in form.fields:
            form.add_error(name, message)
        else:
            unplaced.append(str(message))
    if not detail:
        unplaced.append(str(error.message))
    if keep_unplaced:
        return unplaced
    for message in unplaced:
        form.add_error(None, message)
    return []
