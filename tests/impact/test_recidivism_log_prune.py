"""The figures' change log is pruned (`impact.kept.prune`, `core.changelog`, PostgreSQL): the pruning drops
the entries its snapshot saw and records that snapshot as the horizon. A kept value whose snapshot is older
than the horizon could have needed a dropped entry: it is never used and never stored. A value that still
holds when the log is pruned stays kept. Two prunings never run at once. These tests commit."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection, connections

from sinergi.beneficiaries.models import Person
from sinergi.core import changelog
from sinergi.impact import kept
from sinergi.jobs.schedule import SCHEDULE
from tests.impact.test_recidivism_kept import _read, calls  # noqa: F401 (the fixture)
from tests.impact.test_recidivism_sql import varied  # noqa: F401 (the fixture)

POSTGRES = connection.vendor == "postgresql"
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("reference_data")]

AS_OF = dt.date(2025, 1, 1)


def _write() -> None:
    """A committed write of a table the figures read (one log entry)."""
    Person.objects.filter(full_name="nobody").update(risk_level="tinggi")


def _log() -> int:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM {kept.LOG}")  # noqa: S608 (fixed name)
        return int(cursor.fetchone()[0])


def _stored(key: str) -> bool:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM {kept.KEPT} WHERE key = %s", [key])  # noqa: S608
        return bool(cursor.fetchone()[0])


def _keep(key: str, value: int, computed: list[int]) -> int:
    def compute() -> int:
        computed.append(value)
        return value

    return kept.kept(key, compute, encode=lambda v: v, decode=int, as_of=AS_OF)


def _sessions(work: Callable[[], Any], n: int = 1) -> list[Any]:
    """`work()` in `n` threads at once, each on its own connection (another session); their results, or
    the first error raised."""
    results: list[Any] = []
    errors: list[BaseException] = []
    start = threading.Barrier(n)

    def run() -> None:
        try:
            start.wait()
            results.append(work())
        except BaseException as error:  # noqa: BLE001 (handed back to the test)
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise errors[0]
    return results


def test_the_pruning_is_a_daily_job_and_does_nothing_on_sqlite() -> None:
    from django.utils.module_loading import import_string

    assert import_string(SCHEDULE["impact.recidivism_log_prune"][1]) is kept.prune
    if not POSTGRES:
        assert kept.prune() == {"dropped": 0, "left": 0, "skipped": 1}


@pytest.mark.skipif(not POSTGRES, reason="kept on PostgreSQL only")
def test_the_pruning_empties_the_log_and_leaves_figures_that_hold(varied, calls: list[Any]) -> None:  # noqa: F811
    program = varied["program"]
    _read(program, calls, computed=True)
    for _ in range(3):
        _write()
    _read(program, calls, computed=True)  # computed after the writes: holds
    assert _log() >= 3
    result = kept.prune()
    assert result["skipped"] == 0 and result["dropped"] >= 3 and result["left"] == 0
    assert _log() == 0
    _read(program, calls, computed=False)  # carried to the pruning's snapshot: still kept
    _write()
    _read(program, calls, computed=True)
    _read(program, calls, computed=False)


@pytest.mark.skipif(not POSTGRES, reason="kept on PostgreSQL only")
def test_a_value_older_than_the_horizon_is_never_used() -> None:
    """A value computed before a write that a pruning then dropped from the log: nothing in the log says it
    is stale any more, only the horizon does."""
    kept.prune()
    with connection.cursor() as cursor:
        old = changelog.snapshot(cursor)  # a computation begins
    _write()  # ... a write commits that it does not see ...
    assert _log() == 1
    assert kept.prune()["dropped"] >= 1  # ... and the pruning drops that write's entry
    assert _log() == 0
    key = kept.key_of("test", "older than the horizon")
    with connection.cursor() as cursor:  # ... and then the value is stored, as a race past the check would
        cursor.execute(
            f"INSERT INTO {kept.KEPT} (key, snapshot, log_table, as_of, computed_at, value) "  # noqa: S608
            f"VALUES (%s, %s, {kept.CHANGES.oid_sql()}, %s, now(), '1')",
            [key, old, AS_OF],
        )
    assert kept.fresh(key) is None
    computed: list[int] = []
    assert _keep(key, 2, computed) == 2 and computed == [2]  # computed again
    assert _keep(key, 3, computed) == 2 and computed == [2]  # and that one is kept
    # Without the horizon the old value would have passed as fresh: the horizon is what refuses it.
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {kept.KEPT} SET snapshot = %s WHERE key = %s",  # noqa: S608
            [old, key],
        )
        assert kept.fresh(key) is None
        cursor.execute(f"DELETE FROM {changelog.HORIZON} WHERE log = %s", [kept.LOG])  # noqa: S608
    assert kept.fresh(key) == 2


@pytest.mark.skipif(not POSTGRES, reason="kept on PostgreSQL only")
def test_a_value_whose_computation_a_pruning_overtook_is_not_stored() -> None:
    key = kept.key_of("test", "overtaken")
    computed: list[int] = []

    def compute() -> int:
        # Meanwhile, in other sessions: a write, and the pruning that drops its entry.
        _sessions(_write)
        assert _sessions(kept.prune)[0]["skipped"] == 0
        computed.append(1)
        return 1

    assert kept.kept(key, compute, encode=lambda v: v, decode=int, as_of=AS_OF) == 1
    assert not _stored(key)
    assert _keep(key, 2, computed) == 2 and _stored(key)
    assert _keep(key, 3, computed) == 2 and computed == [1, 2]


@pytest.mark.skipif(not POSTGRES, reason="kept on PostgreSQL only")
def test_the_pruning_skips_while_another_one_runs() -> None:
    _write()
    logged = _log()
    other = connections.create_connection("default")
    try:
        with other.cursor() as cursor:  # another pruning, between its lock and its commit
            cursor.execute("BEGIN")
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [kept.CHANGES.lock])
            assert kept.prune() == {"dropped": 0, "left": 0, "skipped": 1}
            assert _log() == logged
            cursor.execute("COMMIT")
    finally:
        other.close()
    # Several at once: each runs alone or skips; none fails, and the log ends empty.
    results = _sessions(kept.prune, 3)
    assert len(results) == 3 and any(r["skipped"] == 0 for r in results)
    assert _log() == 0


@pytest.mark.skipif(not POSTGRES, reason="kept on PostgreSQL only")
def test_a_horizon_from_another_cluster_is_ignored_and_replaced(varied, calls: list[Any]) -> None:  # noqa: F811
    """After a dump restored into another cluster: a horizon with another oid and ids this cluster has not
    reached is never read as a snapshot; the next pruning replaces it."""
    program = varied["program"]
    _read(program, calls, computed=True)
    ahead = (1 << 32) + 100
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {changelog.HORIZON} (log, snapshot, dropped, log_table) "  # noqa: S608
            "VALUES (%s, %s, %s, 1) ON CONFLICT (log) DO UPDATE SET snapshot = excluded.snapshot, "
            "dropped = excluded.dropped, log_table = excluded.log_table",
            [kept.LOG, f"{ahead}:{ahead + 5}:{ahead + 1}", str(ahead)],
        )
        cursor.execute(f"INSERT INTO {kept.LOG} (xid) VALUES (%s)", [str(ahead + 3)])  # noqa: S608
    # That entry is not seen by any snapshot here: the value no longer holds, but nothing fails.
    _read(program, calls, computed=True)
    assert kept.prune()["skipped"] == 0
    assert _log() == 0
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT log_table = {kept.CHANGES.oid_sql()} FROM {changelog.HORIZON} WHERE log = %s",  # noqa: S608
            [kept.LOG],
        )
        assert cursor.fetchone()[0] is True
    _read(program, calls, computed=True)  # the value kept meanwhile did not hold (that entry)
    _read(program, calls, computed=False)
