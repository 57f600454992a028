"""The registry import's whole-file shortcut (PostgreSQL only; see services/imports.py, `_LastFile`).

`beneficiaries_importedfile` keeps one row: the keyed digest of the last file found wholly unchanged, its
row count, the snapshot taken before that import read anything, the transaction that recorded it and the
change log's table oid (a dump and restore gives the log a new oid and new transaction ids: the kept row
then never matches). `beneficiaries_registrychange` holds the id of every transaction that wrote, by any
means, a table the import's unchanged verdict reads (people, episodes, imported rows, organisations,
sentence rulesets, reference datasets): one statement trigger per table, one row per transaction (a COPY
of 300,000 people adds one row, not 300,000). A file is known unchanged without reading its rows only when
its digest is the kept one and no transaction in the log is invisible to the kept snapshot.

Neither table is managed by Django (derived data: `sinergi backup` leaves them out, and a restore's writes
are logged, so the first import after it takes the full path). SQLite keeps no log and has no shortcut.
The log and its triggers are made by `core.changelog.statements`, as every change log is.
"""

from django.db import migrations

from sinergi.core import changelog

WATCHED = [
    "beneficiaries_person",
    "beneficiaries_custodyepisode",
    "beneficiaries_importedrow",
    "beneficiaries_sentenceruleset",
    "accounts_organisation",
    "regions_referencedataset",
]

LOG, BACKWARD_LOG = changelog.statements(
    log="beneficiaries_registrychange",
    function="beneficiaries_registry_changed",
    trigger="registry_changed",
    tables=WATCHED,
)
KEPT = [
    "CREATE TABLE beneficiaries_importedfile (id integer NOT NULL PRIMARY KEY CHECK (id = 1), "
    "digest text NOT NULL, rows integer NOT NULL, snapshot text NOT NULL, recorder xid8, "
    "log_table oid NOT NULL)",
    "INSERT INTO beneficiaries_importedfile VALUES (1, '', 0, '', NULL, 0)",
]
forward, backward = changelog.on_postgres(
    [*LOG, *KEPT], ["DROP TABLE IF EXISTS beneficiaries_importedfile", *BACKWARD_LOG]
)


class Migration(migrations.Migration):
    dependencies = [
        ("beneficiaries", "0015_forget_unkeyed_row_hashes"),
        ("accounts", "__first__"),
        ("regions", "__first__"),
    ]

    operations = [migrations.RunPython(forward, backward)]
