"""Dashboard filters (issue 13): an invalid filter is named with its reason and the others still apply; the
panels a filter does not narrow say so."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.test import Client

from sinergi.accounts.choices import Role
from tests.authz import World

pytestmark = pytest.mark.django_db


def _get(user: Any, query: str) -> Any:
    client = Client()
    client.force_login(user)
    response = client.get("/" + query)
    assert response.status_code == 200
    return response


def _ignored(response: Any) -> str:
    html = response.content.decode()
    found = re.search(r'data-testid="filters-ignored">(.*?)</div>', html, re.DOTALL)
    return found.group(1) if found else ""


def test_an_invalid_filter_is_named_and_the_valid_ones_still_apply(
    delivered: dict[str, Any], world: World
) -> None:
    admin = world.users[Role.ADMIN]
    whole = _get(admin, "").context["reached_total"].value
    assert whole == 3
    response = _get(admin, "?start=abc")
    assert "abc" in _ignored(response) and "2024-01-31" in _ignored(response)
    assert response.context["reached_total"].value == whole
    # The end of the period still narrows even though the program beside it is not one (it was dropped).
    narrowed = _get(admin, "?program=999999&end=2021-01-01")
    assert "999999" in _ignored(narrowed)
    filters = narrowed.context["scope"].filters
    assert filters.end == dt.date(2021, 1, 1) and filters.program is None
    assert _ignored(_get(admin, "?program=999999")).count("999999") == 1
    assert _ignored(_get(admin, "")) == ""


def test_an_out_of_scope_id_reads_like_one_that_does_not_exist(
    delivered: dict[str, Any], world: World
) -> None:
    outsider = world.others[Role.KANWIL_OFFICER]
    unit = delivered["unit"].pk
    outside = _ignored(_get(outsider, f"?unit={unit}"))
    missing = _ignored(_get(outsider, "?unit=999999"))
    assert outside and outside.replace(str(unit), "N") == missing.replace("999999", "N")


def test_panels_not_narrowed_by_the_filters_say_so(delivered: dict[str, Any], world: World) -> None:
    officer = world.users[Role.KANWIL_OFFICER]
    assert 'data-testid="unfiltered"' not in _get(officer, "").content.decode()
    html = _get(officer, f"?program={delivered['program'].pk}").content.decode()
    assert html.count('data-testid="unfiltered"') >= 2  # agreements ending, follow-ups overdue
