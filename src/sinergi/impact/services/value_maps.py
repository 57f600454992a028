"""Writes for SROI value maps: define, edit, outcomes, import and export in the sroi file format, freeze."""

from __future__ import annotations

import hashlib
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sinergi.accounts.models import User
from sinergi.audit.services import audit_record, model_update
from sinergi.core.errors import ApplicationError, ConflictError, ForbiddenError
from sinergi.impact import access, domain, selectors
from sinergi.impact.choices import InputsSource, LiveIndicator
from sinergi.impact.models import ValueMap, ValueMapOutcome, ValueMapSnapshot
from sinergi.impact.services._common import (
    PERIOD_ORDER,
    check_agreement_editor,
    check_program_editor,
    raise_problems,
)

SNAPSHOT_FROZEN = gettext_lazy(
    "This snapshot was frozen for a report and never changes. Edit the value map and freeze a new snapshot."
)
MANUAL_INPUTS_REQUIRED = gettext_lazy("Enter the inputs in rupiah, more than 0, or take them from finance.")
FILE_PROBLEMS = gettext_lazy("The file cannot be imported: %(problems)s")
FILE_NOT_JSON = gettext_lazy("The file is not valid JSON (line %(line)s, column %(column)s).")
LABEL_REQUIRED = gettext_lazy("Name the report this snapshot is for.")
NOTHING_TO_FREEZE = gettext_lazy("The value map cannot be computed yet: %(problems)s")
FREEZE_NOT_WHOLE = gettext_lazy(
    "This value map cannot be frozen by you: %(left_out)s of its %(total)s programs run cohorts outside your "
    "scope (under an agreement below the one your organisation is party to, at units of another region), so "
    "the figures you see count only the other programs. A snapshot holds the figures of the whole map: ask "
    "an officer who reaches every program of it (an administrator, for example) to freeze it."
)

MAP_FIELDS = (
    "title",
    "stakeholders",
    "discount_rate",
    "inputs_source",
    "inputs_manual",
    "period_start",
    "period_end",
)
OUTCOME_FIELDS = (
    "stakeholder",
    "name",
    "indicator",
    "quantity",
    "quantity_source",
    "proxy",
    "proxy_source",
    "duration",
    "drop_off",
    "deadweight",
    "deadweight_source",
    "displacement",
    "attribution",
)
TEXT_FIELDS = ("stakeholder", "indicator", "quantity_source", "proxy_source", "deadweight_source")


class SnapshotFrozenError(ApplicationError):
    """An edit to a frozen snapshot (409)."""

    status = 409
    code = "frozen"


def _check_editor(actor: Any, value_map: ValueMap) -> None:
    if value_map.program_id:
        check_program_editor(actor, value_map.program)
    else:
        check_agreement_editor(actor, value_map.agreement)


def _check_map(
    data: dict[str, Any], *, actor: Any = None, changed: frozenset[str] | None = None
) -> dict[str, Any]:
    """The map's fields checked; `changed`: the period fields the actor sets (None: both), which must be whole
    quarters for aggregate-only roles (`access.period_problems`)."""
    errors: dict[str, str] = {}
    if not (data.get("title") or "").strip():
        errors["title"] = _("Give the value map a title.")
    rate = domain._number(data.get("discount_rate"))
    if rate is None or not 0 <= rate <= 1:
        errors["discount_rate"] = str(
            domain.FRACTION_RANGE % {"value": domain._shown(data.get("discount_rate"))}
        ).capitalize()
    source = data.get("inputs_source") or InputsSource.FINANCE
    manual = data.get("inputs_manual")
    if source == InputsSource.MANUAL and (manual is None or int(manual) <= 0):
        errors["inputs_manual"] = str(MANUAL_INPUTS_REQUIRED)
    start, end = data.get("period_start"), data.get("period_end")
    errors |= access.period_problems(
        actor,
        start=start if changed is None or "period_start" in changed else None,
        end=end if changed is None or "period_end" in changed else None,
    )
    if start and end and end < start:
        errors.setdefault("period_end", str(PERIOD_ORDER))
    raise_problems(errors)
    stakeholders = [str(s).strip() for s in data.get("stakeholders") or [] if str(s).strip()]
    return {k: v for k, v in data.items() if k in MAP_FIELDS} | {
        "title": data["title"].strip(),
        "discount_rate": rate,
        "stakeholders": stakeholders,
        "inputs_source": source,
        "inputs_manual": int(manual) if source == InputsSource.MANUAL and manual is not None else None,
    }


