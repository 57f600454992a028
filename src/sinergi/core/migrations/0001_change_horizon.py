"""The change logs' recorded horizons (PostgreSQL only; see core/changelog.py).

`core_changehorizon` holds one row per change log: the snapshot whose entries its last pruning deleted
(text, '' for none), the one transaction id it may have dropped above that snapshot (the keeping
transaction's own) and the log table's oid (a dump restored into another cluster: a horizon with another
oid is ignored and replaced). A kept value whose snapshot does not see everything the horizon saw is stale.

Not managed by Django (derived data: `sinergi backup` leaves it out). SQLite has no change log.
"""

from django.db import migrations

from sinergi.core import changelog

forward, backward = changelog.on_postgres(
    [
        f"CREATE TABLE {changelog.HORIZON} (log text NOT NULL PRIMARY KEY, snapshot text NOT NULL, "
        "dropped xid8, log_table oid NOT NULL)"
    ],
    [f"DROP TABLE IF EXISTS {changelog.HORIZON}"],
)


class Migration(migrations.Migration):
    dependencies: list[tuple[str, str]] = []

    operations = [migrations.RunPython(forward, backward)]
