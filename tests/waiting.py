"""Waiting on a condition instead of sleeping a fixed time.

`wait_until` returns as soon as the condition holds. Its bound is generous (a busy machine is slow, not
broken) and only there so that a condition that never comes fails with a message instead of hanging.
`gone` names what makes waiting pointless (a process that exited), so that failure is reported at once.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any, TypeVar

import pytest

T = TypeVar("T")


def wait_until(
    condition: Callable[[], T | None],
    what: str,
    *,
    bound: float = 600,
    gone: Callable[[], str | None] | None = None,
) -> T:
    """Poll `condition()` until it returns something truthy and return that; back off from 50 ms to 1 s."""
    pause = threading.Event()
    interval = 0.05
    started = time.monotonic()
    while True:
        result = condition()
        if result:
            return result
        if gone is not None and (reason := gone()):
            pytest.fail(f"gave up waiting until {what}: {reason}")
        if time.monotonic() - started > bound:
            pytest.fail(f"still not {what} after {bound:.0f} s")
        pause.wait(interval)
        interval = min(interval * 2, 1.0)


def while_held(hold: Callable[[], Any], other: Callable[[], Any]) -> dict[str, Any]:
    """PostgreSQL, two sessions: `hold()` runs in a transaction of its own thread and keeps it open (with its
    locks) until `other()`, started in a second thread once `hold()` has returned, waits on a lock or ends;
    then the first commits. Returns {"hold": result or exception, "other": result or exception}."""
    from django.db import connection, connections, transaction

    done, release = threading.Event(), threading.Event()
    outcome: dict[str, Any] = {}

    def holding() -> None:
        try:
            with transaction.atomic():
                outcome["hold"] = hold()
                done.set()
                release.wait()
        except BaseException as exc:  # noqa: BLE001 (returned to the test)
            outcome["hold"] = exc
            done.set()
        finally:
            connections.close_all()

    def running() -> None:
        try:
            outcome["other"] = other()
        except BaseException as exc:  # noqa: BLE001 (returned to the test)
            outcome["other"] = exc
        finally:
            connections.close_all()

    def waiting_on_a_lock() -> bool:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity"
                " WHERE datname = current_database() AND wait_event_type = 'Lock'"
            )
            return cursor.fetchone()[0] > 0

    first = threading.Thread(target=holding)
    first.start()
    done.wait()
    if isinstance(outcome.get("hold"), BaseException):
        first.join()
        return outcome
    second = threading.Thread(target=running)
    second.start()
    wait_until(lambda: waiting_on_a_lock() or "other" in outcome, "the second session waits on a lock")
    release.set()
    first.join()
    second.join()
    return outcome
