"""The registry change log's horizon moves to `core_changehorizon` (PostgreSQL only; see core/changelog.py).

Until now the kept file's own snapshot and recorder stood for what the log had lost: the import deleted
the entries its snapshot saw, and its own. They become the log's recorded horizon, so that a snapshot that
does not see them is stale from the start, as it was. Nothing on SQLite.
"""

from django.db import migrations

from sinergi.core import changelog

forward, backward = changelog.on_postgres(
    [
        f"INSERT INTO {changelog.HORIZON} (log, snapshot, dropped, log_table) "
        "SELECT 'beneficiaries_registrychange', snapshot, recorder, log_table "
        "FROM beneficiaries_importedfile WHERE snapshot <> '' "
        "ON CONFLICT (log) DO NOTHING"
    ],
    [f"DELETE FROM {changelog.HORIZON} WHERE log = 'beneficiaries_registrychange'"],
)


class Migration(migrations.Migration):
    dependencies = [("beneficiaries", "0018_due_index_release_date"), ("core", "0001_change_horizon")]

    operations = [migrations.RunPython(forward, backward)]
