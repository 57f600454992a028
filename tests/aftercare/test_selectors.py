"""Aftercare reads: the caseload and the case list take the same number of queries for one case or many."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from sinergi.accounts.choices import Role
from sinergi.accounts.services import token_create
from sinergi.aftercare import selectors, services
from tests.aftercare.conftest import release_and_open
from tests.authz import World


def _queries(action: Any) -> int:
    with CaptureQueriesContext(connection) as captured:
        action()
    return len(captured.captured_queries)


def test_the_caseload_and_the_api_list_do_not_grow_with_the_number_of_cases(
    aftercare: dict[str, Any],
) -> None:
    pk = aftercare["pk_officer"]
    today = dt.date(2022, 9, 10)
    client = Client()
    headers = {"Authorization": f"Bearer {token_create(actor=None, user=pk)}"}

    def api() -> None:
        assert client.get("/api/v1/aftercare/cases", headers=headers).status_code == 200

    api()  # the token's first use is recorded once
    one = _queries(lambda: selectors.caseload(actor=pk, today=today))
    one_api = _queries(api)
    for index in (1, 2):
        case = release_and_open(aftercare, index=index)
        services.case_assign(actor=aftercare["head"], case=case, pk_officer=pk, version=case.version)
    assert len(selectors.caseload(actor=pk, today=today)) == 3
    assert _queries(lambda: selectors.caseload(actor=pk, today=today)) == one
    assert _queries(api) == one_api


def test_follow_ups_due_and_overdue_per_officer_for_heads_kanwil_and_admins(
    aftercare: dict[str, Any], world: World
) -> None:
    """The 3-month follow-up of the case (released 3 May 2022) is due on 3 August: due until 30 days after,
    overdue then. Heads of Bapas, Kanwil officers and administrators see it per PK officer on their
    dashboard, with a link to that officer's cases; the case list shows it per case."""
    from sinergi.aftercare.selectors import followups_due_by_officer

    pk_officer = aftercare["pk_officer"]
    rows = followups_due_by_officer(actor=aftercare["head"], today=dt.date(2022, 8, 10))
    assert [(r["officer"].pk, r["due"], r["overdue"]) for r in rows] == [(pk_officer.pk, 1, 0)]
    rows = followups_due_by_officer(actor=world.users[Role.ADMIN], today=dt.date(2022, 12, 10))
    assert [(r["officer"].pk, r["due"], r["overdue"]) for r in rows] == [(pk_officer.pk, 0, 2)]
    assert followups_due_by_officer(actor=aftercare["stranger"], today=dt.date(2022, 12, 1)) == []
    # Today every milestone up to 24 months has passed: four overdue follow-ups.
    for user in (aftercare["head"], world.users[Role.ADMIN]):
        client = Client()
        client.force_login(user)
        page = client.get("/")
        rows = page.context["followups_by_officer"]
        assert [(r["officer"].pk, r["overdue"]) for r in rows] == [(pk_officer.pk, 4)]
        html = page.content.decode()
        assert 'data-testid="followups-by-officer"' in html and f"?officer={pk_officer.pk}" in html
        listing = client.get(f"/pembimbingan/?officer={pk_officer.pk}")
        assert listing.status_code == 200
        assert [(c.pk, fu) for c, fu in listing.context["rows"]] == [
            (aftercare["case"].pk, {"due": 0, "overdue": 4})
        ]
        assert 'data-testid="case-followups"' in listing.content.decode()
    # A Bapas officer who is not the head keeps the count of their own clients only.
    client = Client()
    client.force_login(pk_officer)
    page = client.get("/")
    assert page.context["followups_by_officer"] is None and page.context["followups_overdue"] == 4
