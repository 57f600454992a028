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
    length = domain.SentenceLength(
        data.get("sentence_years") or 0, data.get("sentence_months") or 0, data.get("sentence_days") or 0
    )
    if data.get("start_date") and not length.is_zero:
        try:
            dates = domain.sentence_dates(
                start=data["start_date"], length=length, remission_days=data.get("remission_days") or 0
            )
        except ValueError as exc:
            raise ApplicationError(str(exc), code="invalid", detail={"remission_days": str(exc)}) from exc
        return {
            "expiry_date": dates.expiry,
            "two_thirds_date": dates.two_thirds,
            "ruleset_version": domain.RULESET_VERSION,
        }
    return {"expiry_date": None, "two_thirds_date": None, "ruleset_version": ""}


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
