"""Recording domain events (the outbox) and delivering them to their handlers exactly once, in order.

A writer calls `event_record` inside the transaction of its change, so the event exists if and only if
the change does. After the commit a dispatch job is queued; `sinergi worker` also polls the outbox, so an
event is delivered within seconds even if the job was lost. Each event is delivered in its own
transaction: its handlers' writes and its `processed_at` commit together, so a crash means the event is
delivered again later, never half. Handlers must therefore be safe to run again after a rollback (they
are: a rollback undoes their writes too). Events of one subject are delivered in the order they occurred;
on PostgreSQL several workers share the outbox with SKIP LOCKED.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable, Mapping
from typing import Any

from django.db import connection, models, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from sinergi.core.bulk import bulk_insert
from sinergi.events.models import DomainEvent
from sinergi.events.registry import handlers_for

logger = logging.getLogger(__name__)
MAX_ATTEMPTS = 5


def _subject(subject: models.Model | None) -> tuple[str, str]:
    if subject is None:
        return "", ""
    return subject._meta.label_lower, str(subject.pk)


def _enqueue_dispatch() -> None:
    from sinergi.events.tasks import events_dispatch_task

    events_dispatch_task.enqueue()


def _kick() -> None:
    """Queue one dispatch job after the commit, however many events the transaction records (the worker's
    poll is the safety net)."""
    connection = transaction.get_connection()
    queued = (entry[1] for entry in connection.run_on_commit)
    if connection.in_atomic_block and any(callback is _enqueue_dispatch for callback in queued):
        return
    transaction.on_commit(_enqueue_dispatch)


def event_record(*, kind: str, subject: models.Model | None, payload: Mapping[str, Any]) -> DomainEvent:
    """Record one domain event inside the caller's transaction."""
    subject_type, subject_id = _subject(subject)
    event = DomainEvent.objects.create(
        kind=kind, subject_type=subject_type, subject_id=subject_id, payload=dict(payload)
    )
    _kick()
    return event


def events_record_many(events: Iterable[tuple[str, str, str, Mapping[str, Any]]]) -> int:
    """Record many events at once (for bulk writers such as the registry import): each item is
    (kind, subject_type, subject_id, payload). Returns how many were recorded."""
    # COPY on PostgreSQL (one prepared statement on SQLite): an import records one event per row.
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    rows = [(k, t, i, json.dumps(dict(p)), now, 0, "") for k, t, i, p in events]
    if rows:
        bulk_insert(
            DomainEvent,
            ("kind", "subject_type", "subject_id", "payload", "occurred_at", "attempts", "last_error"),
            rows,
        )
        _kick()
    return len(rows)


def _next_pending(skip: set[int]) -> DomainEvent | None:
    """The oldest deliverable event whose subject has no earlier undelivered event, locked for us; events
    that already failed in this run (`skip`) wait for the next run."""
    earlier = DomainEvent.objects.filter(
        processed_at__isnull=True,
        attempts__lt=MAX_ATTEMPTS,
        subject_type=OuterRef("subject_type"),
        subject_id=OuterRef("subject_id"),
        pk__lt=OuterRef("pk"),
    )
    pending = (
        DomainEvent.objects.filter(processed_at__isnull=True, attempts__lt=MAX_ATTEMPTS)
        .exclude(Exists(earlier))
        .exclude(pk__in=skip)
        .order_by("pk")
    )
    if connection.features.has_select_for_update_skip_locked:
        pending = pending.select_for_update(skip_locked=True, of=("self",))
    return pending.first()


def events_dispatch(*, limit: int = 1000) -> int:
    """Deliver up to `limit` pending events; returns how many were delivered. Safe to run in parallel."""
    delivered = 0
    failed: set[int] = set()
    while delivered < limit:
        with transaction.atomic():
            event = _next_pending(failed)
            if event is None:
                break
            try:
                with transaction.atomic():
                    for handler in handlers_for(event.kind):
                        handler(event)
            except Exception as exc:
                logger.exception("Domain event %s (%s) failed", event.pk, event.kind)
                DomainEvent.objects.filter(pk=event.pk).update(
                    attempts=event.attempts + 1, last_error=f"{type(exc).__name__}: {exc}"[:2000]
                )
                failed.add(event.pk)
                continue
            DomainEvent.objects.filter(pk=event.pk).update(
                processed_at=timezone.now(), attempts=event.attempts + 1, last_error=""
            )
            delivered += 1
    return delivered


def events_resubject(*, subject: models.Model, to: models.Model) -> int:
    """Give the undelivered events of `subject` to `to` (a merge of two records of one person: the handlers
    then find the records where they moved). Delivered events stay as they were. Returns how many moved."""
    subject_type, subject_id = _subject(subject)
    to_type, to_id = _subject(to)
    return DomainEvent.objects.filter(
        subject_type=subject_type, subject_id=subject_id, processed_at__isnull=True
    ).update(subject_type=to_type, subject_id=to_id)


def events_pending_count() -> int:
    """How many events wait for delivery (for the health page and tests)."""
    return DomainEvent.objects.filter(processed_at__isnull=True, attempts__lt=MAX_ATTEMPTS).count()
