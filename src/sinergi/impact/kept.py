"""Figures kept until what they count changes (PostgreSQL; migration 0002_recidivism_kept, `core.changelog`).

Recidivism at national scope reads every release of the period and every enrolment in scope (seconds to
tens of seconds); the dashboards, the impact pages and the joint report ask for the same figures again and
again while the registry and the enrolments they count do not change. A computed value is kept by its key
(what it was computed from: the programs, the period, the as-of day, the windows) with the snapshot taken
before it read anything. The change log `impact_recidivismchange` (`core.changelog`: statement triggers on
the eight tables the figures read, whatever writes them) holds the id of every transaction that wrote one
of them. A kept value is used only while it holds (`ChangeLog.holds`): no logged transaction is invisible
to its snapshot (anything written since, or still in progress when it was computed, makes it stale, and it
is computed again, live, as before), and its snapshot is not older than the log's pruning horizon. So a
page never shows figures older than the data. SQLite (tests, `make run`) keeps nothing.

The snapshot is taken before the first read; every read after it sees at least what it saw, so a value may
count a little more than its snapshot (a write committed meanwhile), and that write's transaction, not
visible to the snapshot, makes the value stale at once: never a value older than the data, at worst one
computed again. A transaction that has written computes live and keeps nothing (`kept`): its own
transaction id is visible to its own snapshot, so its later writes could not be told from the earlier ones.

The log is pruned daily (`prune`, the job `impact.recidivism_log_prune`): the entries its snapshot saw
are deleted and that snapshot is recorded as the horizon; kept values that still hold are carried to it,
the others are deleted. A value whose computation began before a pruning (its snapshot older than the
horizon) is not stored, and if it was stored meanwhile, it is never used. Kept values computed more than
a day ago are deleted when a new one is stored.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable
from typing import Any, TypeVar

from django.db import connection, transaction

from sinergi.core import changelog

T = TypeVar("T")

LOG = "impact_recidivismchange"
KEPT = "impact_recidivismkept"
#: The figures' change log, pruned by the job under its own lock (no reader holds it: a computation the
#: pruning overtook keeps nothing).
CHANGES = changelog.ChangeLog(log=LOG, kept=KEPT, lock=0x53494E4552474932)  # "SINERGI2"
#: Part of every key: change it when what a kept value means or how it is encoded changes.
VERSION = "1"


def enabled() -> bool:
    return changelog.enabled()


def key_of(*parts: Any) -> str:
    text = json.dumps([VERSION, *parts], default=str, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def fresh(key: str) -> Any:
    """The kept value under `key` when nothing it read was written since it was computed, else None (one
    statement: the kept row and the log are read in the same snapshot)."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT k.value FROM {KEPT} k WHERE k.key = %s AND {CHANGES.holds('k')}",  # noqa: S608 (fixed names)
            [key],
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
            "to_regclass(%s) IS NOT NULL AND to_regclass(%s) IS NOT NULL",
            [KEPT, changelog.HORIZON],
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
            # Not stored when a pruning overtook the computation (its snapshot is older than the horizon).
            f"INSERT INTO {KEPT} (key, snapshot, log_table, as_of, computed_at, value) "  # noqa: S608
            f"SELECT %s, s.snapshot, {CHANGES.oid_sql()}, %s, now(), CAST(%s AS jsonb) "
            f"FROM (SELECT CAST(%s AS text) AS snapshot) s WHERE {CHANGES.covers('s.snapshot')} "
            "ON CONFLICT (key) DO UPDATE SET snapshot = excluded.snapshot, log_table = excluded.log_table, "
            "as_of = excluded.as_of, computed_at = excluded.computed_at, value = excluded.value",
            [key, as_of, json.dumps(encode(value)), snapshot],
        )
    return value


def prune() -> dict[str, int]:
    """Keep the figures' change log short (a daily job; `core.changelog.prune`)."""
    return changelog.prune(CHANGES)