def value_map_create(
    *, actor: Any, data: dict[str, Any], program: Any = None, agreement: Any = None, synthetic: bool = False
) -> ValueMap:
    """Define a value map for a program or for an agreement (over its programs). The period defaults to the
    program's or agreement's (for aggregate-only roles, widened to whole quarters: `default_period`); the
    discount rate to 3.5%. Aggregate-only roles set only whole quarters (`access.period_problems`)."""
    owner = program or agreement
    if owner is None:
        raise ApplicationError(
            _("Choose the program or the agreement this value map is for."),
            code="invalid",
            detail={"program": ""},
        )
    if program is not None:
        check_program_editor(actor, program)
    else:
        check_agreement_editor(actor, agreement)
    data = (
        default_period(actor, owner)
        | {"discount_rate": domain.DEFAULT_DISCOUNT_RATE}
        | {k: v for k, v in data.items() if v is not None}
    )
    values = _check_map(data, actor=actor)
    with transaction.atomic():
        value_map = ValueMap.objects.create(
            program=program,
            agreement=None if program is not None else agreement,
            is_synthetic=synthetic,
            **values,
        )
        audit_record(
            actor=actor,
            action="value_map.create",
            target=value_map,
            changes={"program": getattr(program, "pk", None), "agreement": getattr(agreement, "pk", None)},
        )
    return value_map


def default_period(actor: Any, owner: Any) -> dict[str, Any]:
    """A new value map's period: its program's or agreement's, widened to whole quarters for aggregate-only
    roles (they may set only quarters: `access.period_problems`)."""
    start, end = owner.start_date, owner.end_date
    if access.aggregates_only(actor):
        start, end = access.quarter_start_on_or_before(start), access.quarter_end_on_or_after(end)
    return {"period_start": start, "period_end": end}


def value_map_update(*, actor: Any, value_map: ValueMap, data: dict[str, Any], version: int) -> ValueMap:
    """Edit a value map's title, stakeholders, discount rate, inputs and period; conflicts on a stale version.
    Its frozen snapshots do not change. An aggregate-only role sets only whole quarters; a period someone else
    set and left unchanged is kept (their figures clamp it when they read: `selectors.live_quantities`)."""
    _check_editor(actor, value_map)
    current = {f: getattr(value_map, f) for f in MAP_FIELDS}
    changed = frozenset(
        f for f in ("period_start", "period_end") if data.get(f) is not None and data[f] != current[f]
    )
    values = _check_map(current | data, actor=actor, changed=changed)
    model_update(
        instance=value_map, data=values, actor=actor, action="value_map.update", expected_version=version
    )
    return value_map


def _check_outcome(data: dict[str, Any]) -> dict[str, Any]:
    raw = {k: data.get(k) for k in domain.OUTCOME_FIELDS if data.get(k) is not None}
    problems = domain.outcome_problems(raw)
    errors = {p.field: p.message[:1].upper() + p.message[1:] for p in problems}
    binding = data.get("binding") or ""
    if binding and binding not in LiveIndicator.values:
        errors["binding"] = _("Unknown live indicator: %(value)s.") % {"value": binding}
    raise_problems(errors)
    values = {k: v for k, v in data.items() if k in OUTCOME_FIELDS}
    for key in ("quantity", "proxy", *domain.FRACTION_FIELDS):
        values[key] = domain._number(data[key])
    values["duration"] = int(domain._number(data["duration"]) or 1)
    for key in TEXT_FIELDS:
        values[key] = str(data.get(key) or "").strip()
    values["name"] = str(data["name"]).strip()
    values["binding"] = binding
    return values


