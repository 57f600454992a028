"""Reactions to other apps' domain events (subscribed in ProgramsConfig.ready)."""

from __future__ import annotations

import datetime as dt

from sinergi.beneficiaries.models import Person
from sinergi.events.models import DomainEvent
from sinergi.programs.services.release import release_enrollments_close


def on_person_released(event: DomainEvent) -> None:
    """A person's custody episode ended or moved to guidance: close that episode's enrolments and tell the
    company. Releases recorded on a cohort page have already closed them, so this then does nothing."""
    person = Person.objects.filter(pk=event.subject_id).first()
    if person is None:
        return
    release_enrollments_close(
        actor=None,
        person=person,
        episode_id=event.payload["episode"],
        on=dt.date.fromisoformat(event.payload["on"]),
    )
