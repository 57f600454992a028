"""A TJSL officer opens the case of a participant who agreed to share with the company (from the
"returned to custody" notification, say): that visits happened, aid and scores, never how or when the
person was released, nor when or why the case was closed (corrections data; the API leaves them out too)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client

from sinergi.aftercare import services

pytestmark = pytest.mark.django_db


def _page(user: Any, case: Any) -> str:
    client = Client()
    client.force_login(user)
    response = client.get(f"/pembimbingan/{case.pk}/")
    assert response.status_code == 200
    return response.content.decode()


def test_the_case_page_tells_a_tjsl_officer_no_release_or_closing_details(aftercare: dict[str, Any]) -> None:
    case = aftercare["case"]
    guide = _page(aftercare["pk_officer"], case)
    assert "PB ·" in guide and "3 Mei 2022" in guide
    company = _page(aftercare["csr"], case)
    assert "PB ·" not in company and "3 Mei 2022" not in company
    case = services.case_close(
        actor=aftercare["pk_officer"],
        case=case,
        reason="sentence_ended",
        on=dt.date(2023, 1, 1),
        version=case.version,
    )
    company = _page(aftercare["csr"], case)
    assert 'data-testid="closed"' in company
    assert "1 Januari 2023" not in company and "Masa pidana berakhir" not in company
    assert "1 Januari 2023" in _page(aftercare["pk_officer"], case)


def test_the_case_api_tells_a_tjsl_officer_only_that_the_case_is_closed(aftercare: dict[str, Any]) -> None:
    from sinergi.accounts.services import token_create

    case = aftercare["case"]
    services.case_close(
        actor=aftercare["pk_officer"],
        case=case,
        reason="sentence_ended",
        on=dt.date(2023, 1, 1),
        version=case.version,
    )

    def cases(user: Any) -> list[dict[str, Any]]:
        secret = token_create(actor=user, user=user, name="uji")
        return Client(headers={"Authorization": f"Bearer {secret}"}).get("/api/v1/aftercare/cases").json()

    company = cases(aftercare["csr"])[0]
    assert company["closed"] is True
    for key in ("closed_on", "close_reason", "release_kind", "released_on"):
        assert key not in company, key
    guide = cases(aftercare["pk_officer"])[0]
    assert guide["closed_on"] == "2023-01-01" and guide["close_reason"] == "sentence_ended"
