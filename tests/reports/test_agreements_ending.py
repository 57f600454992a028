"""The dashboards' "agreements ending within 90 days" is the true count, not the length of a capped list."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from sinergi.accounts.choices import Role
from sinergi.partnerships.selectors import agreement_list
from sinergi.reports import selectors
from tests.authz import World
from tests.partnerships.conftest import make_agreement

pytestmark = pytest.mark.django_db

MANY = 53  # more than the 50 the dashboard used to stop counting at


def test_more_than_fifty_agreements_ending_are_all_counted(world: World) -> None:
    today = timezone.localdate()
    parties = [world.organisation(Role.KANWIL_OFFICER, "own"), world.organisation(Role.CSR_OFFICER, "own")]
    for i in range(MANY):
        make_agreement(
            None,
            parties,
            number=f"MOU-SEGERA-{i:02d}",
            duration_years=None,
            start_date=today - dt.timedelta(days=300),
            end_date=today + dt.timedelta(days=10 + i % 70),
        )
    for role in (Role.ADMIN, Role.KANWIL_OFFICER, Role.CSR_OFFICER):
        user = world.users[role]
        expected = agreement_list(actor=user, filters={"status": "expiring"}).count()
        assert expected == MANY
        ending = selectors.agreements_ending(selectors.scope_of(user, selectors.Filters()))
        assert ending["count"] == MANY
        assert len(ending["items"]) == 10
        client = Client()
        client.force_login(user)
        html = client.get("/").content.decode()
        figure = html[html.index('data-testid="agreements-ending"') :]
        assert figure.startswith(
            f'data-testid="agreements-ending"><a href="/kerja-sama/?status=expiring">{MANY}</a>'
        )
    monitor = world.users[Role.MONITOR]
    assert selectors.agreements_ending(selectors.scope_of(monitor, selectors.Filters()))["count"] == MANY
