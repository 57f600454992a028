"""Timing pages in this process: Django's test Client against the benchmark database, one user per role.

Used by the `lists` and `dashboard` cases. A page is requested `REQUESTS` times per repeat (after one
untimed request that warms per-process caches); each repeat gives one p95, and the figure is the median and
spread of those p95s. The queries of every request are counted, so a count that changes between requests
or pages shows up as more than one value. The baseline is the page's main query written by hand, timed
the same way on the same connection.

The session's idle-expiry refresh (`sinergi.core.sessions`: a save, BEGIN, UPDATE and COMMIT, at most once
a minute) is not the page's: each repeat starts with the session just saved, so no refresh falls in a
repeat of less than a minute, and a refresh that still falls in one (a slow repeat) is counted apart
(`session_writes_<role>`: the requests that carried one) and its statements left out of the page's count.
Before, a refresh made a page's count read "8,11", and the case "not passed", by chance.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from bench.harness import Figure, Result, percentile

# 20 requests a repeat at national scale; the small run (CI) only checks that the code works, with 3.
REQUESTS = int(os.environ.get("BENCH_REQUESTS", "20"))
TARGET_SECONDS = 0.25


@dataclass
class Timed:
    p95: Figure
    queries: list[int]  # the page's own statements, per request (without a session refresh's)
    statuses: set[int]
    session_writes: int = 0  # requests that carried a session refresh (not counted in `queries`)


def role_users(roles: Sequence[str]) -> dict[str, Any]:
    """One active user per role present in the data, the one whose organisation holds the most custody
    episodes first (the heaviest lists of that role), then the oldest."""
    from django.db.models import Count

    from sinergi.accounts.models import User

    users: dict[str, Any] = {}
    for role in roles:
        user = (
            User.objects.filter(role=role, is_active=True)
            .annotate(n=Count("organisation__custody_episodes"))
            .order_by("-n", "pk")
            .first()
        )
        if user is not None:
            users[role] = user
    return users


def client_for(user: Any) -> Any:
    from django.test import Client

    client = Client()
    client.force_login(user)
    return client


@contextmanager
def _session_saves(connection: Any) -> Iterator[list[int]]:
    """While active, the number of statements each session save ran (BEGIN, UPDATE, COMMIT, as logged in
    `connection.queries`), one entry per save; the page's own count is the request's count less these."""
    from sinergi.core.sessions import SessionStore

    saves: list[int] = []
    original = SessionStore.save

    def save(self: Any, must_create: bool = False) -> None:
        before = len(connection.queries_log)
        try:
            original(self, must_create=must_create)
        finally:
            saves.append(len(connection.queries_log) - before)

    SessionStore.save = save  # type: ignore[method-assign]
    try:
        yield saves
    finally:
        SessionStore.save = original  # type: ignore[method-assign]


def _settle_session(client: Any) -> None:
    """Save the client's session now (its idle expiry moved to now + its age), so that no refresh is due
    for the next minute."""
    session = client.session
    session.save()


def time_page(client: Any, url: str, repeat: int, requests: int | None = None) -> Timed:
    """p95 over `requests` GETs of `url`, `repeat` times, and the query count of every request (the page's
    own: a session refresh's statements are counted apart)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    statuses = {client.get(url).status_code}  # warm caches; not timed
    p95s: list[float] = []
    queries: list[int] = []
    session_writes = 0
    for _ in range(repeat):
        _settle_session(client)
        samples = []
        for _ in range(requests or REQUESTS):
            with CaptureQueriesContext(connection) as captured, _session_saves(connection) as saves:
                started = time.perf_counter()
                response = client.get(url)
                samples.append(time.perf_counter() - started)
            statuses.add(response.status_code)
            queries.append(len(captured.captured_queries) - sum(saves))
            session_writes += bool(saves)
        p95s.append(percentile(samples, 95))
    return Timed(Figure(p95s), queries, statuses, session_writes)


def time_sql(sql: str, params: Sequence[Any], repeat: int, requests: int | None = None) -> Figure:
    """p95 of a hand-written query (fetching every row it returns), the same way as `time_page`."""
    from django.db import connection

    p95s: list[float] = []
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        cursor.fetchall()
        for _ in range(repeat):
            samples = []
            for _ in range(requests or REQUESTS):
                started = time.perf_counter()
                cursor.execute(sql, params)
                cursor.fetchall()
                samples.append(time.perf_counter() - started)
            p95s.append(percentile(samples, 95))
    return Figure(p95s)


def time_calls(fn: Callable[[], Any], repeat: int, requests: int | None = None) -> Figure:
    """p95 of a baseline made of several hand-written queries run in a row."""
    p95s: list[float] = []
    fn()
    for _ in range(repeat):
        samples = []
        for _ in range(requests or REQUESTS):
            started = time.perf_counter()
            fn()
            samples.append(time.perf_counter() - started)
        p95s.append(percentile(samples, 95))
    return Figure(p95s)


@dataclass
class Measured:
    """One page for one role: the page and its hand-written baseline."""

    role: str
    page: Timed
    baseline: Figure


def page_result(
    *,
    case_id: str,
    what: str,
    measured: list[Measured],
    max_ratio: float | None = None,
    note: str = "",
) -> Result:
    """One result per page: every role's p95 and query counts; passed when the worst role is within
    250 ms (and within `max_ratio` of its baseline, when given) and every role's count is constant."""
    out: dict[str, Figure | float | int | str] = {}
    base: dict[str, Figure | float | int | str] = {}
    worst_p95, worst_ratio, constant, ok_status = 0.0, 0.0, True, True
    for m in measured:
        out[f"p95_{m.role}"] = m.page.p95
        counts = sorted(set(m.page.queries))
        out[f"queries_{m.role}"] = counts[0] if len(counts) == 1 else ",".join(map(str, counts))
        if m.page.session_writes:
            out[f"session_writes_{m.role}"] = m.page.session_writes
        base[f"p95_{m.role}"] = m.baseline
        constant = constant and len(counts) == 1
        ok_status = ok_status and m.page.statuses == {200}
        worst_p95 = max(worst_p95, m.page.p95.median)
        worst_ratio = max(worst_ratio, m.page.p95.median / max(m.baseline.median, 1e-6))
    if not measured:
        return Result(case_id, what, {}, {}, None, "", None, note or "nothing to measure in this dataset")
    target = "p95 <= 250 ms for every role, constant query count"
    passed = worst_p95 <= TARGET_SECONDS and constant and ok_status
    if max_ratio is not None:
        target += f", <= {max_ratio}x the hand-written baseline"
        passed = passed and worst_ratio <= max_ratio
    if not ok_status:
        note = (note + "; " if note else "") + "a request did not answer 200"
    return Result(case_id, what, out, base, worst_ratio, target, passed, note)
