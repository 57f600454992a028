"""Recidivism figures kept until what they count changes (PostgreSQL only; see impact/kept.py).

`impact_recidivismchange` holds the id of every transaction that wrote, by any means (the ORM, `UPDATE`
past `save()`, the registry import's COPY, a merge), a table the figures read: people, custody episodes,
integration events, programs, cohorts, enrolments, aftercare cases and re-offences. One statement trigger
per table, one row per transaction (`ON CONFLICT DO NOTHING` on the transaction's own id: writers never
wait for each other on it, unlike one shared counter row). `impact_recidivismkept` holds computed figures
by their key (programs, period, as-of day, windows), the snapshot taken before they read anything and the
log's table oid (a dump and restore gives new transaction ids and a new oid: a kept row then never
matches). Figures are used only while no logged transaction is invisible to their snapshot. The log
and its triggers are made by `core.changelog.statements`, as every change log is.

Neither table is managed by Django (derived data). SQLite keeps nothing and computes the figures live.
"""

from django.db import migrations

from sinergi.core import changelog

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

LOG, BACKWARD_LOG = changelog.statements(
    log="impact_recidivismchange", function="impact_recidivism_changed", trigger="recidivism_changed", tables=WATCHED
)
KEPT = (
    "CREATE TABLE impact_recidivismkept (key text NOT NULL PRIMARY KEY, snapshot text NOT NULL, "
    "log_table oid NOT NULL, as_of date NOT NULL, computed_at timestamptz NOT NULL, value jsonb NOT NULL)"
)
forward, backward = changelog.on_postgres(
    [*LOG, KEPT], ["DROP TABLE IF EXISTS impact_recidivismkept", *BACKWARD_LOG]
)


class Migration(migrations.Migration):
    dependencies = [
        ("impact", "0001_initial"),
        ("beneficiaries", "0018_due_index_release_date"),
        ("programs", "0005_screening_positions_and_background"),
        ("aftercare", "0006_case_opened_order"),
    ]

    operations = [migrations.RunPython(forward, backward)]
