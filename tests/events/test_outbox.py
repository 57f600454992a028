"""The outbox: events are recorded with the change, delivered once, in order per subject, and retried."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.db import connection, transaction

from sinergi.events import registry
from sinergi.events.models import DomainEvent
from sinergi.events.services import MAX_ATTEMPTS, event_record, events_dispatch, events_pending_count
from sinergi.notifications.models import Notification
from tests.factories import UserFactory

seen: list[tuple[str, str]] = []


def remember(event: DomainEvent) -> None:
    seen.append((event.kind, event.subject_id))


def fail_once_then_write(event: DomainEvent) -> None:
    """Writes a row, then fails on the first attempt: the row must not survive the failed attempt."""
    user = UserFactory(username=f"written-{event.pk}-{event.attempts}")
    Notification.objects.create(recipient=user, key=f"k{event.pk}", title="t")
    if event.attempts == 0:
        raise RuntimeError("first attempt fails")


@pytest.fixture(autouse=True)
def _subscriptions(monkeypatch: pytest.MonkeyPatch) -> None:
    seen.clear()
    monkeypatch.setattr(registry, "_subscribers", {})
    registry.subscribe("test.remember", f"{__name__}.remember")
    registry.subscribe("test.flaky", f"{__name__}.fail_once_then_write")


def test_an_event_recorded_in_a_rolled_back_transaction_does_not_exist(db: Any) -> None:
    with pytest.raises(RuntimeError), transaction.atomic():
        event_record(kind="test.remember", subject=None, payload={})
        raise RuntimeError("the change fails")
    assert DomainEvent.objects.count() == 0


def test_each_event_is_delivered_once_in_the_order_it_occurred(db: Any) -> None:
    user = UserFactory()
    for n in range(3):
        event_record(kind="test.remember", subject=user, payload={"n": n})
    assert events_dispatch() == 3
    assert events_dispatch() == 0
    assert seen == [("test.remember", str(user.pk))] * 3
    assert events_pending_count() == 0


def test_a_failed_delivery_leaves_nothing_behind_and_is_retried(db: Any) -> None:
    event = event_record(kind="test.flaky", subject=None, payload={})
    assert events_dispatch() == 0
    event.refresh_from_db()
    assert event.processed_at is None and event.attempts == 1 and "first attempt fails" in event.last_error
    assert not Notification.objects.exists()
    assert events_dispatch() == 1
    assert Notification.objects.count() == 1


def test_an_event_that_keeps_failing_stops_after_the_last_attempt_and_blocks_nothing(db: Any) -> None:
    user = UserFactory()
    stuck = event_record(kind="test.flaky", subject=user, payload={})
    DomainEvent.objects.filter(pk=stuck.pk).update(attempts=MAX_ATTEMPTS)
    event_record(kind="test.remember", subject=user, payload={})
    assert events_dispatch() == 1
    assert seen == [("test.remember", str(user.pk))]


def test_two_workers_deliver_every_event_exactly_once(reference_data: Any) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("SKIP LOCKED is PostgreSQL's; SQLite serialises writers with IMMEDIATE transactions")
    users = [UserFactory() for _ in range(4)]
    for n in range(40):
        event_record(kind="test.remember", subject=users[n % 4], payload={"n": n})
    errors: list[BaseException] = []

    def worker() -> None:
        try:
            events_dispatch()
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors
    assert len(seen) == 40
    assert DomainEvent.objects.filter(processed_at__isnull=True).count() == 0


def test_one_dispatch_job_is_queued_per_transaction_however_many_events_it_records(
    db: Any, django_capture_on_commit_callbacks: Any
) -> None:
    from sinergi.events.services import events_record_many

    with django_capture_on_commit_callbacks() as callbacks:
        with pytest.raises(RuntimeError), transaction.atomic():
            event_record(kind="test.remember", subject=None, payload={})
            raise RuntimeError("rolled back, and its job with it")
        event_record(kind="test.remember", subject=None, payload={})
    assert len(callbacks) == 1
    # The test's transaction is still open: everything recorded now rides on the job already queued.
    with django_capture_on_commit_callbacks() as more, transaction.atomic():
        for n in range(3):
            event_record(kind="test.remember", subject=None, payload={"n": n})
        events_record_many([("test.remember", "", "", {"n": 3})])
    assert more == []
