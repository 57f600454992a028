"""Recidivism figures kept until what they count changes (PostgreSQL only; see impact/kept.py).

`impact_recidivismchange` holds the id of every transaction that wrote, by any means (the ORM, `UPDATE`
past `save()`, the registry import's COPY, a merge), a table the figures read: people, custody episodes,
integration events, programs, cohorts, enrolments, aftercare cases and re-offences. One statement trigger
per table, one row per transaction (`ON CONFLICT DO NOTHING` on the transaction's own id: writers never
wait for each other on it, unlike one shared counter row). `impact_recidivismkept` holds computed figures
by their key (programs, period, as-of day, windows), the snapshot taken before they read anything and the
log's table oid (a dump and restore gives new transaction ids and a new oid: a kept row then never
matches). Figures are used only while no logged transaction is invisible to their snapshot.

Neither table is managed by Django (derived data). SQLite keeps nothing and computes the figures live.
"""

from django.db import migrations

WATCHED = [
    "beneficiaries_person",
    "beneficiaries_custodyepisode",
    "beneficiaries_integrationevent",
    "programs_program",
    "programs_cohort",
    "programs_enrollment",
    "aftercare_aftercarecase",
    "aftercare_reoffence",
]

FORWARD = [
    "CREATE TABLE impact_recidivismchange (xid xid8 NOT NULL PRIMARY KEY)",
    "CREATE TABLE impact_recidivismkept (key text NOT NULL PRIMARY KEY, snapshot text NOT NULL, "
    "log_table oid NOT NULL, as_of date NOT NULL, computed_at timestamptz NOT NULL, value jsonb NOT NULL)",
    "CREATE FUNCTION impact_recidivism_changed() RETURNS trigger LANGUAGE plpgsql AS $$ "
    "BEGIN INSERT INTO impact_recidivismchange (xid) VALUES (pg_current_xact_id()) "
    "ON CONFLICT DO NOTHING; RETURN NULL; END $$",
    *(
        f"CREATE TRIGGER {table}_recidivism_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {table} "
        "FOR EACH STATEMENT EXECUTE FUNCTION impact_recidivism_changed()"
        for table in WATCHED
    ),
]

BACKWARD = [
    *(f"DROP TRIGGER IF EXISTS {table}_recidivism_changed ON {table}" for table in WATCHED),
    "DROP FUNCTION IF EXISTS impact_recidivism_changed()",
    "DROP TABLE IF EXISTS impact_recidivismkept",
    "DROP TABLE IF EXISTS impact_recidivismchange",
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
        ("impact", "0001_initial"),
        ("beneficiaries", "0018_due_index_release_date"),
        ("programs", "0005_screening_positions_and_background"),
        ("aftercare", "0006_case_opened_order"),
    ]

    operations = [migrations.RunPython(forward, backward)]
