"""Reactions to other apps' domain events (subscribed in AftercareConfig.ready)."""

from __future__ import annotations

import datetime as dt

from sinergi.aftercare.services import case_open
from sinergi.beneficiaries.models import CustodyEpisode
from sinergi.events.models import DomainEvent
from sinergi.programs.selectors import enrollment_at_release


def on_person_released(event: DomainEvent) -> None:
    """A released person who took part in a program is handed over: an aftercare case opens for the Bapas.
    People who never took part get no case here (a Bapas can open one by hand later)."""
    episode = (
        CustodyEpisode.objects.select_related("person__domicile_district", "unit", "guidance_unit")
        .filter(pk=event.payload["episode"])
        .first()
    )
    if episode is None:
        return
    enrollment = enrollment_at_release(person_id=episode.person_id, episode_id=episode.pk)
    if enrollment is None:
        return
    case_open(
        actor=None,
        person=episode.person,
        episode=episode,
        released_on=dt.date.fromisoformat(event.payload["on"]),
        kind=event.payload["kind"],
        enrollment=enrollment,
    )


def on_custody_started(event: DomainEvent) -> None:
    """A new custody episode began: for each of the person's aftercare cases released before it began, record
    a readmission (follow-ups due from then on close, the PK is told, the company learns only the return)."""
    from sinergi.aftercare.models import AftercareCase
    from sinergi.aftercare.services import readmission_record

    episode = CustodyEpisode.objects.filter(pk=event.payload["episode"]).select_related("person").first()
    if episode is None:
        return
    on_text = event.payload.get("on")
    on = dt.date.fromisoformat(on_text) if on_text else (episode.start_date or event.occurred_at.date())
    cases = (
        AftercareCase.objects.filter(person_id=episode.person_id, released_on__lte=on)
        .exclude(episode_id=episode.pk)
        .select_related("person", "pk_officer", "enrollment__cohort__program__agreement")
    )
    for case in cases:
        readmission_record(case=case, episode=episode, on=on)