def outcome_add(*, actor: Any, value_map: ValueMap, data: dict[str, Any]) -> ValueMapOutcome:
    """Add an outcome with its indicator, quantity and source, proxy and source, duration and the four
    fractions (each 0–1). Refuses with every field's problem at once."""
    _check_editor(actor, value_map)
    values = _check_outcome(data)
    with transaction.atomic():
        order = value_map.outcomes.count()
        outcome = ValueMapOutcome.objects.create(value_map=value_map, order=order, **values)
        audit_record(
            actor=actor, action="value_map.outcome_add", target=value_map, changes={"outcome": outcome.name}
        )
    return outcome


def outcome_update(
    *, actor: Any, outcome: ValueMapOutcome, data: dict[str, Any], version: int
) -> ValueMapOutcome:
    """Edit an outcome; conflicts when someone else saved it since `version`."""
    _check_editor(actor, outcome.value_map)
    current = {f: getattr(outcome, f) for f in (*OUTCOME_FIELDS, "binding")}
    values = _check_outcome(current | data)
    model_update(
        instance=outcome,
        data=values,
        actor=actor,
        action="value_map.outcome_update",
        expected_version=version,
    )
    return outcome


NO_COMPARISON_OUTCOME = gettext_lazy(
    "The comparison group has no figure for this outcome. Only an outcome bound to “No re-offence at 24 "
    "months” can take its deadweight from the comparison group."
)
NO_COMPARISON_YET = gettext_lazy(
    "There is no comparison group yet: no participant released in the period has a match among the "
    "non-participants whose 24-month window has closed."
)
COMPARISON_TOO_SMALL = gettext_lazy(
    "The comparison group is too small to report its rate to you (under 5 people, or under 5 who did or "
    "did not re-offend). Enter the deadweight by hand instead."
)
DEADWEIGHT_FROM_COMPARISON = gettext_lazy(
    "Comparison group: %(rate)s did not re-offend within 24 months (reweighted to the participants' mix; "
    "%(n)s matched non-participants released from the same units from %(start)s, as of %(date)s)."
)


def outcome_deadweight_from_comparison(
    *, actor: Any, outcome: ValueMapOutcome, version: int, as_of: Any = None
) -> ValueMapOutcome:
    """Set an outcome's deadweight to the comparison group's rate of the same outcome, and record where it
    came from in its deadweight source. Only "no re-offence at 24 months" has a comparison figure: the share
    of the matched, reweighted comparison group that did not re-offend within 24 months."""
    from django.utils import timezone
    from django.utils.formats import date_format, number_format

    _check_editor(actor, outcome.value_map)
    if outcome.binding != LiveIndicator.NO_REOFFENCE_24M:
        raise ApplicationError(
            NO_COMPARISON_OUTCOME, code="invalid", detail={"deadweight": str(NO_COMPARISON_OUTCOME)}
        )
    value_map = outcome.value_map
    as_of = as_of or timezone.localdate()
    start, end = value_map.period_start, value_map.period_end
    if access.aggregates_only(actor):
        # Whole quarters, as their live figures (`selectors.live_quantities`): a period someone else set to
        # any day would let two deadweights a day apart be told apart.
        start = access.quarter_start_on_or_before(start)
        end = access.aggregate_as_of(end, today=as_of)
    result = selectors.recidivism(
        programs=selectors.value_map_programs(value_map), months=24, as_of=as_of, start=start, end=end
    )
    if result.comparison.rate is None:
        raise ApplicationError(
            NO_COMPARISON_YET, code="invalid", detail={"deadweight": str(NO_COMPARISON_YET)}
        )
    comparison = selectors.recidivism_figures(actor=actor, result=result).comparison
    if comparison.suppressed or comparison.reoffended_mark:
        # An aggregate-only editor (TJSL) would read the rate of a few non-participants in the deadweight.
        raise ApplicationError(
            COMPARISON_TOO_SMALL, code="invalid", detail={"deadweight": str(COMPARISON_TOO_SMALL)}
        )
    share = (Decimal(1) - result.comparison.rate).quantize(Decimal("0.00001"), rounding=ROUND_HALF_UP)
    percent = (share * 100).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    source = DEADWEIGHT_FROM_COMPARISON % {
        "rate": f"{number_format(percent, 1)}%",
        "n": result.comparison.comparison_n,
        "start": date_format(result.start, "j F Y"),
        "date": date_format(as_of, "j F Y"),
    }
    model_update(
        instance=outcome,
        data={"deadweight": share, "deadweight_source": str(source)[:300]},
        actor=actor,
        action="value_map.outcome_deadweight",
        expected_version=version,
    )
    return outcome


