"""Writes for programs: define a program under an agreement and edit it."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django.db import transaction

from sinergi.audit.services import audit_record, model_update
from sinergi.partnerships.selectors import agreement_coverage, agreement_effective_districts
from sinergi.programs import access, domain
from sinergi.programs.models import (
    CurriculumModule,
    Program,
)
from sinergi.programs.services._common import (
    END_BEFORE_START,
    PLAN_NOT_ALLOWED,
    PROGRAM_OUTSIDE_AGREEMENT,
    _d,
    _invalid,
    forbidden,
)


def default_rule(agreement: Any) -> dict[str, Any]:
    """A program's default rule: the agreement's ring districts, sentenced prisoners."""
    return domain.rule_to_dict(
        domain.Rule(
            districts=tuple(sorted(agreement_effective_districts(agreement))), statuses=("narapidana",)
        )
    )


# --- Programs ----------------------------------------------------------------------------------------

PROGRAM_FIELDS = (
    "name",
    "program_type",
    "pillar",
    "sdg_targets",
    "objectives",
    "kpi_participants",
    "kpi_completion_rate",
    "kpi_certification_rate",
    "start_date",
    "end_date",
    "rule",
    "is_synthetic",
)


def _check_program(agreement: Any, data: Mapping[str, Any]) -> dict[str, Any]:
    start, end = data["start_date"], data["end_date"]
    if end < start:
        raise _invalid(END_BEFORE_START, "end_date")
    for day in (start, end):
        if not agreement_coverage(agreement=agreement, on=day).covered:
            raise _invalid(
                PROGRAM_OUTSIDE_AGREEMENT.format(start=_d(start), end=_d(end), number=agreement.number),
                "start_date",
            )
    rule = data.get("rule") or default_rule(agreement)
    try:
        parsed = domain.parse_rule(rule)
    except domain.RuleError as exc:
        raise _invalid(str(exc), "rule") from exc
    return {k: v for k, v in data.items() if k in PROGRAM_FIELDS} | {"rule": domain.rule_to_dict(parsed)}


def program_create(
    *, actor: Any, agreement: Any, data: dict[str, Any], modules: Sequence[tuple[str, int]] = ()
) -> Program:
    """Define a program under an agreement, inside its period; the rule defaults to its ring districts.
    Refuses (403) an actor whose organisation is not party to the agreement."""
    if not access.may_plan(actor, agreement):
        raise forbidden(PLAN_NOT_ALLOWED)
    values = _check_program(agreement, data)
    with transaction.atomic():
        program = Program.objects.create(agreement=agreement, **values)
        CurriculumModule.objects.bulk_create(
            [CurriculumModule(program=program, title=t, hours=h, order=i) for i, (t, h) in enumerate(modules)]
        )
        audit_record(
            actor=actor,
            action="program.create",
            target=program,
            changes={"agreement": agreement.number, "rule": values["rule"]},
        )
    return program


def program_update(
    *,
    actor: Any,
    program: Program,
    data: dict[str, Any],
    version: int,
    modules: Sequence[tuple[str, int]] | None = None,
) -> Program:
    """Edit a program (and its curriculum when `modules` is given); refuses a period outside the agreement;
    conflicts on a stale version; refuses (403) an actor whose organisation is not party to the agreement."""
    if not access.may_plan(actor, program.agreement):
        raise forbidden(PLAN_NOT_ALLOWED)
    values = _check_program(program.agreement, {**{f: getattr(program, f) for f in PROGRAM_FIELDS}, **data})
    with transaction.atomic():
        model_update(
            instance=program, data=values, actor=actor, action="program.update", expected_version=version
        )
        if modules is not None:
            before = list(program.modules.values_list("title", "hours"))
            if before != list(modules):
                program.modules.all().delete()
                CurriculumModule.objects.bulk_create(
                    [
                        CurriculumModule(program=program, title=t, hours=h, order=i)
                        for i, (t, h) in enumerate(modules)
                    ]
                )
                audit_record(
                    actor=actor,
                    action="program.update",
                    target=program,
                    changes={"modules": [before, list(modules)]},
                )
    return program
