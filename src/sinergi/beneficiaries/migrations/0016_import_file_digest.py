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
"""

from django.db import migrations

WATCHED = [
    "beneficiaries_person",
    "beneficiaries_custodyepisode",
    "beneficiaries_importedrow",
    "beneficiaries_sentenceruleset",
    "accounts_organisation",
    "regions_referencedataset",
]

FORWARD = [
    "CREATE TABLE beneficiaries_registrychange (xid xid8 NOT NULL PRIMARY KEY)",
    "CREATE TABLE beneficiaries_importedfile (id integer NOT NULL PRIMARY KEY CHECK (id = 1), "
    "digest text NOT NULL, rows integer NOT NULL, snapshot text NOT NULL, recorder xid8, "
    "log_table oid NOT NULL)",
    "INSERT INTO beneficiaries_importedfile VALUES (1, '', 0, '', NULL, 0)",
    "CREATE FUNCTION beneficiaries_registry_changed() RETURNS trigger LANGUAGE plpgsql AS $$ "
    "BEGIN INSERT INTO beneficiaries_registrychange (xid) VALUES (pg_current_xact_id()) "
    "ON CONFLICT DO NOTHING; RETURN NULL; END $$",
    *(
        f"CREATE TRIGGER {table}_registry_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {table} "
        "FOR EACH STATEMENT EXECUTE FUNCTION beneficiaries_registry_changed()"
        for table in WATCHED
    ),
]

BACKWARD = [
    *(f"DROP TRIGGER IF EXISTS {table}_registry_changed ON {table}" for table in WATCHED),
    "DROP FUNCTION IF EXISTS beneficiaries_registry_changed()",
    "DROP TABLE IF EXISTS beneficiaries_importedfile",
    "DROP TABLE IF EXISTS beneficiaries_registrychange",
]


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in FORWARD:
            schema_editor.execute(statement)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in BACKWARD:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [
        ("beneficiaries", "0015_forget_unkeyed_row_hashes"),
        ("accounts", "__first__"),
        ("regions", "__first__"),
    ]

    operations = [migrations.RunPython(forward, backward)]
