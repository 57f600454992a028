"""Cases opened before the registry knew who guides a released person: link each case to the custody episode
it followed and record the case's Bapas as that episode's guiding Bapas (`guidance_unit`), so that the
registry's scope no longer has to read aftercare cases. Lives in aftercare, so the registry never imports it.
"""

from django.db import migrations
from django.db.models import F, Q


def fill(apps, schema_editor):
    AftercareCase = apps.get_model("aftercare", "AftercareCase")
    CustodyEpisode = apps.get_model("beneficiaries", "CustodyEpisode")
    cases = AftercareCase.objects.filter(episode__isnull=True).select_related("enrollment").order_by("pk")
    for case in cases.iterator(chunk_size=500):
        episode_id = case.enrollment.episode_id if case.enrollment_id else None
        if episode_id is None:
            # The episode released on that day, else the person's latest released or client episode.
            episode = (
                CustodyEpisode.objects.filter(person_id=case.person_id)
                .filter(Q(release_date=case.released_on) | Q(status__in=("bebas", "klien")))
                .order_by(F("release_date").desc(nulls_last=True), F("start_date").desc(nulls_last=True), "-pk")
                .first()
            )
            episode_id = episode.pk if episode else None
        if episode_id is None:
            continue
        AftercareCase.objects.filter(pk=case.pk).update(episode_id=episode_id)
        if case.bapas_id:
            CustodyEpisode.objects.filter(pk=episode_id, guidance_unit__isnull=True).update(
                guidance_unit_id=case.bapas_id
            )


class Migration(migrations.Migration):

    dependencies = [
        ("aftercare", "0003_case_episode"),
        ("beneficiaries", "0002_custodyepisode_guidance_unit"),
    ]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
