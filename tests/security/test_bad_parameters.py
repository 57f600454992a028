"""Bad parameters get a 400 (API: JSON in Indonesian) or the page with a message, never a 500.

Run on SQLite and on PostgreSQL (DATABASE_URL=postgresql://...): PostgreSQL refuses NUL characters in text
and integers beyond 64 bits, SQLite overflows on them, so both must be tried.
"""

from __future__ import annotations

import json
from urllib.parse import urlencode

import pytest
from django.test import Client

from sinergi.accounts.choices import Role
from sinergi.accounts.services import token_create
from sinergi.core.params import BadParameter, query_id, query_int, query_year

HUGE = "100000000000000000000000"

API_PARAMETERS = [
    "/api/v1/persons?offset=-5",
    "/api/v1/persons?offset=1e20",
    f"/api/v1/persons?offset={HUGE}",
    "/api/v1/persons?limit=0",
    "/api/v1/persons?limit=100000",
    "/api/v1/persons?unit=1e23",
    f"/api/v1/persons?unit={HUGE}",
    "/api/v1/persons?q=a%00b",
    "/api/v1/agreements?year=99999999999",
    "/api/v1/agreements?year=-1",
    f"/api/v1/agreements?partner={HUGE}",
    "/api/v1/agreements?q=%00",
    "/api/v1/audit/events?offset=-5",
    f"/api/v1/audit/events?offset={HUGE}",
    "/api/v1/audit/events?limit=1e3",
    "/api/v1/impact/value-maps?offset=-5",
    "/api/v1/impact/value-maps?offset=1e20",
    "/api/v1/units?q=x%00",
    "/api/v1/regions/districts?q=pla%00ju",
]

PAGE_PARAMETERS = [
    "/wbp/?unit=1e23",
    f"/wbp/?unit={HUGE}",
    "/wbp/?unit=-5",
    "/wbp/?q=Budi%00",
    "/kerja-sama/?q=%00",
    "/audit/?target_id=%00",
    "/pengguna/?q=%00",
    "/upt/?q=%00",
]

# Filters whose form shows the error above the unfiltered list (200 with the message).
PAGE_FORM_PARAMETERS = [
    ("/kerja-sama/?year=-1", "1945"),
    ("/kerja-sama/?year=99999999999", "2100"),
]


@pytest.fixture
def admin_token(world) -> str:
    return token_create(actor=None, user=world.users[Role.ADMIN])


@pytest.mark.parametrize("url", API_PARAMETERS)
def test_api_refuses_bad_parameters_with_400(url: str, admin_token: str) -> None:
    client = Client(raise_request_exception=False)
    response = client.get(url, headers={"Authorization": f"Bearer {admin_token}"})
    assert response.status_code == 400, response.content
    body = response.json()
    assert body["code"] in ("invalid", "nul_character")
    assert body["message"]


def test_api_error_names_the_field_in_indonesian(admin_token: str) -> None:
    response = Client().get("/api/v1/persons?offset=-5", headers={"Authorization": f"Bearer {admin_token}"})
    body = response.json()
    assert body["message"] == "Beberapa isian tidak valid; lihat bagian detail."
    assert body["detail"] == [{"field": "offset", "message": "Paling kecil 0.", "type": "greater_than_equal"}]


@pytest.mark.parametrize("url", PAGE_PARAMETERS)
def test_pages_refuse_bad_parameters_with_a_message(url: str, world) -> None:
    client = Client(raise_request_exception=False)
    client.force_login(world.users[Role.ADMIN])
    response = client.get(url)
    assert response.status_code == 400
    assert b"alert" in response.content and b"Sinergi" in response.content


@pytest.mark.parametrize(("url", "bound"), PAGE_FORM_PARAMETERS)
def test_filter_forms_show_the_error_above_the_list(url: str, bound: str, world) -> None:
    client = Client(raise_request_exception=False)
    client.force_login(world.users[Role.ADMIN])
    response = client.get(url)
    assert response.status_code == 200
    assert bound.encode() in response.content and b"alert-danger" in response.content


def test_nul_in_a_json_body_is_refused(admin_token: str) -> None:
    payload = {"kind": "mou", "number": "MOU/1", "title": "Uji\u0000", "start_date": "2024-01-01"}
    response = Client(raise_request_exception=False).post(
        "/api/v1/agreements",
        data=json.dumps(payload),
        content_type="application/json",
        headers={"Authorization": f"Bearer {admin_token}"},
    )
    assert response.status_code == 400
    assert response.json()["code"] == "nul_character"


def test_an_escaped_backslash_u0000_is_text_not_nul(admin_token: str) -> None:
    """The six characters \\u0000 typed on purpose are ordinary text, not a NUL."""
    response = Client(raise_request_exception=False).get(
        "/api/v1/units", {"q": "\\u0000"}, headers={"Authorization": f"Bearer {admin_token}"}
    )
    assert response.status_code == 200


def test_nul_in_a_form_post_is_refused(world) -> None:
    client = Client(raise_request_exception=False)
    client.force_login(world.users[Role.ADMIN])
    body = urlencode({"kind": "company", "name": "PT\x00Uji"})
    response = client.post("/organisasi/baru/", body, content_type="application/x-www-form-urlencoded")
    assert response.status_code == 400


def test_nul_in_a_multipart_login_form_is_refused() -> None:
    """A browser's multipart form, with CSRF checked as in production (CSRF parses the form first)."""
    client = Client(enforce_csrf_checks=True, raise_request_exception=False)
    client.get("/masuk/")
    token = client.cookies["csrftoken"].value
    response = client.post("/masuk/", {"username": "a\x00", "password": "x", "csrfmiddlewaretoken": token})
    assert response.status_code == 400


def test_the_shared_parser_accepts_plain_digits_only() -> None:
    assert query_int({"n": " 42 "}, "n") == 42
    assert query_int({}, "n", default=7) == 7
    assert query_id({"id": ""}, "id") is None
    assert query_year({"year": "2024"}) == 2024
    for bad in ("1e3", "0x10", "4.0", "-1", HUGE, "٣"):
        with pytest.raises(BadParameter):
            query_id({"id": bad}, "id")
    with pytest.raises(BadParameter):
        query_year({"year": "99999"})


NEVER_500 = [
    f"/program/baru/?agreement={HUGE}",
    f"/program/angkatan/baru/?program={HUGE}",
    f"/dampak/peta-nilai/baru/?program={HUGE}",
    f"/dampak/peta-nilai/baru/?agreement={HUGE}",
    "/wbp/bebas-segera/?bulan=1e9",
    "/audit/?date_from=99999-01-01&date_to=-1",
    f"/pengguna/?page={HUGE}",
    "/kerja-sama/?page=-1",
    f"/kerja-sama/?partner={HUGE}",
    "/kerja-sama/?kind=%27%3B--",
    f"/api/v1/persons/{HUGE}",
    f"/api/v1/agreements/{HUGE}",
    f"/wbp/{HUGE}/",
]


@pytest.mark.parametrize("url", NEVER_500)
def test_other_odd_parameters_never_answer_500(url: str, world, admin_token: str) -> None:
    client = Client(raise_request_exception=False)
    client.force_login(world.users[Role.ADMIN])
    response = client.get(url, headers={"Authorization": f"Bearer {admin_token}"})
    assert response.status_code < 500, (url, response.status_code)
