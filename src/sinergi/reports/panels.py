"""The person page's link to the subject-access export (administrators only)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from sinergi.beneficiaries.panels import PersonPanel
from sinergi.reports import access


def person_panel(*, actor: Any, person: Any) -> PersonPanel | None:
    if access.role_of(actor) not in access.SUBJECT_ACCESS_ROLES:
        return None
    return PersonPanel(
        title=_("Subject-access export"),
        template="reports/_person_panel.html",
        context={"person_id": person.pk},
        order=900,
    )
