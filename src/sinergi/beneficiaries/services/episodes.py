"""Writes for custody episodes: sentences and their dates, integration events."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction

from sinergi.audit.services import audit_record
from sinergi.beneficiaries import domain
from sinergi.beneficiaries.models import CustodyEpisode, Person
from sinergi.beneficiaries.services._common import REGISTRATION_TAKEN, _check_unit
from sinergi.core.errors import ApplicationError


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


def _episode_save(*, actor: Any, person: Person, data: dict[str, Any]) -> CustodyEpisode:
    taken = CustodyEpisode.objects.filter(unit=data["unit"], registration_number=data["registration_number"])
    if taken.exists():
        message = REGISTRATION_TAKEN.format(value=data["registration_number"])
        raise ApplicationError(message, code="invalid", detail={"registration_number": message})
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
    return CustodyEpisode.objects.create(person=person, **values, **_episode_dates(values))


def episode_add(*, actor: Any, person: Person, data: dict[str, Any]) -> CustodyEpisode:
    """Record another custody episode for a person (a new detention, a transfer)."""
    _check_unit(actor, data["unit"])
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


def integration_event_add(
    *, actor: Any, episode: CustodyEpisode, kind: str, date: dt.date, approved: bool, reference: str = ""
) -> Any:
    """Record asimilasi, PB, CB or CMB for an episode, with the board's (TPP) decision."""
    from sinergi.beneficiaries.models import IntegrationEvent

    with transaction.atomic():
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
