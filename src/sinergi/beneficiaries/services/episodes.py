"""Writes for custody episodes: sentences and their dates, integration events."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy

from sinergi.audit.services import audit_record
from sinergi.beneficiaries import domain
from sinergi.beneficiaries.choices import CustodyStatus
from sinergi.beneficiaries.models import CustodyEpisode, Person
from sinergi.beneficiaries.services._common import (
    REGISTRATION_TAKEN,
    _check_unit,
    _override_record,
    _thresholds_waived,
)
from sinergi.core.errors import ApplicationError, ForbiddenError
from sinergi.events import kinds
from sinergi.events.services import event_record


def _episode_dates(data: dict[str, Any]) -> dict[str, Any]:
    """The stored dates of an episode (domain.episode_dates under the ruleset in force at its start)."""
    from sinergi.beneficiaries.selectors import ruleset_list

    try:
        return domain.episode_dates(
            start=data.get("start_date"),
            years=data.get("sentence_years"),
            months=data.get("sentence_months"),
            days=data.get("sentence_days"),
            remission_days=data.get("remission_days"),
            rulesets=ruleset_list(),
        )
    except ValueError as exc:
        field = "remission_days" if str(exc) == domain.REMISSION_INVALID else "sentence_years"
        raise ApplicationError(str(exc), code="invalid", detail={field: str(exc)}) from exc


def _registration_free(data: dict[str, Any]) -> None:
    taken = CustodyEpisode.objects.filter(unit=data["unit"], registration_number=data["registration_number"])
    if taken.exists():
        message = REGISTRATION_TAKEN % {"value": data["registration_number"]}
        raise ApplicationError(message, code="invalid", detail={"registration_number": message})


def episode_problems(*, person: Person, data: dict[str, Any]) -> dict[str, str]:
    """Every rule problem of a new custody episode, by form field: its dates (domain.episode_date_problems),
    the person's age when it began (domain.person_date_problems, shown at the start date), the lengths,
    the sentence arithmetic and a registration number already used at the unit."""
    today = timezone.localdate()
    problems = domain.episode_date_problems(
        start_date=data.get("start_date"), release_date=data.get("release_date"), today=today
    )
    if data.get("start_date") and "start_date" not in problems:
        age = domain.person_date_problems(
            birth_date=person.birth_date, today=today, custody_start=data["start_date"]
        )
        if age:
            problems["start_date"] = age["birth_date"]
    problems |= domain.length_problems(data)
    for check in (_episode_dates, _registration_free):
        try:
            check(data)
        except ApplicationError as error:
            for name, message in (error.detail or {}).items():
                problems.setdefault(name, str(message))
    return problems


def _episode_save(*, actor: Any, person: Person, data: dict[str, Any]) -> CustodyEpisode:
    _registration_free(data)
    values = {
        k: v
        for k, v in data.items()
        if k
        in (
            "unit",
            "registration_number",
            "status",
            "start_date",
            "sentence_years",
            "sentence_months",
            "sentence_days",
            "remission_days",
            "release_date",
        )
    }
    values = {
        k: (v if v is not None else 0) if k.startswith(("sentence_", "remission")) else v
        for k, v in values.items()
    }
    # Released before (bebas, or on PB/CB/CMB as a client): this episode is a return to custody.
    readmission = person.episodes.filter(status__in=(CustodyStatus.RELEASED, CustodyStatus.CLIENT)).exists()
    episode = CustodyEpisode.objects.create(person=person, **values, **_episode_dates(values))
    # The outbox, in the same transaction, as the import does: aftercare records a readmission from it.
    event_record(
        kind=kinds.CUSTODY_STARTED,
        subject=person,
        payload={
            "episode": episode.pk,
            "unit": episode.unit_id,
            "status": episode.status,
            "on": episode.start_date.isoformat() if episode.start_date else None,
            "readmission": readmission,
        },
    )
    return episode


def episode_add(*, actor: Any, person: Person, data: dict[str, Any]) -> CustodyEpisode:
    """Record another custody episode for a person (a new detention, a transfer). Refused with every
    problem at once, by field (see `episode_problems`)."""
    _check_unit(actor, data["unit"])
    problems = episode_problems(person=person, data=data)
    if problems:
        raise ApplicationError(next(iter(problems.values())), code="invalid", detail=problems)
    with transaction.atomic():
        episode = _episode_save(actor=actor, person=person, data=data)
        audit_record(
            actor=actor,
            action="person.episode_add",
            target=person,
            changes={
                "unit": str(data["unit"]),
                "registration_number": data["registration_number"],
                "status": data["status"],
            },
        )
    return episode


INTEGRATION_NOT_ALLOWED = gettext_lazy(
    "Only officers of the unit that holds this person (or its Kanwil) can record asimilasi, PB, CB or CMB."
)


def may_act_on_episode(actor: Any, episode: CustodyEpisode) -> bool:
    """The system, or a corrections officer whose units include the episode's unit."""
    from sinergi.accounts.selectors import actor_unit_ids
    from sinergi.beneficiaries.access import REGISTRY

    if actor is None:
        return True
    if getattr(actor, "role", None) not in REGISTRY:
        return False
    units = actor_unit_ids(actor)
    return units is None or episode.unit_id in units


