"""Screening runs: each result's place in its list (eligible or not, by name), so that pages read a range of
the index (run, eligible, position) instead of sorting the run; and runs frozen by a background job."""

import django.db.models.deletion
from django.db import migrations, models


NUMBER_SAVED_RESULTS = """
UPDATE programs_screeningresult SET position = numbered.position
FROM (
    SELECT id, row_number() OVER (
        PARTITION BY run_id, eligible ORDER BY full_name{collate}, person_id, id
    ) AS position
    FROM programs_screeningresult
) AS numbered
WHERE programs_screeningresult.id = numbered.id
"""


def number_saved_results_sql(vendor: str) -> str:
    """By name in code-point order, as the freeze numbers them (selectors.screening_rows)."""
    return NUMBER_SAVED_RESULTS.format(collate=' COLLATE "C"' if vendor == "postgresql" else "")


def number_saved_results(apps, schema_editor):
    """Runs saved before: number their rows as their pages sorted them (by name; person as the tie-break)."""
    schema_editor.execute(number_saved_results_sql(schema_editor.connection.vendor))


class Migration(migrations.Migration):
    dependencies = [
        ("beneficiaries", "0010_trim_redundant_indexes"),
        ("jobs", "0003_heartbeat_and_retry"),
        ("programs", "0004_tallies"),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="screeningresult",
            options={"ordering": ["-eligible", "position", "full_name"]},
        ),
        migrations.RemoveIndex(
            model_name="screeningresult",
            name="programs_sc_run_id_15cf91_idx",
        ),
        migrations.AddField(
            model_name="screeningresult",
            name="position",
            field=models.PositiveIntegerField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="screeningrun",
            name="job",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to="jobs.job",
            ),
        ),
        migrations.AddField(
            model_name="screeningrun",
            name="status",
            field=models.CharField(
                choices=[("running", "Screening in progress"), ("done", "Done")],
                default="done",
                max_length=10,
                verbose_name="status",
            ),
        ),
        migrations.RunPython(number_saved_results, migrations.RunPython.noop, elidable=True),
        migrations.AddIndex(
            model_name="screeningresult",
            index=models.Index(fields=["run", "eligible", "position"], name="programs_result_run_position"),
        ),
    ]
