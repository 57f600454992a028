"""The notices that replace figures withheld from aggregate-only roles (TJSL officers, monitors) on views
filtered to some programs say in plain words what is hidden, when, why (a difference between two views
could reveal fewer than 5 people, who could then be recognised) and where the figure can be seen instead,
as the dashboard's notices do (`reports.dashboards.WITHHELD_COMPANY`, `WITHHELD_MONITOR`)."""

from __future__ import annotations

import pytest
from django.utils import translation

from sinergi.accounts.choices import Role
from sinergi.aftercare.panels import WITHHELD_INDEX
from sinergi.impact.api import RECIDIVISM_WITHHELD
from sinergi.impact.selectors import WITHHELD_PER_PROGRAM
from tests.impact.test_recidivism import registry  # noqa: F401  (the fixture)

NOTICES = {
    "per_program": (WITHHELD_PER_PROGRAM, "disembunyikan di halaman ini"),
    "recidivism": (RECIDIVISM_WITHHELD, "tidak diberikan untuk satu program"),
    "index": (WITHHELD_INDEX, "disembunyikan di halaman ini"),
}


@pytest.mark.parametrize("name", list(NOTICES))
def test_the_notice_says_in_plain_indonesian_what_is_hidden_when_why_and_where(name: str) -> None:
    notice, hidden = NOTICES[name]
    with translation.override("id"):
        text = str(notice)
    assert hidden in text  # what, and when (on this page / for one program)
    assert "kurang dari 5 orang" in text and "dikenali" in text  # why
    assert "dasbor tanpa filter" in text  # where instead
    # Not the old, abstract wording.
    assert "Untuk peran Anda" not in text and "angka kecil tidak dapat dihitung" not in text
    with translation.override("en"):
        english = str(notice)
    assert "fewer than 5 people" in english and "recognised" in english
    assert "dashboard without filters" in english and "worked out from" not in english


def test_the_api_refusal_carries_the_plain_notice(world, registry) -> None:  # noqa: F811
    from django.test import Client

    from tests.impact.test_views_api import api

    url = f"/api/v1/impact/programs/{registry['program'].pk}/recidivism?window=24&as_of=2024-03-31"
    with translation.override("id"):
        expected = str(RECIDIVISM_WITHHELD)
    response = Client().get(url, headers=api(world.users[Role.CSR_OFFICER]))
    assert response.status_code == 403
    assert expected in response.content.decode()
