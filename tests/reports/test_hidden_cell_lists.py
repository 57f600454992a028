"""A number hidden on an aggregate-only role's dashboard for another's sake ("×", secondary suppression)
has no link, and its list must not open when its address is typed either (issue 13): with a "<5" beside
it, the list's count would give the small one back by subtraction. Before, only a list whose own count is
1 to 4 was refused ("<5", tests/reports/test_company_lists.py). The list asks the dashboard's masking under
the same filters (`reports.dashboards.list_cell`), for the page, the export and the API alike."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client

from sinergi.accounts.choices import Role
from sinergi.accounts.services import token_create
from sinergi.audit.models import AuditEvent
from tests import people
from tests.authz import World
from tests.reports.test_company_lists import crowd as crowd  # noqa: F401  (the fixture)

pytestmark = pytest.mark.django_db

CSR = Role.CSR_OFFICER
HIDDEN = "disembunyikan di dasbor Anda (“×”)"


@pytest.fixture
def two_units(crowd: dict[str, Any], world: World) -> dict[str, Any]:  # noqa: F811
    """The crowd's seven at its unit, and three more of the same program at a second unit: the second
    unit's row is "<5", so the first unit's 7 (or the total) is hidden beside it."""
    from tests.factories import UnitFactory

    unit = UnitFactory(regional_office=world.organisation(Role.KANWIL_OFFICER, "own"))
    group = people.cohort(crowd["program"], unit, "Angkatan Kedua", dt.date(2022, 3, 7), dt.date(2022, 6, 30))
    for i in range(3):
        people.participant(group, f"DUA{i}", stage="enrolled")
    return crowd | {"second": unit}


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _hidden_lists(dashboard: Any, two_units: dict[str, Any], query: str) -> dict[str, Any]:
    """The people-reached lists whose number the dashboard shows as "×", by address (with the filters)."""
    units = {two_units["unit"].name: two_units["unit"].pk, two_units["second"].name: two_units["second"].pk}
    lists = {}
    for figure in dashboard.context["reached"]["unit"]:
        lists[f"/laporan/daftar/participants/?by=unit&key={units[figure.label]}{query}"] = figure.value
    lists[f"/laporan/daftar/participants/?{query.lstrip('&')}"] = dashboard.context["reached_total"].value
    return {address: value for address, value in lists.items() if value == "×"}


@pytest.mark.parametrize("filtered", [False, True])
def test_a_list_behind_a_secondarily_hidden_number_is_refused_with_a_message(
    two_units: dict[str, Any], world: World, filtered: bool
) -> None:
    query = f"&program={two_units['program'].pk}" if filtered else ""
    client = _client(world.users[CSR])
    dashboard = client.get(f"/?{query.lstrip('&')}")
    hidden = _hidden_lists(dashboard, two_units, query)
    assert hidden, "the dashboard hides a number beside the second unit's <5"
    admin = _client(world.users[Role.ADMIN])
    for address in hidden:
        refused = client.get(address)
        assert refused.status_code == 403, address
        assert HIDDEN in refused.content.decode(), address
        assert admin.get(address).status_code == 200
        export = address.replace(
            "/laporan/daftar/participants/?", "/laporan/ekspor/peserta.csv?metric=participants&"
        )
        assert client.get(export).status_code == 403, export
    # A monitor lists nobody at all; the refusal above is audited without the count it keeps back.
    assert _client(world.users[Role.MONITOR]).get(next(iter(hidden))).status_code == 403
    event = AuditEvent.objects.filter(action="participant.list_refused").order_by("-seq").first()
    assert event is not None


def test_the_api_export_refuses_a_secondarily_hidden_list(two_units: dict[str, Any], world: World) -> None:
    dashboard = _client(world.users[CSR]).get("/")
    address = next(iter(_hidden_lists(dashboard, two_units, "")))
    secret = token_create(actor=world.users[CSR], user=world.users[CSR], name="uji")
    client = Client(headers={"Authorization": f"Bearer {secret}"})
    refused = client.get(
        address.replace("/laporan/daftar/participants/?", "/api/v1/exports/peserta.csv?metric=participants&")
    )
    assert refused.status_code == 403
    assert HIDDEN in refused.json()["message"]


def test_a_shown_number_still_opens_its_list(two_units: dict[str, Any], world: World) -> None:
    client = _client(world.users[CSR])
    dashboard = client.get("/")
    shown = [f for f in dashboard.context["reached"]["unit"] if isinstance(f.value, int) and f.value]
    for figure in shown:
        assert figure.url and client.get(figure.url).status_code == 200
