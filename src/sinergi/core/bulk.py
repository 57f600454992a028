"""Bulk upsert: COPY into a temporary table on PostgreSQL, batched INSERT ... ON CONFLICT on SQLite.

Rows are streamed from any iterable, so a caller never needs to hold a whole file in memory.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from itertools import islice
from typing import Any

from django.db import connection, transaction
from django.db.models import Model


def _batches(rows: Iterable[Sequence[Any]], size: int) -> Iterator[list[Sequence[Any]]]:
    iterator = iter(rows)
    while batch := list(islice(iterator, size)):
        yield batch


def _copy(cursor: Any, table: str, column_list: str, rows: Iterable[Sequence[Any]]) -> int:
    """COPY `rows` into `table` (both quoted already) on PostgreSQL; returns how many were sent."""
    count = 0
    with cursor.copy(f"COPY {table} ({column_list}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)
            count += 1
    return count


def bulk_upsert(
    model: type[Model], columns: Sequence[str], rows: Iterable[Sequence[Any]], *, batch_size: int = 5000
) -> int:
    """Insert or update `rows` (tuples in `columns` order, primary key first) in one transaction.

    Returns the number of rows sent. Rows whose values are unchanged are left untouched.
    """
    table = connection.ops.quote_name(model._meta.db_table)
    quoted = [connection.ops.quote_name(model._meta.get_field(c).column) for c in columns]  # type: ignore[union-attr,arg-type]
    key, rest = quoted[0], quoted[1:]
    column_list = ", ".join(quoted)
    updates = ", ".join(f"{c} = excluded.{c}" for c in rest)
    changed = " OR ".join(f"{table}.{c} IS DISTINCT FROM excluded.{c}" for c in rest)
    if connection.vendor == "sqlite":
        changed = " OR ".join(f"{table}.{c} IS NOT excluded.{c}" for c in rest)
    count = 0
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                f"CREATE TEMPORARY TABLE _sinergi_upsert (LIKE {table} INCLUDING DEFAULTS) ON COMMIT DROP"
            )
            count = _copy(cursor, "_sinergi_upsert", column_list, rows)
            cursor.execute(
                f"INSERT INTO {table} ({column_list}) SELECT {column_list} FROM _sinergi_upsert "  # noqa: S608
                f"ON CONFLICT ({key}) DO UPDATE SET {updates} WHERE {changed}"
            )
            cursor.execute("DROP TABLE _sinergi_upsert")
        else:
            placeholders = ", ".join(["%s"] * len(columns))
            sql = (
                f"INSERT INTO {table} ({column_list}) VALUES ({placeholders}) "  # noqa: S608
                f"ON CONFLICT ({key}) DO UPDATE SET {updates} WHERE {changed}"
            )
            for batch in _batches(rows, batch_size):
                cursor.executemany(sql, batch)
                count += len(batch)
    return count


def _quoted(model: type[Model], columns: Sequence[str]) -> list[str]:
    return [connection.ops.quote_name(model._meta.get_field(c).column) for c in columns]  # type: ignore[union-attr,arg-type]


def allocate_ids(model: type[Model], count: int) -> list[int]:
    """Reserve `count` primary keys for rows about to be inserted in bulk (call inside the transaction).

    PostgreSQL draws them from the table's sequence; SQLite continues after the highest id, which is safe
    because a write transaction on SQLite holds the database's only write lock.
    """
    if count <= 0:
        return []
    table = model._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [table, model._meta.pk.column, count],
            )
            return [int(row[0]) for row in cursor.fetchall()]
        cursor.execute(
            f"SELECT COALESCE(MAX({connection.ops.quote_name(model._meta.pk.column)}), 0) "  # noqa: S608
            f"FROM {connection.ops.quote_name(table)}"
        )
        start = int(cursor.fetchone()[0]) + 1
    return list(range(start, start + count))


def insert_rows(
    table: str,
    columns: Sequence[str],
    rows: Iterable[Sequence[Any]],
    *,
    batch_size: int = 5000,
    sqlite_value: Callable[[Any], Any] | None = None,
) -> int:
    """Insert `rows` (tuples in `columns` order, ids included) into the table named `table`, by database
    column names, streamed: COPY on PostgreSQL, one prepared statement a batch on SQLite (each value passed
    through `sqlite_value` first, where given). Returns how many rows were written."""
    quoted = connection.ops.quote_name(table)
    column_list = ", ".join(connection.ops.quote_name(c) for c in columns)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            return _copy(cursor, quoted, column_list, rows)
        placeholders = ", ".join(["%s"] * len(columns))
        sql = f"INSERT INTO {quoted} ({column_list}) VALUES ({placeholders})"  # noqa: S608
        count = 0
        for batch in _batches(rows, batch_size):
            if sqlite_value is not None:
                batch = [[sqlite_value(value) for value in row] for row in batch]
            cursor.executemany(sql, batch)
            count += len(batch)
    return count


def bulk_insert(model: type[Model], columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> int:
    """Insert rows (primary key included; `columns` are field names) with COPY on PostgreSQL, or a
    prepared statement on SQLite."""
    if not rows:
        return 0
    fields = [model._meta.get_field(c).column for c in columns]  # type: ignore[union-attr]
    insert_rows(model._meta.db_table, fields, rows)  # type: ignore[arg-type]
    return len(rows)


def bulk_update_rows(
    model: type[Model],
    columns: Sequence[str],
    rows: Sequence[Sequence[Any]],
    *,
    increment: Sequence[str] = (),
) -> int:
    """Update rows by primary key: `columns[0]` is the key, the rest are the new values.

    PostgreSQL copies the new values into a temporary table and updates with one join; SQLite runs one
    prepared statement per row. Columns in `increment` (such as `version`) go up by one on every updated row,
    so an edit form opened before the update conflicts instead of overwriting it.
    """
    if not rows:
        return 0
    table = connection.ops.quote_name(model._meta.db_table)
    quoted = _quoted(model, columns)
    key, rest = quoted[0], quoted[1:]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            column_list = ", ".join(quoted)
            # CREATE ... AS copies only these columns, without the table's NOT NULL constraints.
            cursor.execute(
                f"CREATE TEMPORARY TABLE _sinergi_update ON COMMIT DROP AS SELECT {column_list} FROM {table} "  # noqa: S608
                "WITH NO DATA"
            )
            _copy(cursor, "_sinergi_update", column_list, rows)
            bumps = [connection.ops.quote_name(c) for c in increment]
            assignments = ", ".join([f"{c} = u.{c}" for c in rest] + [f"{c} = t.{c} + 1" for c in bumps])
            cursor.execute(
                f"UPDATE {table} AS t SET {assignments} FROM _sinergi_update AS u "  # noqa: S608
                f"WHERE t.{key} = u.{key}"
            )
            cursor.execute("DROP TABLE _sinergi_update")
        else:
            bumps = [connection.ops.quote_name(c) for c in increment]
            assignments = ", ".join([f"{c} = %s" for c in rest] + [f"{c} = {c} + 1" for c in bumps])
            cursor.executemany(
                f"UPDATE {table} SET {assignments} WHERE {key} = %s",  # noqa: S608
                [(*row[1:], row[0]) for row in rows],
            )
    return len(rows)
