"""Waiting on a condition instead of sleeping a fixed time.

`wait_until` returns as soon as the condition holds. Its bound is generous (a busy machine is slow, not
broken) and only there so that a condition that never comes fails with a message instead of hanging.
`gone` names what makes waiting pointless (a process that exited), so that failure is reported at once.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import TypeVar

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
