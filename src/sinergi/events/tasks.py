"""The dispatch job queued after a transaction that recorded domain events."""

from __future__ import annotations

from django_tasks import task

from sinergi.events.services import events_dispatch


@task()
def events_dispatch_task() -> None:
    events_dispatch()