def outcome_remove(*, actor: Any, outcome: ValueMapOutcome, version: int) -> None:
    """Remove an outcome from a value map (its frozen snapshots keep it); conflicts on a stale version."""
    _check_editor(actor, outcome.value_map)
    with transaction.atomic():
        deleted, _rows = ValueMapOutcome.objects.filter(pk=outcome.pk, version=version).delete()
        if not deleted:
            raise ConflictError()
        audit_record(
            actor=actor,
            action="value_map.outcome_remove",
            target=outcome.value_map,
            changes={"outcome": outcome.name},
        )


def value_map_export(*, actor: Any, value_map: ValueMap) -> dict[str, Any]:
    """The value map in the `sinergi sroi` file format (audited as an export)."""
    data = selectors.value_map_file(value_map, actor=actor)
    with transaction.atomic():
        audit_record(actor=actor, action="value_map.export", target=value_map, changes={})
    return data


def _import_problems(text: str) -> Any:
    try:
        data = domain.loads_value_map(text)
    except ValueError as exc:
        message = str(
            FILE_NOT_JSON % {"line": getattr(exc, "lineno", "?"), "column": getattr(exc, "colno", "?")}
        )
        raise ApplicationError(message, code="invalid", detail={"file": message}) from exc
    problems = domain.value_map_problems(data)
    if problems:
        message = str(FILE_PROBLEMS % {"problems": "; ".join(str(p) for p in problems)})
        raise ApplicationError(
            message, code="invalid", detail={"file": message, "problems": [str(p) for p in problems]}
        )
    return data


def value_map_import(*, actor: Any, value_map: ValueMap, text: str, version: int) -> ValueMap:
    """Replace a value map's outcomes, discount rate and inputs with those of a file in the sroi format.

    The file's inputs become inputs entered by hand. Nothing changes when the file has any problem (each is
    named with its outcome and field) or when someone else saved the map since `version`."""
    _check_editor(actor, value_map)
    data = _import_problems(text)
    inputs = Decimal(data["inputs"]).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    changes: dict[str, Any] = {
        "discount_rate": domain._number(data["discount_rate"]),
        "inputs_source": InputsSource.MANUAL,
        "inputs_manual": int(inputs),
    }
    if isinstance(data.get("title"), str) and data["title"].strip():
        changes["title"] = data["title"].strip()[:200]
    if isinstance(data.get("stakeholders"), list):
        changes["stakeholders"] = [str(s).strip() for s in data["stakeholders"] if str(s).strip()]
    outcomes = [_check_outcome(dict(raw) | {"binding": raw.get("binding") or ""}) for raw in data["outcomes"]]
    with transaction.atomic():
        if not ValueMap.objects.select_for_update().filter(pk=value_map.pk, version=version).exists():
            raise ConflictError()
        model_update(
            instance=value_map, data=changes, actor=actor, action="value_map.import", expected_version=version
        )
        # Only the outcomes changed: still advance the version, so a form opened before the import conflicts.
        if value_map.version == version:
            ValueMap.objects.filter(pk=value_map.pk).update(version=version + 1)
            value_map.version = version + 1
        before = list(value_map.outcomes.values_list("name", flat=True))
        value_map.outcomes.all().delete()
        ValueMapOutcome.objects.bulk_create(
            [ValueMapOutcome(value_map=value_map, order=i, **values) for i, values in enumerate(outcomes)]
        )
        audit_record(
            actor=actor,
            action="value_map.import",
            target=value_map,
            changes={"outcomes": [before, [o["name"] for o in outcomes]]},
        )
    return value_map


