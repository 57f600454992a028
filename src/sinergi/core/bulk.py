"""Bulk upsert: COPY into a temporary table on PostgreSQL, batched INSERT ... ON CONFLICT on SQLite.

Rows are streamed from any iterable, so a caller never needs to hold a whole file in memory.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from itertools import islice
from typing import Any

from django.db import connection, transaction
from django.db.models import Model


def _batches(rows: Iterable[Sequence[Any]], size: int) -> Iterator[list[Sequence[Any]]]:
    iterator = iter(rows)
    while batch := list(islice(iterator, size)):
        yield batch


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
            with cursor.copy(f"COPY _sinergi_upsert ({column_list}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
                    count += 1
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
