"""A value map's inputs from the records count the same programs as its live figures for the same viewer
(issue 13). The live figures count only the programs whose every cohort the viewer reaches
(tests/impact/test_value_map_reach.py), but the inputs (realisation and in-kind) counted every program of
the map: a Kanwil officer party only to an MoU read, on the MoU's map, an SROI ratio of outcomes over the
MoU's own program to inputs over that program and the one under an addendum signed by another region, so
an understated ratio. And `snapshot_freeze` used the same numbers, so that officer could freeze a
permanently reduced snapshot: now it refuses them (403, in Bahasa Indonesia)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from sinergi.accounts.choices import Role
from sinergi.core.errors import ForbiddenError
from sinergi.impact import domain, selectors, services
from sinergi.impact.models import ValueMapSnapshot
from tests.authz import World
from tests.impact.test_grandparent_reach import addendum as addendum  # noqa: F401  (the fixture)
from tests.impact.test_live import BASE
from tests.impact.test_views_api import api

pytestmark = pytest.mark.django_db

#: Realisation and in kind of the MoU's own program (reached whole by the Kanwil) and of the addendum's.
DIRECT = (4_000_000, 1_000_000)
UNDER_ADDENDUM = (6_000_000, 2_000_000)
LEFT_OUT = "1 dari 2 program peta nilai ini tidak dihitung"


def _money(world: World, program: Any, spent: int, in_kind: int) -> None:
    company = world.organisation(Role.CSR_OFFICER, "own")
    line = services.budget_line_create(
        actor=None,
        program=program,
        data={"year": 2022, "category": "training", "amount": 50_000_000, "funder": company},
    )
    services.expenditure_create(
        actor=None,
        program=program,
        data={
            "budget_line": line,
            "spent_on": dt.date(2022, 3, 1),
            "amount": spent,
            "description": "Bahan pelatihan",
            "paid_by": company,
        },
    )
    services.in_kind_create(
        actor=None,
        program=program,
        data={
            "contributor": company,
            "kind": "facility",
            "description": "Ruang kelas",
            "value": in_kind,
            "contributed_on": dt.date(2022, 4, 1),
            "valuation_basis": "Sewa setara",
        },
    )


@pytest.fixture
def funded(world: World, addendum: dict[str, Any]) -> dict[str, Any]:  # noqa: F811
    _money(world, addendum["direct"], *DIRECT)
    _money(world, addendum["program"], *UNDER_ADDENDUM)
    return addendum


def _map(**owner: Any) -> Any:
    """A value map whose inputs come from the records, with one outcome bound to completions."""
    value_map = services.value_map_create(
        actor=None,
        data={
            "title": "Peta Investasi",
            "inputs_source": "finance",
            "period_start": dt.date(2021, 7, 1),
            "period_end": dt.date(2023, 6, 1),
        },
        **owner,
    )
    services.outcome_add(
        actor=None, value_map=value_map, data=BASE | {"name": "Lulus", "quantity": 99, "binding": "completed"}
    )
    return value_map


def _page(user: Any, value_map: Any) -> tuple[Any, str]:
    client = Client()
    client.force_login(user)
    response = client.get(f"/dampak/peta-nilai/{value_map.pk}/")
    assert response.status_code == 200
    return response.context, response.content.decode()


def test_the_inputs_count_only_the_programs_the_live_figures_count(
    world: World, funded: dict[str, Any]
) -> None:
    value_map = _map(agreement=funded["mou"])
    context, html = _page(world.users[Role.KANWIL_OFFICER], value_map)
    numbers = context["numbers"]
    # The MoU's own program only, as its live figure (its six completions, not the addendum program's seven).
    assert (numbers.inputs["realisation"], numbers.inputs["in_kind"]) == DIRECT
    assert next(iter(numbers.live.values())).quantity == Decimal(6)
    assert numbers.result.inputs == Decimal(sum(DIRECT))
    # One base: the ratio is that of the reached program's outcomes over the reached program's inputs.
    alone = selectors.value_map_numbers(_map(program=funded["direct"]), actor=None)
    assert numbers.result.ratio == alone.result.ratio
    # The page says so, in the live figures' own words, beside the inputs.
    assert 'data-testid="inputs-reach"' in html and LEFT_OUT in html
    # The system and an administrator count every program.
    admin, admin_html = _page(world.users[Role.ADMIN], value_map)
    whole = admin["numbers"]
    assert whole.inputs["realisation"] == DIRECT[0] + UNDER_ADDENDUM[0]
    assert whole.inputs["in_kind"] == DIRECT[1] + UNDER_ADDENDUM[1]
    assert 'data-testid="inputs-reach"' not in admin_html
    assert selectors.value_map_numbers(value_map).inputs == whole.inputs


def test_the_api_and_the_export_use_the_same_base(world: World, funded: dict[str, Any]) -> None:
    value_map = _map(agreement=funded["mou"])
    kanwil = world.users[Role.KANWIL_OFFICER]
    body = Client().get(f"/api/v1/impact/value-maps/{value_map.pk}/sroi", headers=api(kanwil)).json()
    assert body["inputs"]["total"] == sum(DIRECT)
    assert LEFT_OUT in body["inputs_note"]
    # The sensitivity starts from the same ratio.
    numbers = selectors.value_map_numbers(value_map, actor=kanwil)
    assert [row.ratio_low for row in numbers.sensitivity] == [
        Decimal(row["ratio_low"]) for row in body["sensitivity"]
    ]
    exported = Client().get(f"/api/v1/impact/value-maps/{value_map.pk}/export", headers=api(kanwil)).json()
    assert Decimal(exported["inputs"]) == Decimal(sum(DIRECT))
    assert LEFT_OUT in exported["inputs_note"]
    admin = (
        Client()
        .get(f"/api/v1/impact/value-maps/{value_map.pk}/sroi", headers=api(world.users[Role.ADMIN]))
        .json()
    )
    assert admin["inputs"]["total"] == sum(DIRECT) + sum(UNDER_ADDENDUM) and admin["inputs_note"] == ""


def test_a_map_the_kanwil_reaches_no_program_of_is_not_computed_for_them(
    world: World, funded: dict[str, Any]
) -> None:
    """The program under the addendum: its live figure is not shown to the Kanwil (the hand-entered 99 is
    used); the inputs counted it all the same, a ratio of the hand-entered quantity over the program's whole
    inputs. Now they count nothing for them, and the page says why instead of a ratio."""
    value_map = _map(program=funded["program"])
    context, html = _page(world.users[Role.KANWIL_OFFICER], value_map)
    numbers = context["numbers"]
    assert numbers.result is None and numbers.inputs["total"] == 0
    assert [p.field for p in numbers.problems] == ["inputs"]
    assert "tidak dihitung" in str(numbers.problems[0]) and "di luar cakupan Anda" in html
    admin, _html = _page(world.users[Role.ADMIN], value_map)
    assert admin["numbers"].result.inputs == Decimal(sum(UNDER_ADDENDUM))


def test_inputs_entered_by_hand_stay_as_entered(world: World, funded: dict[str, Any]) -> None:
    value_map = _map(agreement=funded["mou"])
    services.value_map_update(
        actor=None,
        value_map=value_map,
        data={"inputs_source": "manual", "inputs_manual": 7_000_000},
        version=value_map.version,
    )
    kanwil = world.users[Role.KANWIL_OFFICER]
    context, html = _page(kanwil, value_map)
    assert context["numbers"].inputs["total"] == 7_000_000
    assert 'data-testid="inputs-reach"' not in html
    # Its live figure still counts only the programs reached: no snapshot by them.
    with pytest.raises(ForbiddenError):
        services.snapshot_freeze(actor=kanwil, value_map=value_map, label="Laporan 2022")
    # A map all by hand (no bound outcome) reads the same for everyone: they may freeze it.
    services.outcome_update(
        actor=None,
        outcome=value_map.outcomes.get(),
        data={"binding": ""},
        version=value_map.outcomes.get().version,
    )
    snapshot = services.snapshot_freeze(actor=kanwil, value_map=value_map, label="Laporan 2022")
    assert snapshot.results["inputs"] == "7000000"


def test_the_kanwil_may_not_freeze_a_map_they_reach_only_part_of(
    world: World, funded: dict[str, Any]
) -> None:
    value_map = _map(agreement=funded["mou"])
    kanwil = world.users[Role.KANWIL_OFFICER]
    with pytest.raises(ForbiddenError) as refused:
        services.snapshot_freeze(actor=kanwil, value_map=value_map, label="Laporan 2022")
    message = str(refused.value.message)
    assert "tidak dapat Anda bekukan" in message and "1 dari 2 program" in message
    assert not ValueMapSnapshot.objects.exists()
    # The page shows why instead of the freeze form; a POST and the API are refused all the same.
    context, html = _page(kanwil, value_map)
    assert 'data-testid="freeze-refused"' in html and "tidak dapat Anda bekukan" in html
    assert f'action="/dampak/peta-nilai/{value_map.pk}/bekukan/"' not in html
    client = Client()
    client.force_login(kanwil)
    response = client.post(
        f"/dampak/peta-nilai/{value_map.pk}/bekukan/", {"label": "Laporan 2022"}, follow=True
    )
    assert "tidak dapat Anda bekukan" in response.content.decode()
    response = Client().post(
        f"/api/v1/impact/value-maps/{value_map.pk}/snapshots",
        {"label": "Laporan 2022"},
        content_type="application/json",
        headers=api(kanwil),
    )
    assert response.status_code == 403 and "tidak dapat Anda bekukan" in response.json()["message"]
    assert not ValueMapSnapshot.objects.exists()
    # An administrator freezes the whole map's figures.
    snapshot = services.snapshot_freeze(
        actor=world.users[Role.ADMIN], value_map=value_map, label="Laporan 2022"
    )
    frozen = domain.loads_value_map(snapshot.data)
    assert Decimal(frozen["inputs"]) == Decimal(sum(DIRECT) + sum(UNDER_ADDENDUM))
    assert snapshot.results["realisation"] == DIRECT[0] + UNDER_ADDENDUM[0]
    assert Decimal(frozen["outcomes"][0]["quantity"]) == Decimal(13) and "inputs_note" not in frozen


def test_the_kanwil_freezes_a_map_they_reach_whole(world: World, funded: dict[str, Any]) -> None:
    value_map = _map(program=funded["direct"])
    snapshot = services.snapshot_freeze(
        actor=world.users[Role.KANWIL_OFFICER], value_map=value_map, label="Laporan 2022"
    )
    assert Decimal(domain.loads_value_map(snapshot.data)["inputs"]) == Decimal(sum(DIRECT))
    assert snapshot.results["in_kind"] == DIRECT[1]


def test_the_joint_reports_sroi_uses_the_same_base(world: World, funded: dict[str, Any]) -> None:
    from sinergi.reports import joint

    value_map = _map(agreement=funded["mou"])
    kanwil = world.users[Role.KANWIL_OFFICER]
    content = joint.build(
        actor=kanwil,
        agreement=funded["mou"],
        program=None,
        start=dt.date(2021, 7, 1),
        end=dt.date(2023, 6, 1),
        language="id",
    )
    sroi = next(s for s in content.sections if s.key == "sroi")
    table = next(t for t in sroi.tables if t.header[0] == value_map.title)
    kanwil_numbers = selectors.value_map_numbers(value_map, actor=kanwil)
    assert kanwil_numbers.result.inputs == Decimal(sum(DIRECT))
    inputs_row = table.rows[0]
    assert inputs_row[1] == joint._number(int(kanwil_numbers.result.inputs), "rupiah")
    assert any(LEFT_OUT in text for text in sroi.text)