def freeze_refused(numbers: selectors.ValueMapNumbers) -> str:
    """Why these numbers may not be frozen (`FREEZE_NOT_WHOLE`: they count only some of the map's programs,
    those whose every cohort the viewer reaches), or "" when they cover the whole map."""
    if numbers.whole or numbers.reach is None:
        return ""
    left_out = numbers.reach["total"] - numbers.reach["counted"]
    return str(FREEZE_NOT_WHOLE % {"left_out": left_out, "total": numbers.reach["total"]})


def snapshot_freeze(*, actor: Any, value_map: ValueMap, label: str) -> ValueMapSnapshot:
    """Freeze the value map for a report: every quantity and the inputs as they stand now, and the numbers.
    The snapshot never changes afterwards. Refuses a map whose numbers cannot be computed.

    A snapshot holds the whole map's figures: an actor who does not reach every cohort of every program of
    the map (`selectors.programs_reached`: a Kanwil officer party only to an MoU, for a program under an
    addendum of a PKS of it signed by another region) sees its live figures and inputs over the other
    programs only, and is refused (403, `FREEZE_NOT_WHOLE`) rather than freezing a permanently reduced
    snapshot. Computing the snapshot as the system instead would freeze, and show them, counts over cohorts
    outside their scope; refusing is the safer of the two (docs/security.md, "Value maps")."""
    _check_editor(actor, value_map)
    if not (label or "").strip():
        raise ApplicationError(LABEL_REQUIRED, code="invalid", detail={"label": str(LABEL_REQUIRED)})
    numbers = selectors.value_map_numbers(value_map, actor=actor)
    message = freeze_refused(numbers)
    if message:
        raise ForbiddenError(message, detail={"label": message})
    if numbers.result is None:
        message = str(NOTHING_TO_FREEZE % {"problems": "; ".join(str(p) for p in numbers.problems)})
        raise ApplicationError(message, code="invalid", detail={"label": message})
    data = selectors.value_map_file(value_map, numbers=numbers)
    text = domain.to_json(data, indent=2)
    summary = domain.sroi_summary(numbers.result)
    results = {key: str(value) for key, value in summary.items()} | {
        "inputs": str(numbers.result.inputs),
        "realisation": numbers.inputs["realisation"],
        "in_kind": numbers.inputs["in_kind"],
        "payback_months": str(numbers.result.payback_months)
        if numbers.result.payback_months is not None
        else None,
    }
    with transaction.atomic():
        snapshot = ValueMapSnapshot.objects.create(
            value_map=value_map,
            label=label.strip()[:200],
            data=text,
            results=results,
            checksum=hashlib.sha256(text.encode()).hexdigest(),
            taken_by=actor if isinstance(actor, User) else None,
        )
        audit_record(
            actor=actor,
            action="value_map.freeze",
            target=value_map,
            changes={"snapshot": snapshot.pk, "label": snapshot.label, "sha256": snapshot.checksum} | results,
        )
    return snapshot


def snapshot_update(*, actor: Any, snapshot: ValueMapSnapshot, data: dict[str, Any] | None = None) -> None:
    """Always refused: a frozen snapshot never changes (409, code "frozen")."""
    _check_editor(actor, snapshot.value_map)
    raise SnapshotFrozenError(SNAPSHOT_FROZEN)
