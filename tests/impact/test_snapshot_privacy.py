"""Aggregate-only readers (TJSL officers) get no exact small count from impact's figures across views
(review findings):

- a snapshot frozen by a Kanwil officer holds exact live figures; a TJSL officer reading it (page, API,
  download, the value map's list of snapshots) sees them as "×" and the numbers computed from them as "×";
- the live figures of value maps over two periods with the same end cannot be subtracted: for a TJSL
  officer they count from the programs' start;
- cost per outcome counts "in work at 6 months" only for the participants who agreed to share with the
  company, as aftercare and the funnel do.

Officers who see people keep the exact figures."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal as D
from typing import Any

import pytest
from django.test import Client

from sinergi.accounts.choices import Role
from sinergi.impact import selectors, services
from sinergi.programs.models import Program
from tests import people
from tests.authz import World
from tests.impact.conftest import impact as impact  # noqa: F401  (the fixture)
from tests.impact.test_views_api import api

pytestmark = pytest.mark.django_db

CERTIFIED = {
    "name": "Bersertifikat",
    "quantity": 10,
    "binding": "certified",
    "proxy": 2_000_000,
    "duration": 1,
    "deadweight": 0,
    "displacement": 0,
    "attribution": 0,
    "drop_off": 0,
}


def _certified(world: World, program: Any, dates: list[dt.date]) -> None:
    group = people.own_cohort(world, program, "Angkatan Sertifikat")
    for i, on in enumerate(dates):
        people.participant(group, f"SRT-{i}", competency="Menjahit", certified_on=on)


def _map(actor: Any, program: Any, title: str, **period: dt.date) -> Any:
    value_map = services.value_map_create(
        actor=actor,
        program=program,
        data={"title": title, "inputs_source": "manual", "inputs_manual": 1_000_000} | period,
    )
    services.outcome_add(actor=actor, value_map=value_map, data=CERTIFIED)
    return value_map


def test_a_snapshot_frozen_by_the_kanwil_shows_a_tjsl_officer_no_small_count(
    world: World,
    impact: dict[str, Any],  # noqa: F811
) -> None:
    _certified(world, impact["program"], [dt.date(2022, 3, 1)] * 3)
    kanwil, tjsl = impact["kanwil_user"], impact["tjsl"]
    value_map = _map(kanwil, impact["program"], "Peta Kanwil")
    snapshot = services.snapshot_freeze(actor=kanwil, value_map=value_map, label="Laporan semester")
    assert D(str(json.loads(snapshot.data)["outcomes"][0]["quantity"])) == 3  # frozen exactly

    # A figure frozen with exact counts shows "×" to a TJSL officer, small or not (its difference from their
    # own cumulative figure could count a few people: tests/impact/test_value_map_cross_view.py).
    client = Client()
    client.force_login(tjsl)
    page = client.get(f"/dampak/potret/{snapshot.pk}/").content.decode()
    numbers = page.split('data-testid="snapshot-numbers"', 1)[1]
    assert "3 dari 3" not in page and str(selectors.SNAPSHOT_EXACT)[:40] in page
    assert str(snapshot.results["ratio"])[:4].replace(".", ",") not in numbers
    assert "×" in numbers and 'data-testid="snapshot-masked"' in page
    body = client.get(f"/dampak/potret/{snapshot.pk}/?unduh=1").content.decode()
    download = json.loads(body)
    assert download["outcomes"][0]["quantity"] == "×" and download["results"]["ratio"] == "×"
    assert snapshot.results["present_value"] not in body
    data = Client().get(f"/api/v1/impact/snapshots/{snapshot.pk}", headers=api(tjsl)).json()
    assert data["value_map"]["outcomes"][0]["quantity"] == "×"
    assert data["results"]["ratio"] == "×" and data["results"]["present_value"] == "×"
    assert data["results"]["inputs"] == snapshot.results["inputs"]  # money, not people
    listing = client.get(f"/dampak/peta-nilai/{value_map.pk}/").content.decode()
    assert "× : 1" not in listing and 'data-testid="snapshot-ratio-hidden"' in listing

    # The Kanwil officer (and the administrator) read the snapshot as frozen.
    for reader in (kanwil, impact["admin"]):
        data = Client().get(f"/api/v1/impact/snapshots/{snapshot.pk}", headers=api(reader)).json()
        assert D(str(data["value_map"]["outcomes"][0]["quantity"])) == 3
        assert data["results"] == snapshot.results
    client.force_login(kanwil)
    assert client.get(f"/dampak/potret/{snapshot.pk}/?unduh=1").content.decode() == snapshot.data + "\n"


def test_a_snapshot_with_enough_people_shows_the_count_without_its_note(
    world: World,
    impact: dict[str, Any],  # noqa: F811
) -> None:
    # Frozen by a TJSL officer (their rule: cumulative, whole quarters), read by a TJSL officer.
    _certified(world, impact["program"], [dt.date(2022, 3, 1)] * 6)
    value_map = _map(impact["tjsl"], impact["program"], "Peta TJSL")
    snapshot = services.snapshot_freeze(actor=impact["tjsl"], value_map=value_map, label="Laporan")
    shown = selectors.snapshot_shown(actor=impact["tjsl"], snapshot=snapshot)
    outcome = shown.data["outcomes"][0]
    assert outcome["quantity"] == 6 and not shown.masked and shown.results == snapshot.results
    assert outcome["quantity_source"] == str(selectors.SNAPSHOT_LIVE)


def test_value_maps_over_periods_with_the_same_end_cannot_be_subtracted_by_tjsl(
    world: World,
    impact: dict[str, Any],  # noqa: F811
) -> None:
    # Two certified in 2021, six in 2022.
    _certified(world, impact["program"], [dt.date(2021, 11, 1)] * 2 + [dt.date(2022, 3, 1)] * 6)
    tjsl, kanwil = impact["tjsl"], impact["kanwil_user"]
    end = dt.date(2022, 12, 31)
    whole = _map(tjsl, impact["program"], "Peta penuh", period_start=dt.date(2021, 7, 1), period_end=end)
    later = _map(tjsl, impact["program"], "Peta 2022", period_start=dt.date(2022, 1, 1), period_end=end)

    def quantity(value_map: Any, actor: Any) -> Any:
        (live,) = selectors.live_quantities(value_map, as_of=dt.date(2024, 3, 31), actor=actor).values()
        return live

    # Without the rule, 8 − 6 would count the two certified in 2021.
    assert quantity(whole, tjsl).quantity == quantity(later, tjsl).quantity == 8
    assert str(selectors.LIVE_CUMULATIVE) in quantity(later, tjsl).note
    # The Kanwil officer gets the period as set.
    assert (quantity(whole, kanwil).quantity, quantity(later, kanwil).quantity) == (8, 6)
    assert str(selectors.LIVE_CUMULATIVE) not in quantity(later, kanwil).note


def test_cost_per_outcome_counts_in_work_only_for_those_who_share_for_tjsl(
    world: World,
    impact: dict[str, Any],  # noqa: F811
) -> None:
    # Eight in work at 6 months: five agreed to share with the company, three did not.
    people.released(
        world,
        impact["program"],
        "Angkatan Kerja",
        "KRJ-",
        shares=[True] * 5 + [False] * 3,
        work_status="employed",
    )
    programs = Program.objects.filter(pk=impact["program"].pk)

    def in_work(actor: Any) -> Any:
        rows = selectors.cost_per_outcome(actor=actor, programs=programs, cost=8_000_000)
        return next(row for row in rows if row.outcome == "in_work_6m")

    # TJSL officers count only those who share; on the per-program pages the count is withheld from them
    # and from monitors anyway (xfix2: "in work" is the unfiltered dashboard's only).
    assert selectors.outcome_counts(programs=programs, consented_only=True)["in_work_6m"] == 5
    assert in_work(impact["tjsl"]).withheld and in_work(impact["tjsl"]).count is None
    assert in_work(world.users[Role.MONITOR]).withheld
    assert in_work(impact["kanwil_user"]).count == 8
    assert in_work(impact["admin"]).count == 8
