"""Sentence rulesets as data, and every derived date stored on the custody episode.

The first ruleset (Permenkumham 3/2018 as amended by 7/2022) is seeded, and the derived dates of existing
episodes are filled in with it. The arithmetic is copied here (as it stood) so the migration never changes
when the live rules do.
"""

import datetime as dt

from dateutil.relativedelta import relativedelta
from django.db import migrations, models

VERSION = "permenkumham-3-2018+7-2022"


def _ceil_div(numerator, denominator):
    return -(-numerator // denominator)


def _dates(episode):
    start = episode.start_date
    years, months, days = episode.sentence_years, episode.sentence_months, episode.sentence_days
    if start is None or not (years or months or days):
        return None
    try:
        gross = start + relativedelta(years=years, months=months, days=days)
        nine = start + relativedelta(months=9)
        leave_limit = start + relativedelta(months=18)
    except (OverflowError, ValueError):
        return None
    gross_days = (gross - start).days
    remission = episode.remission_days or 0
    if remission < 0 or remission >= gross_days:
        return None
    net = gross_days - remission
    two_thirds_days = _ceil_div(net * 2, 3)
    two_thirds = start + dt.timedelta(days=two_thirds_days)
    return {
        "expiry_date": start + dt.timedelta(days=net),
        "half_date": start + dt.timedelta(days=_ceil_div(net, 2)),
        "two_thirds_date": two_thirds,
        "parole_eligible_from": two_thirds if two_thirds_days >= (nine - start).days else None,
        "conditional_leave_eligible_from": two_thirds if gross <= leave_limit else None,
        "ruleset_version": VERSION,
    }


def seed_and_fill(apps, schema_editor):
    SentenceRuleset = apps.get_model("beneficiaries", "SentenceRuleset")
    CustodyEpisode = apps.get_model("beneficiaries", "CustodyEpisode")
    SentenceRuleset.objects.get_or_create(
        version=VERSION,
        defaults={
            "effective_from": dt.date(2018, 1, 1),
            "title": "Permenkumham 3/2018 jo. Permenkumham 7/2022",
            "half_numerator": 1,
            "half_denominator": 2,
            "two_thirds_numerator": 2,
            "two_thirds_denominator": 3,
            "parole_min_months": 9,
            "leave_max_months": 18,
        },
    )
    batch = []
    for episode in CustodyEpisode.objects.exclude(start_date=None).iterator(chunk_size=2000):
        values = _dates(episode)
        if values is None:
            continue
        for name, value in values.items():
            setattr(episode, name, value)
        batch.append(episode)
        if len(batch) >= 2000:
            CustodyEpisode.objects.bulk_update(batch, list(values))
            batch = []
    if batch:
        CustodyEpisode.objects.bulk_update(batch, list(_dates(batch[0]) or {}))


class Migration(migrations.Migration):
    dependencies = [
        ("beneficiaries", "0002_custodyepisode_guidance_unit"),
    ]

    operations = [
        migrations.CreateModel(
            name="SentenceRuleset",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="created")),
                ("updated_at", models.DateTimeField(auto_now=True, verbose_name="updated")),
                ("version", models.CharField(max_length=40, unique=True, verbose_name="version")),
                ("effective_from", models.DateField(verbose_name="effective from")),
                ("title", models.CharField(blank=True, max_length=200, verbose_name="regulation")),
                ("half_numerator", models.PositiveSmallIntegerField(default=1)),
                ("half_denominator", models.PositiveSmallIntegerField(default=2)),
                ("two_thirds_numerator", models.PositiveSmallIntegerField(default=2)),
                ("two_thirds_denominator", models.PositiveSmallIntegerField(default=3)),
                (
                    "parole_min_months",
                    models.PositiveSmallIntegerField(default=9, verbose_name="PB: minimum months to two thirds"),
                ),
                (
                    "leave_max_months",
                    models.PositiveSmallIntegerField(default=18, verbose_name="CB: longest sentence in months"),
                ),
            ],
            options={
                "verbose_name": "sentence ruleset",
                "verbose_name_plural": "sentence rulesets",
                "ordering": ["effective_from", "version"],
            },
        ),
        migrations.AddField(
            model_name="custodyepisode",
            name="half_date",
            field=models.DateField(blank=True, null=True, verbose_name="half"),
        ),
        migrations.AddField(
            model_name="custodyepisode",
            name="parole_eligible_from",
            field=models.DateField(blank=True, null=True, verbose_name="PB eligible from"),
        ),
        migrations.AddField(
            model_name="custodyepisode",
            name="conditional_leave_eligible_from",
            field=models.DateField(blank=True, null=True, verbose_name="CB eligible from"),
        ),
        migrations.AlterField(
            model_name="custodyepisode",
            name="ruleset_version",
            field=models.CharField(blank=True, max_length=40, verbose_name="sentence ruleset"),
        ),
        migrations.RunPython(seed_and_fill, migrations.RunPython.noop),
    ]
