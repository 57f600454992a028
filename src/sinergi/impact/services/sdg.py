"""Writes for SDG targets of programs."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy

from sinergi.audit.services import audit_record
from sinergi.core.errors import ApplicationError, ConflictError
from sinergi.impact import domain
from sinergi.impact.models import ProgramSdgTarget
from sinergi.impact.services._common import check_program_editor

UNKNOWN_TARGET = gettext_lazy(
    "%(codes)s are not targets on the official SDG list (for example 1.2, 4.4, 8.5, 16.3)."
)


def program_sdg_set(
    *, actor: Any, program: Any, targets: Sequence[str], expected: Sequence[str]
) -> list[str]:
    """Tag a program with official SDG targets (replacing its tags). `expected` is the list the form was
    opened with: when someone changed the tags since, nothing is written (conflict)."""
    check_program_editor(actor, program)
    codes = sorted({t.strip() for t in targets if t and t.strip()})
    unknown = [c for c in codes if domain.sdg_goal_of(c) is None]
    if unknown:
        message = str(UNKNOWN_TARGET % {"codes": ", ".join(unknown)})
        raise ApplicationError(message, code="invalid", detail={"targets": message})
    with transaction.atomic():
        current = sorted(
            ProgramSdgTarget.objects.select_for_update()
            .filter(program=program)
            .values_list("target", flat=True)
        )
        if current != sorted(expected):
            raise ConflictError()
        if current == codes:
            return codes
        ProgramSdgTarget.objects.filter(program=program).exclude(target__in=codes).delete()
        ProgramSdgTarget.objects.bulk_create(
            [ProgramSdgTarget(program=program, target=c) for c in codes if c not in current]
        )
        audit_record(
            actor=actor, action="program.sdg_set", target=program, changes={"targets": [current, codes]}
        )
    return codes
