"""The demo registry on any day: statuses that match the dates, releases due soon, sound dates everywhere."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from sinergi.accounts.demo import demo_accounts
from sinergi.accounts.models import User
from sinergi.beneficiaries import domain
from sinergi.beneficiaries.demo import seed, settle
from sinergi.beneficiaries.models import CustodyEpisode, IntegrationEvent, Person


@pytest.mark.parametrize("today", [dt.date(2024, 3, 15), None])
def test_the_demo_registry_is_alive_on_the_day_it_runs(db, monkeypatch, today: dt.date | None) -> None:
    if today is not None:
        monkeypatch.setattr(timezone, "localdate", lambda *a, **k: today)
    today = timezone.localdate()
    demo_accounts()
    seed(actor=User.objects.get(username="demo.admin"))
    assert settle(actor=None) > 10  # the founding MoU's people whose sentence has ended
    assert settle(actor=None) == 0
    episodes = CustodyEpisode.objects.filter(person__is_synthetic=True).select_related("person")
    assert episodes.count() > 200
    in_custody = episodes.filter(status__in=("narapidana", "anak_binaan"))
    assert not in_custody.filter(expiry_date__lt=today).exists(), "nobody in custody past expiry"
    assert in_custody.filter(expiry_date__gt=today).count() > 100
    due = in_custody.filter(expiry_date__range=(today, today + dt.timedelta(days=92))).count()
    assert due >= 5, "releases due in the coming months"
    assert episodes.filter(status="bebas", release_date__lte=today).exists()
    assert episodes.filter(status="klien", expiry_date__gt=today).exists()
    for episode in episodes:
        assert episode.half_date is not None and episode.ruleset_version == domain.RULESET_VERSION
        person = episode.person
        assert (
            domain.person_date_problems(
                birth_date=person.birth_date, today=today, custody_start=episode.start_date
            )
            == {}
        )
        assert (
            domain.episode_date_problems(
                start_date=episode.start_date, release_date=episode.release_date, today=today
            )
            == {}
        )
    # Integration events all meet the thresholds of their episode.
    for event in IntegrationEvent.objects.filter(episode__person__is_synthetic=True).select_related(
        "episode"
    ):
        dates = domain.stored_dates(event.episode)
        assert domain.integration_threshold_problems(kind=event.kind, on=event.date, dates=dates) == {}
    # Seeding again changes nothing.
    count = Person.objects.count()
    seed(actor=User.objects.get(username="demo.admin"))
    assert Person.objects.count() == count


def test_after_the_whole_demo_nobody_is_in_custody_past_expiry_and_programs_had_people(db) -> None:
    from sinergi.programs.models import Enrollment
    from sinergi.site.demo import demo_seed

    demo_seed()
    today = timezone.localdate()
    episodes = CustodyEpisode.objects.filter(person__is_synthetic=True)
    in_custody = episodes.filter(status__in=("narapidana", "anak_binaan", "tahanan"))
    assert not in_custody.filter(expiry_date__lt=today).exists()
    assert in_custody.filter(expiry_date__range=(today, today + dt.timedelta(days=92))).count() >= 5
    assert Enrollment.objects.filter(person__is_synthetic=True).count() > 20  # the founding MoU's cohorts
