"""The day each custody episode left its unit, kept on the episode for recidivism (`beneficiaries.leave`):
`leave_date` (the first PB, CB or CMB, filled here from the integration events) and `left_on`
(`COALESCE(leave_date, release_date)`, a stored generated column), indexed."""

import django.db.models.functions.comparison
from django.db import migrations, models
from django.db.models import Exists, Min, OuterRef, Subquery

LEAVE_KINDS = ("pb", "cb", "cmb")


def fill_leave_dates(apps, schema_editor):
    episode = apps.get_model("beneficiaries", "CustodyEpisode")
    event = apps.get_model("beneficiaries", "IntegrationEvent")
    leaves = event.objects.filter(episode=OuterRef("pk"), kind__in=LEAVE_KINDS)
    first = Subquery(leaves.order_by().values("episode").annotate(first=Min("date")).values("first")[:1])
    episode.objects.filter(Exists(leaves)).update(leave_date=first)


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0003_user_language_password_change'),
        ('beneficiaries', '0013_scope_probe_indexes'),
    ]

    operations = [
        migrations.AddField(
            model_name='custodyepisode',
            name='leave_date',
            field=models.DateField(blank=True, editable=False, null=True, verbose_name='left on PB, CB or CMB'),
        ),
        migrations.RunPython(fill_leave_dates, migrations.RunPython.noop),
        migrations.AddField(
            model_name='custodyepisode',
            name='left_on',
            field=models.GeneratedField(db_persist=True, expression=django.db.models.functions.comparison.Coalesce('leave_date', 'release_date'), output_field=models.DateField(), verbose_name='left the unit on'),
        ),
        migrations.AddIndex(
            model_name='custodyepisode',
            index=models.Index(fields=['left_on'], name='episode_left_on'),
        ),
    ]
