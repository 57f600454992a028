"""Reads over aftercare cases: a Bapas sees the cases it is responsible for; a Kanwil those of its Bapas."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from sinergi.accounts.choices import Role
from sinergi.accounts.selectors import actor_unit_ids
from sinergi.aftercare.models import AftercareCase


def case_list(*, actor: Any) -> QuerySet[AftercareCase]:
    """Aftercare cases in the actor's scope, newest first."""
    cases = AftercareCase.objects.select_related(
        "person", "bapas", "enrollment__cohort__program", "person__domicile_district__regency"
    ).order_by("-opened_on", "-pk")
    if getattr(actor, "role", None) == Role.ADMIN:
        return cases
    units = actor_unit_ids(actor)
    if getattr(actor, "role", None) in (Role.BAPAS_OFFICER, Role.KANWIL_OFFICER) and units:
        return cases.filter(bapas_id__in=units)
    return cases.none()
