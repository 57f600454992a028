"""The people whose normalised name holds a digit, as a partial index on PostgreSQL (none in the national
data; a name rarely holds one).

A registry search whose text has a digit (the start of a registration number, `NAS-0`) is also a search by
name words ("nas", "0"); `selectors._name_words` then adds the condition this index holds, which every such
match meets anyway, so PostgreSQL reads the few names with a digit from here instead of rechecking in the
table every name that holds "nas" (trigrams cannot find the word "0"). SQLite searches by scanning, as
before, and has no index to build.
"""

from django.db import migrations

CREATE = (
    "CREATE INDEX IF NOT EXISTS person_name_digits ON beneficiaries_person (id) "
    "WHERE name_key ~ '[0123456789]'"
)
DROP = "DROP INDEX IF EXISTS person_name_digits"


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("beneficiaries", "0016_import_file_digest")]

    operations = [migrations.RunPython(forwards, backwards)]
