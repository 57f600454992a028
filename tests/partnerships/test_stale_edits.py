"""Version checks cover every field of an agreement edit (issue 8): a PUT with an old version that changes
only the parties or only the ring districts is a 409 naming what differs, and nothing is replaced."""

from __future__ import annotations

import pytest
from django.test import Client

from sinergi.accounts.choices import Role
from sinergi.accounts.services import token_create
from sinergi.partnerships.models import Agreement

pytestmark = pytest.mark.django_db


def _put(client: Client, user, url: str, data: dict):
    headers = {"Authorization": f"Bearer {token_create(actor=None, user=user)}"}
    return client.put(url, data=data, content_type="application/json", headers=headers)


def test_a_stale_put_that_changes_only_parties_or_districts_conflicts(client: Client, world) -> None:
    officer = world.users[Role.CSR_OFFICER]
    kanwil = world.organisation(Role.KANWIL_OFFICER, "own")
    payload = {
        "kind": "mou",
        "number": "MOU-BASI-1",
        "title": "Versi lama",
        "signed_on": "2021-06-09",
        "start_date": "2021-06-09",
        "duration_years": 2,
        "focus_districts": ["16.71.14"],
        "parties": [
            {"organisation_id": officer.organisation_id, "role": "first"},
            {"organisation_id": kanwil.pk, "role": "second"},
        ],
    }
    headers = {"Authorization": f"Bearer {token_create(actor=None, user=officer)}"}
    body = client.post(
        "/api/v1/agreements", data=payload, content_type="application/json", headers=headers
    ).json()["agreement"]
    url = f"/api/v1/agreements/{body['id']}"
    old = body["version"]
    assert _put(client, officer, url, payload | {"title": "Diubah", "version": old}).status_code == 200
    third = world.organisation(Role.CSR_OFFICER, "other")
    only_parties = payload | {
        "title": "Diubah",
        "version": old,
        "parties": [*payload["parties"], {"organisation_id": third.pk, "role": "third"}],
    }
    stale = _put(client, officer, url, only_parties)
    assert stale.status_code == 409, stale.content
    assert stale.json()["code"] == "conflict"
    assert "pihak" in stale.json()["detail"]["__all__"]
    agreement = Agreement.objects.get(pk=body["id"])
    assert agreement.parties.count() == 2
    only_districts = payload | {"title": "Diubah", "version": old, "focus_districts": ["16.07.01"]}
    stale = _put(client, officer, url, only_districts)
    assert stale.status_code == 409
    assert "pihak" not in stale.json()["detail"]["__all__"]
    assert list(agreement.focus_districts.values_list("code", flat=True)) == ["16.71.14"]
    # With the current version the same edit is saved, and the version moves on.
    fresh = _put(client, officer, url, only_parties | {"version": agreement.version})
    assert fresh.status_code == 200
    assert Agreement.objects.get(pk=body["id"]).parties.count() == 3