def _integration_create(
    *, actor: Any, episode: CustodyEpisode, kind: str, date: dt.date, approved: bool, reference: str
) -> Any:
    from sinergi.beneficiaries.models import IntegrationEvent

    event = IntegrationEvent.objects.create(
        episode=episode, kind=kind, date=date, approved_by_board=approved, board_reference=reference
    )
    audit_record(
        actor=actor,
        action="person.integration_add",
        target=episode.person,
        changes={"kind": kind, "date": str(date), "approved_by_board": approved},
    )
    return event


def integration_event_add(
    *,
    actor: Any,
    episode: CustodyEpisode,
    kind: str,
    date: dt.date,
    approved: bool,
    reference: str = "",
    override_reason: str = "",
) -> Any:
    """Record asimilasi, PB, CB or CMB for an episode, with the board's (TPP) decision.

    Refused (400, every problem by field: "date", "reference") when the date is in the future, before the
    sentence started or after its expiry, or a PB has no TPP decision number (domain.integration_problems);
    and when the sentence thresholds are not met (domain.integration_threshold_problems: asimilasi before
    the half date, PB/CB/CMB before two thirds, PB or CB not eligible by time), unless an administrator
    gives `override_reason`, which is audited as `person.threshold_override`.
    """
    if not may_act_on_episode(actor, episode):
        raise ForbiddenError(INTEGRATION_NOT_ALLOWED)
    kind_problems = domain.integration_kind_problems(kind)
    if kind_problems:
        raise ApplicationError(kind_problems["kind"], code="invalid", detail=kind_problems)
    dates = episode_stored_dates(episode)
    problems = domain.integration_problems(
        kind=kind, on=date, dates=dates, today=timezone.localdate(), reference=reference
    )
    thresholds = domain.integration_threshold_problems(kind=kind, on=date, dates=dates)
    if problems:
        merged = thresholds | problems
        raise ApplicationError(next(iter(problems.values())), code="invalid", detail=merged)
    waived = _thresholds_waived(actor=actor, problems=thresholds, reason=override_reason)
    with transaction.atomic():
        event = _integration_create(
            actor=actor, episode=episode, kind=kind, date=date, approved=approved, reference=reference.strip()
        )
        if waived:
            _override_record(
                actor=actor, episode=episode, kind=kind, on=date, problems=thresholds, reason=override_reason
            )
    return event


def episode_stored_dates(episode: CustodyEpisode) -> dict[str, Any]:
    """The episode's start and stored derived dates for the rules (domain.stored_dates). An episode with a
    sentence whose derived dates were never all stored (rows from an older import) gets them stored now,
    under the ruleset in force at its start, so a rule never refuses for want of a date it could know."""
    if episode.half_date is None and episode.start_date is not None and episode.has_sentence:
        from sinergi.beneficiaries.selectors import ruleset_list

        try:
            values = domain.episode_dates(
                start=episode.start_date,
                years=episode.sentence_years,
                months=episode.sentence_months,
                days=episode.sentence_days,
                remission_days=episode.remission_days,
                rulesets=ruleset_list(),
            )
        except ValueError:
            values = {}
        if values.get("half_date") is not None:
            CustodyEpisode.objects.filter(pk=episode.pk).update(**values)
            for name, value in values.items():
                setattr(episode, name, value)
    return domain.stored_dates(episode)


def episode_dates_fill() -> int:
    """Store the derived dates of every episode that has a sentence but no stored half date yet (rows
    written by an older import). Returns how many were filled. Stored dates are never recomputed here:
    an episode keeps the dates of the ruleset it was computed with."""
    from sinergi.beneficiaries.selectors import ruleset_list

    rulesets = ruleset_list()
    filled = []
    for episode in CustodyEpisode.objects.filter(half_date=None).exclude(start_date=None).iterator():
        try:
            values = domain.episode_dates(
                start=episode.start_date,
                years=episode.sentence_years,
                months=episode.sentence_months,
                days=episode.sentence_days,
                remission_days=episode.remission_days,
                rulesets=rulesets,
            )
        except ValueError:
            continue
        if values["half_date"] is None:
            continue
        for name, value in values.items():
            setattr(episode, name, value)
        filled.append(episode)
    CustodyEpisode.objects.bulk_update(filled, list(domain.EPISODE_DATE_FIELDS), batch_size=1000)
    return len(filled)
