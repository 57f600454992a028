"""Figures kept until what they count changes (PostgreSQL; migration 0002_recidivism_kept).

Recidivism at national scope reads every release of the period and every enrolment in scope (seconds to
tens of seconds); the dashboards, the impact pages and the joint report ask for the same figures again and
again while the registry and the enrolments they count do not change. A computed value is kept by its key
(what it was computed from: the programs, the period, the as-of day, the windows) with the snapshot taken
before it read anything. Statement triggers log the id of every transaction that writes a table the figures
read, whatever wrote it (the ORM, an `UPDATE` past `save()`, the import's COPY, a merge): one row per
transaction, never a shared row, so writers do not wait for each other. A kept value is used only when no
logged transaction is invisible to its snapshot (`pg_visible_in_snapshot`): anything written since, or
still in progress when it was computed, makes it stale, and it is computed again, live, as before. So a
page never shows figures older than the data. SQLite (tests, `make run`) keeps nothing.

The snapshot is taken before the first read; every read after it sees at least what it saw, so a value may
count a little more than its snapshot (a write committed meanwhile), and that write's transaction, not
visible to the snapshot, makes the value stale at once: never a value older than the data, at worst one
computed again. A transaction that has written anything computes live and keeps nothing (`kept`): its own
transaction id is visible to its own snapshot, so its later writes could not be told from the earlier ones.

The log is not pruned (one row of 8 bytes per writing transaction; the staleness check reads only the ids
at or after each kept snapshot's horizon, by the primary key); kept values computed more than a day ago are
deleted when a new one is stored.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable
from typing import Any, TypeVar

from django.db import connection, transaction

T = TypeVar("T")

LOG = "impact_recidivismchange"
KEPT = "impact_recidivismkept"
#: Part of every key: change it when what a kept value means or how it is encoded changes.
VERSION = "1"


def enabled() -> bool:
    return connection.vendor == "postgresql"


def key_of(*parts: Any) -> str:
    text = json.dumps([VERSION, *parts], default=str, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def fresh(key: str) -> Any:
    """The kept value under `key` when nothing it read was written since it was computed, else None (one
    statement: the kept row and the log are read in the same snapshot)."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT k.value FROM {KEPT} k WHERE k.key = %s "  # noqa: S608 (fixed names)
            "AND k.log_table = CAST(to_regclass(%s) AS oid) "
            f"AND NOT EXISTS (SELECT 1 FROM {LOG} c "
            "WHERE c.xid >= pg_snapshot_xmin(CAST(k.snapshot AS pg_snapshot)) "
            "AND NOT pg_visible_in_snapshot(c.xid, CAST(k.snapshot AS pg_snapshot)))",
            [key, LOG],
        )
        found = cursor.fetchone()
    if found is None:
        return None
    value = found[0]
    return json.loads(value) if isinstance(value, str) else value


def kept(
    key: str,
    compute: Callable[[], T],
    *,
    encode: Callable[[T], Any],
    decode: Callable[[Any], T],
    as_of: dt.date,
) -> T:
    """`compute()`, or the value kept under `key` while it is fresh (`fresh`); on PostgreSQL the computed
    value is kept with the snapshot taken before it read anything."""
    if not enabled():
        return compute()
    with connection.cursor() as cursor:
        # The snapshot before anything the value counts is read.
        cursor.execute(
            "SELECT CAST(pg_current_snapshot() AS text), pg_current_xact_id_if_assigned() IS NULL, "
            "to_regclass(%s) IS NOT NULL",
            [KEPT],
        )
        snapshot, clean, exists = cursor.fetchone()
    if not exists or not clean:
        # This transaction has written: its own writes are visible to its snapshot, and later writes of the
        # same transaction could not be told from them (it is logged once). Computed live, not kept.
        return compute()
    found = fresh(key)
    if found is not None:
        return decode(found)
    value = compute()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {KEPT} WHERE computed_at < now() - interval '1 day'")  # noqa: S608
        cursor.execute(
            f"INSERT INTO {KEPT} (key, snapshot, log_table, as_of, computed_at, value) "  # noqa: S608
            "VALUES (%s, %s, CAST(to_regclass(%s) AS oid), %s, now(), CAST(%s AS jsonb)) "
            "ON CONFLICT (key) DO UPDATE SET snapshot = excluded.snapshot, log_table = excluded.log_table, "
            "as_of = excluded.as_of, computed_at = excluded.computed_at, value = excluded.value",
            [key, snapshot, LOG, as_of, json.dumps(encode(value))],
        )
    return value
