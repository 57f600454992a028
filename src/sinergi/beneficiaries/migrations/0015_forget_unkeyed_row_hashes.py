"""The registry import's row hashes (`ImportedRow.row_hash`) are now keyed with a subkey of the field key:
the earlier ones were unkeyed hashes of rows that hold a NIK, which could be brute-forced from the
database. They are deleted; the next import of a file checks its rows in full once and keeps keyed
hashes (nothing is written to the people or episodes when nothing changed)."""

from django.db import migrations


def forget(apps, schema_editor):
    apps.get_model("beneficiaries", "ImportedRow").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("beneficiaries", "0014_episode_left_on")]

    operations = [migrations.RunPython(forget, migrations.RunPython.noop)]
