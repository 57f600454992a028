"""Sentence rulesets as data: the seeded ruleset, the one computation, stored dates, the person page."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client

from sinergi.accounts.choices import Role
from sinergi.beneficiaries import domain
from sinergi.beneficiaries.models import CustodyEpisode, SentenceRuleset
from sinergi.beneficiaries.selectors import ruleset_list
from sinergi.beneficiaries.services import episode_add, episode_dates_fill
from tests.beneficiaries.conftest import register

D = dt.date


def _episode(world: Any, person: Any, start: dt.date, registration: str, **sentence: int) -> CustodyEpisode:
    data = {
        "unit": world.organisation(Role.UNIT_OFFICER, "own"),
        "registration_number": registration,
        "status": "narapidana",
        "start_date": start,
        "sentence_years": sentence.get("years", 0),
        "sentence_months": sentence.get("months", 0),
        "sentence_days": sentence.get("days", 0),
        "remission_days": sentence.get("remission", 0),
        "release_date": None,
    }
    return episode_add(actor=None, person=person, data=data)


def test_the_migration_seeds_the_current_rules(db) -> None:
    ruleset = SentenceRuleset.objects.get(version=domain.RULESET_VERSION)
    assert ruleset.as_domain() == domain.DEFAULT_RULESET
    assert ruleset_list() == [domain.DEFAULT_RULESET]


def test_the_one_computation_gives_every_stored_date_for_the_worked_example() -> None:
    values = domain.episode_dates(
        start=D(2021, 1, 1), years=0, months=10, days=0, remission_days=0, rulesets=[domain.DEFAULT_RULESET]
    )
    assert values == {
        "expiry_date": D(2021, 11, 1),
        "half_date": D(2021, 6, 2),
        "two_thirds_date": D(2021, 7, 23),
        "parole_eligible_from": None,
        "conditional_leave_eligible_from": D(2021, 7, 23),
        "ruleset_version": domain.RULESET_VERSION,
    }
    none = domain.episode_dates(start=None, years=1, months=0, days=0, remission_days=0)
    assert set(none) == set(domain.EPISODE_DATE_FIELDS) and not any(none.values())


def test_the_ruleset_in_force_on_the_start_date_applies() -> None:
    old = domain.DEFAULT_RULESET
    new = domain.Ruleset(version="uji-2025", effective_from=D(2025, 1, 1), parole_min_months=6)
    assert domain.ruleset_for(D(2024, 12, 31), [new, old]) is old
    assert domain.ruleset_for(D(2025, 1, 1), [new, old]) is new
    assert domain.ruleset_for(D(2010, 1, 1), [new, old]) is old  # before every ruleset: the earliest
    assert domain.ruleset_for(D(2025, 1, 1), []) == domain.DEFAULT_RULESET
    # 10 months: two thirds is 203 days; under a 6-month minimum (181 days) PB is eligible by time.
    dates = domain.sentence_dates(start=D(2025, 1, 1), length=domain.SentenceLength(months=10), ruleset=new)
    assert dates.parole_eligible and dates.ruleset_version == "uji-2025"


def test_an_episode_stores_every_derived_date_and_keeps_them_when_the_rules_change(db, world) -> None:
    person = register(None, world.organisation(Role.UNIT_OFFICER, "own"), "Warga Aturan", "R-1")
    first = _episode(world, person, D(2021, 1, 1), "R-2", months=10)
    assert (first.half_date, first.two_thirds_date, first.expiry_date) == (
        D(2021, 6, 2),
        D(2021, 7, 23),
        D(2021, 11, 1),
    )
    assert first.parole_eligible_from is None and first.conditional_leave_eligible_from == D(2021, 7, 23)
    assert first.ruleset_version == domain.RULESET_VERSION
    SentenceRuleset.objects.create(version="uji-2025", effective_from=D(2025, 1, 1), parole_min_months=6)
    later = _episode(world, person, D(2025, 1, 1), "R-3", months=10)
    assert later.ruleset_version == "uji-2025" and later.parole_eligible_from == later.two_thirds_date
    first.refresh_from_db()
    assert first.ruleset_version == domain.RULESET_VERSION and first.parole_eligible_from is None
    assert episode_dates_fill() == 0  # nothing is recomputed


def test_episodes_without_stored_dates_are_filled_once(db, world) -> None:
    person = register(None, world.organisation(Role.UNIT_OFFICER, "own"), "Warga Isi", "F-1")
    CustodyEpisode.objects.filter(person=person).update(half_date=None, parole_eligible_from=None)
    assert episode_dates_fill() == 1
    episode = person.episodes.get()
    assert episode.half_date == D(2022, 1, 1) and episode.parole_eligible_from == D(2022, 5, 3)
    assert episode_dates_fill() == 0


@pytest.mark.parametrize(
    ("today", "text"), [(D(2021, 7, 22), "eligible by time from"), (D(2021, 7, 23), "eligible by time since")]
)
def test_the_person_page_shows_the_stored_dates_and_when_cb_becomes_possible(
    client: Client, world, settings, monkeypatch, today: dt.date, text: str
) -> None:
    from django.utils import timezone

    settings.LANGUAGE_CODE = "en"
    person = register(None, world.organisation(Role.UNIT_OFFICER, "own"), "Warga Halaman", "P-1")
    episode = person.episodes.get()
    CustodyEpisode.objects.filter(pk=episode.pk).update(
        start_date=D(2021, 1, 1),
        sentence_years=0,
        sentence_months=10,
        half_date=D(2021, 6, 2),
        two_thirds_date=D(2021, 7, 23),
        expiry_date=D(2021, 11, 1),
        parole_eligible_from=None,
        conditional_leave_eligible_from=D(2021, 7, 23),
        ruleset_version="tersimpan-1",
    )
    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: today)
    client.force_login(world.users[Role.UNIT_OFFICER])
    html = client.get(f"/wbp/{person.pk}/", headers={"Accept-Language": "en"}).content.decode()
    assert "tersimpan-1" in html  # the stored version, not today's
    eligibility = html.split('data-testid="sentence-eligibility">')[1].split("</div>")[0]
    assert eligibility.startswith("PB: not eligible by time")
    assert f"CB: {text}" in " ".join(eligibility.split())
