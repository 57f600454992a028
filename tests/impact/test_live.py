"""Live-bound quantities follow the records and freeze with a snapshot; deadweight from the comparison
group in one click, with its source."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal as D
from typing import Any

import pytest

from sinergi.accounts.choices import Role
from sinergi.core.errors import ApplicationError, ConflictError, ForbiddenError
from sinergi.impact import selectors, services
from sinergi.programs.models import Certificate, Enrollment
from tests.impact.test_recidivism import AS_OF, registry  # noqa: F401  (the fixture)

BASE = {
    "proxy": 1_000_000,
    "duration": 2,
    "deadweight": 0,
    "displacement": 0,
    "attribution": 0,
    "drop_off": 0,
}


def certify(name: str, on: dt.date) -> None:
    enrollment = Enrollment.objects.get(person__full_name=f"Uji {name}", stage__in=["completed", "withdrawn"])
    Certificate.objects.create(
        enrollment=enrollment, issuer="LPK Uji", number=f"C-{name}", competency="Menjahit", issued_on=on
    )


@pytest.fixture
def live_map(registry) -> dict[str, Any]:  # noqa: F811
    value_map = services.value_map_create(
        actor=None,
        program=registry["program"],
        data={"title": "Peta hidup", "inputs_source": "manual", "inputs_manual": 10_000_000},
    )
    outcomes = {
        binding: services.outcome_add(
            actor=None,
            value_map=value_map,
            data=BASE | {"name": binding, "quantity": 99, "binding": binding},
        )
        for binding in ("completed", "certified", "no_reoffence_24m", "in_work_6m")
    }
    return registry | {"map": value_map, "outcomes": outcomes}


def test_quantities_follow_the_records_and_a_snapshot_freezes_them(live_map) -> None:
    value_map, outcomes = live_map["map"], live_map["outcomes"]
    live = selectors.live_quantities(value_map, as_of=AS_OF)
    # Completed: p1, p3, p4, p5, p6, p7 (p2 withdrew); the map's period is the program's (2021-07 to 2023-06).
    assert live[outcomes["completed"].pk].quantity == 6
    assert live[outcomes["certified"].pk].quantity == 0
    # Released and 24 months closed by 2025-01-01: p1, p2, p3, p4, p7; only p1 re-offended in the window.
    assert live[outcomes["no_reoffence_24m"].pk].quantity == 4
    assert "4 of 5" in live[outcomes["no_reoffence_24m"].pk].note.replace("dari", "of")
    # Not available (the hand-entered 99 is used) until aftercare records follow-ups; then none were found.
    follow_ups = selectors._aftercare("FollowUp") is not None
    assert live[outcomes["in_work_6m"].pk].quantity == (0 if follow_ups else None)

    certify("p1", dt.date(2022, 1, 5))
    live = selectors.live_quantities(value_map, as_of=AS_OF)
    assert live[outcomes["certified"].pk].quantity == 1
    certify("p3", dt.date(2023, 9, 1))  # outside the map's period
    assert selectors.live_quantities(value_map, as_of=AS_OF)[outcomes["certified"].pk].quantity == 1

    before = selectors.value_map_numbers(value_map, as_of=AS_OF).result
    snapshot = services.snapshot_freeze(actor=None, value_map=value_map, label="Laporan TJSL")
    frozen = {o["name"]: D(str(o["quantity"])) for o in json.loads(snapshot.data)["outcomes"]}
    certify("p4", dt.date(2022, 6, 1))
    assert selectors.live_quantities(value_map, as_of=AS_OF)[outcomes["certified"].pk].quantity == 2
    after = selectors.value_map_numbers(value_map, as_of=AS_OF).result
    assert after.present_value > before.present_value
    snapshot.refresh_from_db()
    assert {o["name"]: D(str(o["quantity"])) for o in json.loads(snapshot.data)["outcomes"]} == frozen
    assert frozen["certified"] == 1 and frozen["in_work_6m"] == (0 if follow_ups else 99)


def test_deadweight_from_the_comparison_group(world, live_map) -> None:
    outcome = live_map["outcomes"]["no_reoffence_24m"]
    with pytest.raises(ConflictError):
        services.outcome_deadweight_from_comparison(
            actor=None, outcome=outcome, version=outcome.version + 1, as_of=AS_OF
        )
    outcome.refresh_from_db()
    # 5 comparison people, 2 of whom did not re-offend: too few for a TJSL officer to read their rate.
    with pytest.raises(ApplicationError) as refused:
        services.outcome_deadweight_from_comparison(
            actor=world.users[Role.CSR_OFFICER], outcome=outcome, version=outcome.version, as_of=AS_OF
        )
    assert "deadweight" in refused.value.detail
    services.outcome_deadweight_from_comparison(
        actor=world.users[Role.KANWIL_OFFICER], outcome=outcome, version=outcome.version, as_of=AS_OF
    )
    outcome.refresh_from_db()
    # The comparison group re-offended at 13/24 (reweighted), so 11/24 did not: 0.458333… → 0.45833.
    assert outcome.deadweight == D("0.45833")
    assert "45,8%" in outcome.deadweight_source and "5" in outcome.deadweight_source
    with pytest.raises(ApplicationError):
        other = live_map["outcomes"]["certified"]
        services.outcome_deadweight_from_comparison(actor=None, outcome=other, version=other.version)
    with pytest.raises(ForbiddenError):
        services.outcome_deadweight_from_comparison(
            actor=world.others[Role.CSR_OFFICER], outcome=outcome, version=outcome.version
        )


def test_the_value_map_page_shows_live_quantities_and_the_one_click_deadweight(world, live_map) -> None:
    from django.test import Client

    client = Client()
    client.force_login(world.users[Role.KANWIL_OFFICER])
    page = client.get(f"/dampak/peta-nilai/{live_map['map'].pk}/")
    assert page.status_code == 200
    text = page.content.decode()
    outcome = live_map["outcomes"]["no_reoffence_24m"]
    assert f'data-testid="live-{outcome.pk}"' in text
    assert f"/dampak/hasil/{outcome.pk}/deadweight/" in text
    assert 'data-testid="tornado"' in text and 'role="img"' in text
    assert (
        'data-testid="tornado"'
        in client.get(f"/dampak/peta-nilai/{live_map['map'].pk}/?langkah=10").content.decode()
    )
    response = client.post(f"/dampak/hasil/{outcome.pk}/deadweight/", {"version": outcome.version})
    assert response.status_code == 302
    outcome.refresh_from_db()
    assert outcome.deadweight_source


def test_the_sensitivity_chart_is_the_same_on_the_page_and_in_the_joint_report(world, live_map) -> None:
    from django.test import Client

    from sinergi.reports import joint

    client = Client()
    client.force_login(world.users[Role.ADMIN])
    page = client.get(f"/dampak/peta-nilai/{live_map['map'].pk}/")
    on_page = page.context["tornado"]
    assert on_page is not None and str(on_page) in page.content.decode()
    program = live_map["program"]
    content = joint.build(
        actor=world.users[Role.ADMIN],
        agreement=None,
        program=program,
        start=program.start_date,
        end=AS_OF,
        language=page.context["LANGUAGE_CODE"],
    )
    sroi = next(s for s in content.sections if s.key == "sroi")
    assert on_page in sroi.charts and str(on_page) in joint.render_html(content)
