"""Writes over the API: budget lines, expenditures, in-kind contributions, value maps and outcomes, and the
deadweight from the comparison group. Same services as the pages: role and party scope, versions, rules."""

from __future__ import annotations

import json
from decimal import Decimal as D
from typing import Any

import pytest
from django.test import Client

from sinergi.accounts.choices import Role
from tests.impact.conftest import line
from tests.impact.test_views_api import api


def call(method: str, url: str, user: Any, body: dict[str, Any] | None = None) -> Any:
    return getattr(Client(), method)(
        url, data=json.dumps(body or {}), content_type="application/json", headers=api(user)
    )


def test_finance_writes(impact) -> None:
    tjsl, program, company = impact["tjsl"], impact["program"], impact["company"]
    budget = line(impact, amount=1_000_000)
    changed = call(
        "put", f"/api/v1/impact/budget-lines/{budget.pk}", tjsl, {"version": 1, "amount": 2_000_000}
    )
    assert changed.status_code == 200 and changed.json()["budget"] == 2_000_000
    stale = call("put", f"/api/v1/impact/budget-lines/{budget.pk}", tjsl, {"version": 1, "amount": 5})
    assert stale.status_code == 409

    body = {
        "budget_line_id": budget.pk,
        "spent_on": "2022-03-01",
        "amount": 1_900_000,
        "description": "Mesin jahit",
        "paid_by_id": company.pk,
    }
    created = call("post", f"/api/v1/impact/programs/{program.pk}/expenditures", tjsl, body)
    assert created.status_code == 201, created.content
    expenditure = created.json()
    wrong_year = call(
        "post", f"/api/v1/impact/programs/{program.pk}/expenditures", tjsl, body | {"spent_on": "2030-01-01"}
    )
    assert wrong_year.status_code == 400
    fixed = call(
        "put",
        f"/api/v1/impact/expenditures/{expenditure['id']}",
        tjsl,
        {"version": expenditure["version"], "amount": 1_950_000},
    )
    assert fixed.status_code == 200 and fixed.json()["amount"] == 1_950_000

    gift = {
        "contributor_id": impact["kanwil"].pk,
        "kind": "facility",
        "description": "Ruang kelas",
        "contributed_on": "2022-02-01",
        "value": 3_000_000,
        "valuation_basis": "Sewa setara 10 hari",
    }
    made = call("post", f"/api/v1/impact/programs/{program.pk}/in-kind", tjsl, gift)
    assert made.status_code == 201
    listed = Client().get(f"/api/v1/impact/programs/{program.pk}/in-kind", headers=api(tjsl)).json()
    assert [c["value"] for c in listed] == [3_000_000]
    again = call("put", f"/api/v1/impact/in-kind/{made.json()['id']}", tjsl, {"version": 1, "value": 0})
    assert again.status_code == 400


def test_value_map_writes_and_the_deadweight_button(impact) -> None:
    kanwil = impact["kanwil_user"]
    created = call(
        "post", "/api/v1/impact/value-maps", kanwil, {"title": "Peta API", "program_id": impact["program"].pk}
    )
    assert created.status_code == 201
    value_map = created.json()
    both = call(
        "post",
        "/api/v1/impact/value-maps",
        kanwil,
        {"title": "x", "program_id": impact["program"].pk, "agreement_id": impact["mou"].pk},
    )
    assert both.status_code == 400
    renamed = call(
        "put", f"/api/v1/impact/value-maps/{value_map['id']}", kanwil, {"version": 1, "title": "Peta B"}
    )
    assert renamed.status_code == 200 and renamed.json()["title"] == "Peta B"

    outcome_body = {"name": "Tidak mengulangi", "quantity": "4", "proxy": "5000000", "duration": 2}
    bad = call(
        "post",
        f"/api/v1/impact/value-maps/{value_map['id']}/outcomes",
        kanwil,
        outcome_body | {"deadweight": "1.5"},
    )
    assert bad.status_code == 400
    outcome = call(
        "post",
        f"/api/v1/impact/value-maps/{value_map['id']}/outcomes",
        kanwil,
        outcome_body | {"binding": "no_reoffence_24m"},
    ).json()
    updated = call(
        "put", f"/api/v1/impact/outcomes/{outcome['id']}", kanwil, {"version": 1, "attribution": "0.2"}
    )
    assert updated.status_code == 200 and D(updated.json()["attribution"]) == D("0.2")
    # No releases recorded: there is no comparison group yet, and the refusal says so.
    refused = call(
        "post", f"/api/v1/impact/outcomes/{outcome['id']}/deadweight-from-comparison", kanwil, {"version": 2}
    )
    assert refused.status_code == 400 and "pembanding" in refused.content.decode()
    gone = Client().delete(f"/api/v1/impact/outcomes/{outcome['id']}?version=2", headers=api(kanwil))
    assert gone.status_code == 204


@pytest.mark.parametrize("role", [Role.MONITOR, Role.UNIT_OFFICER, Role.BAPAS_OFFICER, Role.FACILITATOR])
def test_writes_are_refused_outside_the_editor_roles(world, impact, role) -> None:
    user = world.users[role]
    budget = line(impact)
    assert call(
        "put", f"/api/v1/impact/budget-lines/{budget.pk}", user, {"version": 1, "amount": 5}
    ).status_code in (
        403,
        404,
    )
    made = call("post", "/api/v1/impact/value-maps", user, {"title": "x", "program_id": impact["program"].pk})
    assert made.status_code in (403, 404)


def test_writes_are_refused_to_officers_of_other_parties(world, impact) -> None:
    outsider = world.others[Role.CSR_OFFICER]
    budget = line(impact)
    assert (
        call(
            "put", f"/api/v1/impact/budget-lines/{budget.pk}", outsider, {"version": 1, "amount": 5}
        ).status_code
        == 404
    )
    body = {"title": "x", "program_id": impact["program"].pk}
    assert call("post", "/api/v1/impact/value-maps", outsider, body).status_code == 404
