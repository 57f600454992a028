"""Small cells across value maps (issue 13): a TJSL officer read each value map's live figures masked on
their own, but could subtract two of them, or a frozen snapshot and a live figure, to count a few people:

- two maps whose periods end a day apart (the TJSL officer could set any end day, and reads the maps the
  Kanwil officer makes);
- a map of the agreement minus a map of one of its programs (the other program's figure);
- a snapshot the Kanwil officer froze (exact figures of one program and period) minus the TJSL officer's
  cumulative live figure;

and the value map's list of snapshots showed a withheld ratio as "× : 1".

Each attack is written out: read the two figures as the TJSL officer, subtract. The rule now
(docs/security.md, "Value maps"): for aggregate-only roles a map's period ends on a quarter's last day
(refused otherwise when they set it; clamped when they read a map someone else set), the outcomes they may
not list person by person (in work, income, no re-offence) count their whole scope, and snapshots frozen
with exact figures show them "×" for every figure from the records."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal as D
from typing import Any

import pytest
from django.test import Client

from sinergi.accounts.choices import Role
from sinergi.core.errors import ApplicationError
from sinergi.impact import selectors, services
from sinergi.impact.models import ValueMap
from tests import people
from tests.authz import World
from tests.factories import UnitFactory
from tests.impact.conftest import impact as impact  # noqa: F401  (the fixture)
from tests.impact.conftest import make_program
from tests.impact.test_views_api import api

pytestmark = pytest.mark.django_db

QUARTER = "kuartal"  # the refusal, in Indonesian (the default language)


def outcome(binding: str) -> dict[str, Any]:
    return {
        "name": binding,
        "quantity": 10,
        "binding": binding,
        "proxy": 2_000_000,
        "duration": 1,
        "deadweight": 0,
        "displacement": 0,
        "attribution": 0,
        "drop_off": 0,
    }


def make_map(actor: Any, binding: str, *, program: Any = None, agreement: Any = None, **period: Any) -> Any:
    value_map = services.value_map_create(
        actor=actor,
        program=program,
        agreement=agreement,
        data={"title": f"Peta {binding}", "inputs_source": "manual", "inputs_manual": 1_000_000} | period,
    )
    services.outcome_add(actor=actor, value_map=value_map, data=outcome(binding))
    return value_map


def live(value_map: Any, actor: Any) -> Any:
    value_map = ValueMap.objects.get(pk=value_map.pk)
    (figure,) = selectors.live_quantities(value_map, actor=actor).values()
    return figure


def in_work(world: World, program: Any, released: list[dt.date], tag: str) -> None:
    """Participants of `program` who agreed to share with the company, released on the given days, found in
    work at their 6-month follow-up."""
    bapas = UnitFactory(unit_kind="bapas")
    group = people.cohort(
        program,
        world.organisation(Role.UNIT_OFFICER, "own"),
        f"Angkatan {tag}",
        dt.date(2021, 8, 1),
        dt.date(2021, 12, 1),
    )
    for i, on in enumerate(released):
        people.participant(
            group, f"{tag}-{i}", shares=True, bapas=bapas, released_on=on, work_status="employed"
        )


# --- 1. Periods: quarter ends only for the TJSL officer, and clamped when they read -------------------------


def test_a_tjsl_officer_may_end_a_value_map_only_on_a_quarter_end(
    world: World,
    impact: dict[str, Any],  # noqa: F811
) -> None:
    tjsl, kanwil = impact["tjsl"], impact["kanwil_user"]
    # The default period is the program's, widened to whole quarters (2021-07-01 to 2023-06-01).
    value_map = make_map(tjsl, "in_work_6m", program=impact["program"])
    assert (value_map.period_start, value_map.period_end) == (dt.date(2021, 7, 1), dt.date(2023, 6, 30))

    for field, day in (("period_end", dt.date(2022, 5, 14)), ("period_start", dt.date(2022, 5, 15))):
        with pytest.raises(ApplicationError) as refused:
            services.value_map_update(
                actor=tjsl, value_map=value_map, version=value_map.version, data={field: day}
            )
        assert QUARTER in refused.value.detail[field], refused.value.detail
        with pytest.raises(ApplicationError):
            make_map(tjsl, "certified", program=impact["program"], **{field: day})
    # The API says the same, in Indonesian, for the field.
    response = Client().put(
        f"/api/v1/impact/value-maps/{value_map.pk}",
        data={"version": value_map.version, "period_end": "2022-05-14"},
        content_type="application/json",
        headers=api(tjsl),
    )
    assert response.status_code == 400 and QUARTER in response.json()["detail"]["period_end"]
    response = Client().post(
        "/api/v1/impact/value-maps",
        data={"title": "x", "program_id": impact["program"].pk, "period_end": "2022-05-14"},
        content_type="application/json",
        headers=api(tjsl),
    )
    assert response.status_code == 400 and QUARTER in response.json()["detail"]["period_end"]
    # And the page's form, on the field.
    client = Client()
    client.force_login(tjsl)
    page = client.post(
        f"/dampak/peta-nilai/{value_map.pk}/ubah/",
        {
            "version": value_map.version,
            "title": value_map.title,
            "discount_rate": "0.035",
            "inputs_source": "manual",
            "inputs_manual": 1_000_000,
            "period_start": "2021-07-01",
            "period_end": "2022-05-14",
        },
    )
    assert page.status_code == 200 and QUARTER in page.content.decode()
    assert ValueMap.objects.get(pk=value_map.pk).period_end == dt.date(2023, 6, 30)
    # The creation form offers whole quarters to the TJSL officer.
    form = client.get(f"/dampak/peta-nilai/baru/?program={impact['program'].pk}").context["form"]
    assert form.initial["period_end"] == dt.date(2023, 6, 30)

    # Quarter ends pass; an edit that leaves a period someone else set is not refused.
    services.value_map_update(
        actor=tjsl,
        value_map=value_map,
        version=value_map.version,
        data={"period_start": dt.date(2022, 1, 1), "period_end": dt.date(2022, 9, 30)},
    )
    other = make_map(kanwil, "certified", program=impact["program"], period_end=dt.date(2022, 5, 14))
    services.value_map_update(actor=tjsl, value_map=other, version=other.version, data={"title": "Baru"})
    # Officers who see exact figures choose any day.
    services.value_map_update(
        actor=kanwil, value_map=other, version=other.version, data={"period_end": dt.date(2022, 5, 15)}
    )


def test_two_maps_ending_a_day_apart_cannot_be_subtracted_by_tjsl(
    world: World,
    impact: dict[str, Any],  # noqa: F811
) -> None:
    program, tjsl, kanwil = impact["program"], impact["tjsl"], impact["kanwil_user"]
    # Six released in 2022 before 15 May, one on 15 May.
    in_work(world, program, [dt.date(2022, 2, 1)] * 6 + [dt.date(2022, 5, 15)], "HARI")
    # The Kanwil officer may end maps on any day; the TJSL officer reads them.
    day = make_map(kanwil, "in_work_6m", program=program, period_end=dt.date(2022, 5, 14))
    next_day = make_map(kanwil, "in_work_6m", program=program, period_end=dt.date(2022, 5, 15))

    first, second = live(day, tjsl), live(next_day, tjsl)
    # The attack: the two figures differ by the one person released on 15 May.
    difference = (second.quantity or 0) - (first.quantity or 0)
    assert difference == 0, f"{second.quantity} − {first.quantity} counts the person released on 15 May"
    # Both count up to the last quarter end before the period's end, and say so.
    assert first.quantity == second.quantity and first.quantity is not None
    assert "31 Maret 2022" in first.note
    # The Kanwil officer gets the period as set.
    assert (live(day, kanwil).quantity, live(next_day, kanwil).quantity) == (6, 7)


def test_an_agreement_map_minus_a_program_map_gives_tjsl_no_other_program(
    world: World,
    impact: dict[str, Any],  # noqa: F811
) -> None:
    tjsl, kanwil = impact["tjsl"], impact["kanwil_user"]
    first, second = impact["program"], make_program(impact["mou"], "Program Kedua")
    in_work(world, first, [dt.date(2022, 2, 1)] * 3, "SATU")  # the small one
    in_work(world, second, [dt.date(2022, 2, 1)] * 6, "DUA")
    end = {"period_end": dt.date(2022, 12, 31)}
    whole = make_map(tjsl, "in_work_6m", agreement=impact["mou"], **end)
    part = make_map(tjsl, "in_work_6m", program=second, **end)

    agreement_figure, program_figure = live(whole, tjsl), live(part, tjsl)
    # The attack: the agreement's 9 minus the second program's 6 gives the first program's hidden 3.
    assert agreement_figure.quantity is not None and program_figure.quantity is not None
    difference = agreement_figure.quantity - program_figure.quantity
    assert not 0 < difference < 5, f"{agreement_figure.quantity} − {program_figure.quantity} = {difference}"
    # Both count the officer's whole scope (every program they see), and say so.
    assert agreement_figure.quantity == program_figure.quantity == 9
    assert "seluruh cakupan" in program_figure.note
    # The program-by-program figures they may list person by person (completions, certificates) still follow
    # the map's programs; the Kanwil officer's figures follow the map's programs as before.
    assert (live(whole, kanwil).quantity, live(part, kanwil).quantity) == (9, 6)


# --- 2. A snapshot of exact figures against the TJSL officer's cumulative figure -------------------------


def _certified(world: World, program: Any, dates: list[dt.date]) -> None:
    group = people.cohort(
        program,
        world.organisation(Role.UNIT_OFFICER, "own"),
        "Angkatan Sertifikat",
        dt.date(2021, 8, 1),
        dt.date(2021, 12, 1),
    )
    for i, on in enumerate(dates):
        people.participant(group, f"SRT-{i}", competency="Menjahit", certified_on=on)


def test_a_kanwil_snapshot_of_a_period_cannot_be_subtracted_from_the_tjsl_cumulative_figure(
    world: World,
    impact: dict[str, Any],  # noqa: F811
) -> None:
    program, tjsl, kanwil = impact["program"], impact["tjsl"], impact["kanwil_user"]
    # Two certified in 2021, six in 2022.
    _certified(world, program, [dt.date(2021, 11, 1)] * 2 + [dt.date(2022, 3, 1)] * 6)
    year = {"period_start": dt.date(2022, 1, 1), "period_end": dt.date(2022, 12, 31)}
    kanwil_map = make_map(kanwil, "certified", program=program, **year)
    frozen = services.snapshot_freeze(actor=kanwil, value_map=kanwil_map, label="Laporan 2022")
    assert D(str(json.loads(frozen.data)["outcomes"][0]["quantity"])) == 6  # exact, the period only
    cumulative = live(make_map(tjsl, "certified", program=program, **year), tjsl).quantity
    assert cumulative == 8

    shown = selectors.snapshot_shown(actor=tjsl, snapshot=frozen)
    quantity = shown.data["outcomes"][0]["quantity"]
    # The attack: 8 − 6 counts the two certified in 2021.
    assert not (isinstance(quantity, D | int) and 0 < cumulative - quantity < 5), (cumulative, quantity)
    assert quantity == "×" and shown.masked
    assert shown.results["ratio"] == "×" and shown.results["present_value"] == "×"
    assert shown.results["inputs"] == frozen.results["inputs"]  # money, not people
    assert str(selectors.SNAPSHOT_EXACT) in shown.notes
    # Page, download and API alike.
    client = Client()
    client.force_login(tjsl)
    page = client.get(f"/dampak/potret/{frozen.pk}/").content.decode()
    assert 'data-testid="snapshot-masked"' in page and ">6<" not in page
    download = json.loads(client.get(f"/dampak/potret/{frozen.pk}/?unduh=1").content)
    assert download["outcomes"][0]["quantity"] == "×"
    data = Client().get(f"/api/v1/impact/snapshots/{frozen.pk}", headers=api(tjsl)).json()
    assert data["value_map"]["outcomes"][0]["quantity"] == "×" and data["results"]["ratio"] == "×"
    # The Kanwil officer reads it as frozen.
    assert selectors.snapshot_shown(actor=kanwil, snapshot=frozen).data["outcomes"][0]["quantity"] == 6


def test_a_snapshot_frozen_by_a_tjsl_officer_shows_them_what_they_saw(
    world: World,
    impact: dict[str, Any],  # noqa: F811
) -> None:
    program, tjsl = impact["program"], impact["tjsl"]
    _certified(world, program, [dt.date(2021, 11, 1)] * 2 + [dt.date(2022, 3, 1)] * 6)
    value_map = make_map(
        tjsl, "certified", program=program, period_start=dt.date(2022, 1, 1), period_end=dt.date(2022, 12, 31)
    )
    frozen = services.snapshot_freeze(actor=tjsl, value_map=value_map, label="Laporan TJSL")
    shown = selectors.snapshot_shown(actor=tjsl, snapshot=frozen)
    assert shown.data["outcomes"][0]["quantity"] == 8 and not shown.masked
    assert shown.results == frozen.results


# --- 3. The withheld ratio is said in words, not "× : 1" --------------------------------------------------


def test_the_value_map_page_says_a_snapshot_ratio_is_withheld(
    world: World,
    impact: dict[str, Any],  # noqa: F811
) -> None:
    program, tjsl, kanwil = impact["program"], impact["tjsl"], impact["kanwil_user"]
    _certified(world, program, [dt.date(2022, 3, 1)] * 3)
    value_map = make_map(kanwil, "certified", program=program)
    frozen = services.snapshot_freeze(actor=kanwil, value_map=value_map, label="Laporan semester")
    client = Client()
    client.force_login(tjsl)
    html = client.get(f"/dampak/peta-nilai/{value_map.pk}/").content.decode()
    snapshots = html.split('id="sec-snap"', 1)[1].split("</section>", 1)[0]
    assert "× : 1" not in snapshots and ": 1" not in snapshots
    assert 'data-testid="snapshot-ratio-hidden"' in snapshots and "disembunyikan" in snapshots
    # Officers who see exact figures read the ratio with two decimals.
    client.force_login(kanwil)
    html = client.get(f"/dampak/peta-nilai/{value_map.pk}/").content.decode()
    snapshots = html.split('id="sec-snap"', 1)[1].split("</section>", 1)[0]
    ratio = D(frozen.results["ratio"]).quantize(D("0.01"))
    assert f"{ratio} : 1".replace(".", ",") in snapshots


def test_quarter_helpers() -> None:
    from sinergi.impact import access

    assert access.quarter_end_on_or_before(dt.date(2022, 5, 14)) == dt.date(2022, 3, 31)
    assert access.quarter_end_on_or_before(dt.date(2022, 3, 31)) == dt.date(2022, 3, 31)
    assert access.quarter_end_on_or_before(dt.date(2022, 2, 1)) == dt.date(2021, 12, 31)
    assert access.quarter_end_on_or_after(dt.date(2023, 6, 1)) == dt.date(2023, 6, 30)
    assert access.quarter_end_on_or_after(dt.date(2023, 12, 31)) == dt.date(2023, 12, 31)
    assert access.quarter_start_on_or_before(dt.date(2021, 8, 15)) == dt.date(2021, 7, 1)
    today = dt.date(2026, 12, 3)
    assert access.aggregate_as_of(dt.date(2026, 12, 31), today=today) == today
    assert access.aggregate_as_of(dt.date(2026, 11, 30), today=today) == dt.date(2026, 9, 30)


class _Asked(Exception):
    pass


def test_the_deadweight_from_the_comparison_group_uses_whole_quarters_for_tjsl(
    world: World,
    impact: dict[str, Any],  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A Kanwil officer's map ending on any day: the TJSL officer's one click asks for the comparison group
    over whole quarters (two deadweights a day apart would differ by one non-participant)."""
    from sinergi.impact.services import value_maps

    tjsl, kanwil = impact["tjsl"], impact["kanwil_user"]
    value_map = make_map(
        kanwil,
        "no_reoffence_24m",
        program=impact["program"],
        period_start=dt.date(2021, 8, 15),
        period_end=dt.date(2022, 5, 14),
    )
    bound = value_map.outcomes.get()
    asked: list[tuple[Any, Any]] = []

    def recidivism(**kwargs: Any) -> Any:
        asked.append((kwargs["start"], kwargs["end"]))
        raise _Asked

    monkeypatch.setattr(value_maps.selectors, "recidivism", recidivism)
    for actor in (tjsl, kanwil):
        with pytest.raises(_Asked):
            services.outcome_deadweight_from_comparison(
                actor=actor, outcome=bound, version=bound.version, as_of=dt.date(2025, 1, 1)
            )
    assert asked == [
        (dt.date(2021, 7, 1), dt.date(2022, 3, 31)),
        (dt.date(2021, 8, 15), dt.date(2022, 5, 14)),
    ]
