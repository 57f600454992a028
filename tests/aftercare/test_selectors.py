"""Aftercare reads: the caseload and the case list take the same number of queries for one case or many."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from sinergi.accounts.services import token_create
from sinergi.aftercare import selectors, services
from tests.aftercare.conftest import release_and_open


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
