"""Aftercare over the API: the JSON write operations per role and scope, the refusals' bodies, stale
versions, pagination, audited bulk reads, and what each role's answers leave out."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.test import Client

from sinergi.accounts.services import token_create
from sinergi.aftercare.models import FollowUp
from sinergi.audit.models import AuditEvent
from tests.aftercare.matrix_rows import API_POSTS, _case
from tests.authz import OTHER, OWN, ROLES, World


def _call(client: Client, user: Any, method: str, url: str, payload: dict[str, Any] | None = None) -> Any:
    headers = {"Authorization": f"Bearer {token_create(actor=None, user=user)}"}
    if method == "get":
        return client.get(url, headers=headers)
    return getattr(client, method)(
        url, json.dumps(payload or {}), content_type="application/json", headers=headers
    )


def test_every_json_write_is_allowed_exactly_to_the_granted_roles_and_scopes(world: World) -> None:
    from tests.factories import OrganisationFactory

    funder = OrganisationFactory()
    failures = []
    client = Client()
    for name, template, payload, allowed in API_POSTS:
        for role in ROLES:
            for scope in (OWN, OTHER):
                case = _case(world, role, scope)
                case.refresh_from_db()
                body = dict(payload)
                if name == "aid":
                    body["funder_id"] = funder.pk
                if name == "close":
                    body["version"] = case.version
                response = _call(client, world.users[role], "post", template.format(case=case.pk), body)
                expected = scope in allowed.get(role, frozenset())
                if expected and response.status_code >= 400:
                    failures.append(f"{name}: {role}/{scope} should be allowed, got {response.status_code}")
                if not expected and response.status_code not in (403, 404):
                    failures.append(f"{name}: {role}/{scope} should be denied, got {response.status_code}")
    assert failures == []


def test_refusals_have_the_standard_body_in_indonesian_and_stale_versions_conflict(
    aftercare: dict[str, Any],
) -> None:
    client, pk, case = Client(), aftercare["pk_officer"], aftercare["case"]
    url = f"/api/v1/aftercare/cases/{case.pk}/followups"
    bad = _call(
        client,
        pk,
        "post",
        url,
        {
            "milestone": 6,
            "done_on": "2022-11-03",
            "work_status": "employed",
            "housing": "own",
            "monthly_income": -1,
        },
    )
    assert bad.status_code == 400
    assert bad.json()["detail"] == {"monthly_income": "Penghasilan tidak boleh negatif."}
    good = _call(
        client,
        pk,
        "post",
        url,
        {
            "milestone": 6,
            "done_on": "2022-11-03",
            "work_status": "employed",
            "housing": "own",
            "monthly_income": 3_000_000,
            "family_support": True,
        },
    )
    assert good.status_code == 201, good.content
    again = _call(client, pk, "post", url, {"milestone": 6, "done_on": "2022-11-04", "contacted": False})
    assert again.status_code == 400 and again.json()["code"] == "exists"
    followup = FollowUp.objects.get()
    stale = _call(
        client,
        pk,
        "put",
        f"/api/v1/aftercare/followups/{followup.pk}",
        {"version": followup.version - 1, "monthly_income": 1},
    )
    assert stale.status_code == 409
    fresh = _call(
        client,
        pk,
        "put",
        f"/api/v1/aftercare/followups/{followup.pk}",
        {"version": followup.version, "monthly_income": 1},
    )
    assert fresh.status_code == 200 and fresh.json()["monthly_income"] == 1
    scores = _call(client, pk, "get", f"/api/v1/aftercare/cases/{case.pk}/scores").json()
    assert [s["score"] for s in scores] == [65, 65]  # no UMK recorded: income alone earns its 25
    assert scores[0]["weights"]["income"] == 25 and scores[0]["ruleset_version"] == "kemandirian-2026.1"
    assign = _call(
        client,
        aftercare["head"],
        "post",
        f"/api/v1/aftercare/cases/{case.pk}/assign",
        {"pk_officer_id": aftercare["stranger"].pk, "version": case.version},
    )
    assert assign.status_code == 400 and "pk_officer" in assign.json()["detail"]


def test_the_case_list_is_paginated_audited_and_tells_tjsl_no_release_details(
    aftercare: dict[str, Any],
) -> None:
    client = Client()
    listed = _call(client, aftercare["pk_officer"], "get", "/api/v1/aftercare/cases?limit=1&offset=0")
    assert listed.status_code == 200 and len(listed.json()) == 1
    assert listed.json()[0]["release_kind"] == "pb"
    assert AuditEvent.objects.filter(action="aftercare_case.list").exists()
    assert _call(client, aftercare["pk_officer"], "get", "/api/v1/aftercare/cases?limit=500").status_code in (
        400,
        422,
    )
    csr = _call(client, aftercare["csr"], "get", "/api/v1/aftercare/cases").json()
    assert len(csr) == 1 and "release_kind" not in csr[0] and "released_on" not in csr[0]
    visits = _call(client, aftercare["csr"], "get", f"/api/v1/aftercare/cases/{aftercare['case'].pk}/visits")
    assert visits.status_code == 200
    reoffences = _call(
        client, aftercare["csr"], "get", f"/api/v1/aftercare/cases/{aftercare['case'].pk}/reoffences"
    )
    assert reoffences.status_code == 403


def test_a_case_is_opened_by_hand_over_the_api(aftercare: dict[str, Any]) -> None:
    from sinergi.beneficiaries.services import episode_release
    from sinergi.events.services import events_dispatch

    walk_in = aftercare["people"][3]
    episode = walk_in.episodes.get()
    episode_release(
        actor=None,
        episode=episode,
        kind="bebas",
        on=dt.date(2022, 6, 1),
        version=episode.version,
        override_reason="Data uji",
    )
    events_dispatch()
    client = Client()
    opened = _call(
        client, aftercare["pk_officer"], "post", "/api/v1/aftercare/cases", {"episode_id": episode.pk}
    )
    assert opened.status_code == 201 and opened.json()["release_kind"] == "bebas"
    assert (
        _call(
            client, aftercare["stranger"], "post", "/api/v1/aftercare/cases", {"episode_id": episode.pk}
        ).status_code
        == 404
    )


def test_an_unknown_choice_is_refused_and_nothing_is_saved(aftercare: dict[str, Any]) -> None:
    from sinergi.aftercare.models import Report, Visit

    client, pk, case = Client(), aftercare["pk_officer"], aftercare["case"]
    report = _call(
        client,
        pk,
        "post",
        f"/api/v1/aftercare/cases/{case.pk}/reports",
        {"reported_on": "2022-06-02", "mode": "telepati"},
    )
    visit = _call(
        client,
        pk,
        "post",
        f"/api/v1/aftercare/cases/{case.pk}/visits",
        {"visited_on": "2022-06-02", "mode": ""},
    )
    assert (report.status_code, visit.status_code) == (400, 400)
    assert report.json()["detail"] == {"mode": "Pilih salah satu pilihan yang tersedia."}
    assert not Report.objects.exists() and not Visit.objects.exists()
