"""Trigram indexes for the registry search on PostgreSQL (pg_trgm): name words and parts of a registration
number are LIKE '%…%' comparisons, which a btree cannot answer.

The search works without them (SQLite, or a PostgreSQL where the extension cannot be created), only slower,
so a database that refuses the extension skips the indexes instead of failing the migration.
"""

from django.db import migrations, transaction

POSTGRES = [
    "CREATE INDEX IF NOT EXISTS person_name_key_trgm ON beneficiaries_person USING gin (name_key gin_trgm_ops)",
    "CREATE INDEX IF NOT EXISTS episode_registration_trgm ON beneficiaries_custodyepisode "
    "USING gin ((UPPER(registration_number::text)) gin_trgm_ops)",
]
POSTGRES_REVERSE = [
    "DROP INDEX IF EXISTS person_name_key_trgm",
    "DROP INDEX IF EXISTS episode_registration_trgm",
]


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    try:
        with transaction.atomic(using=schema_editor.connection.alias):
            schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    except Exception:  # noqa: BLE001 (no extension: the search still works, by scanning)
        return
    for sql in POSTGRES:
        schema_editor.execute(sql)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for sql in POSTGRES_REVERSE:
        schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("beneficiaries", "0006_list_indexes")]

    operations = [migrations.RunPython(forwards, backwards)]
