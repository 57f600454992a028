"""Transaction-id change logs: values kept until what they were computed from changes (PostgreSQL only).

A change log is a table of transaction ids (`xid8`, the primary key). Statement triggers on the tables a
kept value reads insert the id of every transaction that writes one of them, whatever wrote it (the ORM,
an `UPDATE` past `save()`, a COPY, a merge): one row per transaction (`ON CONFLICT DO NOTHING` on its own
id), never a shared row, so writers do not wait for each other. `statements` gives a migration the SQL
that creates a log and its triggers; every log is made by it.

A kept value is stored with the snapshot taken before it read anything (`pg_current_snapshot()`, as text)
and the log table's oid. It is fresh (`holds`) while no logged transaction is invisible to that snapshot
(written since, or still running when it was computed), and, for a kept row that records the transaction
that kept it (`recorder`), while the log holds no entry of that transaction (see `advance`).

**Pruning and its horizon.** `prune` (a daily job per log) and `advance` delete the log entries a snapshot
saw (the horizon) and record that snapshot in `core_changehorizon`, one row per log (with the one id above
the horizon they may also have dropped: the keeping transaction's own). A deleted entry is then something
every snapshot that sees at least what the horizon saw has seen too; a kept value whose snapshot does not
(it is older than the horizon, or does not see the dropped id) could have needed a deleted entry, so it is
stale: never used (`holds`), never stored (`covers`, `advance`). `prune` first carries the kept values that
still hold to its own snapshot (nothing they did not see was written, so they are as true as of it) and
marks the others stale, so pruning costs a kept value nothing while it holds.

Pruning runs in its own transaction, under the log's advisory lock taken exclusively without waiting (it
skips the day when it cannot): a user of the log that must not be overtaken by a new horizon holds the lock
shared from before its snapshot until its transaction ends (the registry import). Two prunes of one log
never run at once; the horizon row is locked while it moves, and a horizon only moves to a snapshot that
sees everything the recorded one saw.

**Another cluster.** A dump restored elsewhere has new transaction ids and new table oids: a kept row or a
horizon whose oid is not the log table's is never read as a snapshot (its ids may be past what this
cluster accepts), a kept row then never holds, such a horizon is replaced whatever it says, and log
entries with ids this cluster has not reached are dropped whenever the log is pruned (a genuine entry
visible to a statement committed before its snapshot, so its id is below that snapshot's horizon).

SQLite (tests, `make run`) has no log: nothing is kept and nothing is pruned.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction

HORIZON = "core_changehorizon"
_NAME = re.compile(r"^[a-z_][a-z0-9_]*$")


def _name(text: str) -> str:
    if not _NAME.match(text):
        raise ValueError(f"not a plain SQL name: {text!r}")
    return text


@dataclass(frozen=True)
class ChangeLog:
    """A change log and the table of values kept against it.

    `kept` has the columns `snapshot text` ('' for none) and `log_table oid`, and `recorder xid8` when
    `recorder` is true (the transaction that kept the row: see `advance`). `delete_stale`: stale kept rows
    are deleted by `prune`, else only marked stale (their snapshot set to ''). `lock`: the advisory lock key
    `prune` takes exclusively (its users may hold it shared)."""

    log: str
    kept: str
    lock: int
    recorder: bool = False
    delete_stale: bool = True

    def __post_init__(self) -> None:
        _name(self.log)
        _name(self.kept)

    def oid_sql(self) -> str:
        return f"CAST(to_regclass('{self.log}') AS oid)"

    def covers(self, snapshot: str, recorder: str = "NULL") -> str:
        """SQL: the snapshot (an SQL text expression) is not older than the recorded horizon (it sees every
        transaction the horizon saw, and the id dropped above it, unless it is that transaction's own:
        `recorder`). True when no horizon is recorded or it comes from another cluster."""
        return (
            f"NOT EXISTS (SELECT 1 FROM {HORIZON} h WHERE h.log = '{self.log}' "  # noqa: S608 (fixed names)
            f"AND CASE WHEN h.log_table = {self.oid_sql()} AND h.snapshot <> '' "
            f"THEN NOT COALESCE({_sees_all('h.snapshot', snapshot, 'h.dropped', recorder)}, false) "
            "ELSE false END)"
        )

    def holds(self, alias: str) -> str:
        """SQL: the kept row `alias` is fresh: kept in this cluster, not older than the horizon, and no
        logged transaction is one its snapshot did not see (or the one that kept it). CASE keeps that order:
        a snapshot of another cluster is never cast."""
        a = _name(alias)
        snapshot = f"CAST({a}.snapshot AS pg_snapshot)"
        recorder = f"{a}.recorder" if self.recorder else "NULL"
        mine = f" OR c.xid = {a}.recorder" if self.recorder else ""
        return (
            f"CASE WHEN {a}.log_table = {self.oid_sql()} AND {a}.snapshot <> '' THEN "  # noqa: S608
            f"NOT EXISTS (SELECT 1 FROM {self.log} c WHERE (c.xid >= pg_snapshot_xmin({snapshot}) "
            f"AND NOT pg_visible_in_snapshot(c.xid, {snapshot})){mine}) "
            f"AND {self.covers(f'{a}.snapshot', recorder)} ELSE false END"
        )


def _sees_all(old: str, new: str, dropped: str, recorder: str) -> str:
    """SQL: the snapshot `new` sees every transaction `old` saw (old's horizon is not past new's, and whatever
    new saw running below old's horizon, old saw running as well), and the transaction `dropped` (unless it
    is `recorder`: the row kept by that very transaction)."""
    o, n = f"CAST({old} AS pg_snapshot)", f"CAST({new} AS pg_snapshot)"
    return (
        f"(pg_snapshot_xmax({o}) <= pg_snapshot_xmax({n}) AND NOT EXISTS "  # noqa: S608 (fixed names)
        f"(SELECT 1 FROM pg_snapshot_xip({n}) x WHERE x < pg_snapshot_xmax({o}) "
        f"AND x NOT IN (SELECT pg_snapshot_xip({o}))) "
        f"AND ({dropped} IS NULL OR COALESCE({dropped} = {recorder}, false) "
        f"OR pg_visible_in_snapshot({dropped}, {n})))"
    )


def enabled() -> bool:
    return connection.vendor == "postgresql"


def snapshot(cursor: Any) -> str:
    cursor.execute("SELECT CAST(pg_current_snapshot() AS text)")
    return str(cursor.fetchone()[0])


def exists(cursor: Any, log: ChangeLog) -> bool:
    """Whether the log and the horizon table are in place (PostgreSQL, migrated)."""
    cursor.execute(
        "SELECT to_regclass(%s) IS NOT NULL AND to_regclass(%s) IS NOT NULL AND to_regclass(%s) IS NOT NULL",
        [log.log, log.kept, HORIZON],
    )
    return bool(cursor.fetchone()[0])


def advance(cursor: Any, log: ChangeLog, new: str, *, dropped: bool = False) -> int | None:
    """Move the log's horizon to the snapshot `new` (in the caller's transaction, which it locks the horizon
    row for): only when `new` sees everything the recorded horizon saw (a horizon never moves back), else
    None and nothing changes. Deletes the entries `new` saw, and entries with ids this cluster has not
    reached (a restore from another cluster). With `dropped`, also this transaction's own entry, recorded as
    dropped above the horizon: a snapshot that does not see this transaction is then older than the
    horizon, and an entry of it written afterwards (a later write of the same transaction) is logged anew.
    Returns the entries deleted."""
    cursor.execute(
        f"INSERT INTO {HORIZON} (log, snapshot, dropped, log_table) "  # noqa: S608 (fixed names)
        f"VALUES (%s, '', NULL, {log.oid_sql()}) ON CONFLICT (log) DO NOTHING",
        [log.log],
    )
    cursor.execute(f"SELECT 1 FROM {HORIZON} WHERE log = %s FOR UPDATE", [log.log])  # noqa: S608
    cursor.execute(
        f"SELECT {log.covers('s.new', 'pg_current_xact_id_if_assigned()')} "  # noqa: S608 (fixed names)
        "FROM (SELECT CAST(%s AS text) AS new) s",
        [new],
    )
    if not cursor.fetchone()[0]:
        return None
    cursor.execute(
        f"UPDATE {HORIZON} SET snapshot = %s, log_table = {log.oid_sql()}, "  # noqa: S608
        f"dropped = {'pg_current_xact_id()' if dropped else 'NULL'} WHERE log = %s",
        [new, log.log],
    )
    # Ids this cluster has not reached are at or past this statement's xmax, and so is this transaction's
    # own id (it began after its snapshot's horizon was taken, or is the newest): that entry goes only when
    # it is recorded as dropped, else a kept value that never saw this transaction's writes would be fresh.
    own = "xid = pg_current_xact_id() OR " if dropped else ""
    cursor.execute(
        f"DELETE FROM {log.log} WHERE pg_visible_in_snapshot(xid, CAST(%s AS pg_snapshot)) "  # noqa: S608
        f"OR {own}(xid >= pg_snapshot_xmax(pg_current_snapshot()) AND xid <> pg_current_xact_id())",
        [new],
    )
    return int(cursor.rowcount)


def prune(log: ChangeLog) -> dict[str, int]:
    """Keep the log short (a daily job): in its own transaction, under the log's lock (not waited for), the
    kept rows that still hold are carried to this transaction's snapshot, the others are marked stale (or
    deleted), and the horizon moves to that snapshot (`advance`). Returns the entries dropped and left;
    nothing on SQLite, inside an outer transaction, or while the lock is held elsewhere."""
    result = {"dropped": 0, "left": 0, "skipped": 1}
    if not enabled() or connection.in_atomic_block:
        return result
    with transaction.atomic(), connection.cursor() as cursor:
        if not exists(cursor, log):
            return result
        cursor.execute("SELECT pg_try_advisory_xact_lock(%s)", [log.lock])
        if not cursor.fetchone()[0]:
            return result
        now = snapshot(cursor)
        # A kept row whose keeper this snapshot does not see cannot be carried to it (the keeper's own entry
        # is gone): only with the lock held elsewhere, so never here; checked all the same.
        keeper = " AND (k.recorder IS NULL OR pg_visible_in_snapshot(k.recorder, CAST(%s AS pg_snapshot)))"
        recorder = ", recorder = NULL" if log.recorder else ""
        holds = f"{log.holds('k')}{keeper if log.recorder else ''}"
        cursor.execute(
            f"UPDATE {log.kept} k SET snapshot = CASE WHEN {holds} THEN %s ELSE '' END, "  # noqa: S608
            f"log_table = {log.oid_sql()}{recorder} WHERE k.snapshot <> ''",
            [now, now] if log.recorder else [now],
        )
        if log.delete_stale:
            cursor.execute(f"DELETE FROM {log.kept} WHERE snapshot = ''")  # noqa: S608
        dropped = advance(cursor, log, now)
        if dropped is None:
            transaction.set_rollback(True)
            return result
        cursor.execute(f"SELECT COUNT(*) FROM {log.log}")  # noqa: S608
        return {"dropped": dropped, "left": int(cursor.fetchone()[0]), "skipped": 0}


# --- Migrations -----------------------------------------------------------------------------------------


def statements(
    *, log: str, function: str, trigger: str, tables: Sequence[str]
) -> tuple[list[str], list[str]]:
    """The SQL that creates the change log `log` with the trigger function `function` and a statement
    trigger `<table>_<trigger>` on each of `tables`, and the SQL that drops them again."""
    for name in (log, function, trigger, *tables):
        _name(name)
    forward = [
        f"CREATE TABLE {log} (xid xid8 NOT NULL PRIMARY KEY)",
        f"CREATE FUNCTION {function}() RETURNS trigger LANGUAGE plpgsql AS $$ "  # noqa: S608 (fixed names)
        f"BEGIN INSERT INTO {log} (xid) VALUES (pg_current_xact_id()) "
        "ON CONFLICT DO NOTHING; RETURN NULL; END $$",
        *(
            f"CREATE TRIGGER {table}_{trigger} AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {table} "
            f"FOR EACH STATEMENT EXECUTE FUNCTION {function}()"
            for table in tables
        ),
    ]
    backward = [
        *(f"DROP TRIGGER IF EXISTS {table}_{trigger} ON {table}" for table in tables),
        f"DROP FUNCTION IF EXISTS {function}()",
        f"DROP TABLE IF EXISTS {log}",
    ]
    return forward, backward


def on_postgres(
    forward: Sequence[str], backward: Sequence[str]
) -> tuple[Callable[..., None], Callable[..., None]]:
    """RunPython functions that run these statements on PostgreSQL and nothing elsewhere."""

    def run(statements: Sequence[str]) -> Callable[..., None]:
        def apply(apps: Any, schema_editor: Any) -> None:
            if schema_editor.connection.vendor == "postgresql":
                for statement in statements:
                    schema_editor.execute(statement)

        return apply

    return run(forward), run(backward)
