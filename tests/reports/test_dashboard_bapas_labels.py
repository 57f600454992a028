"""The Bapas dashboard shows how each client left custody by its label in the page's language, not the
stored code in capitals ("BEBAS", "PB"), and its unit by name, without the unit's code."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.utils import translation

from sinergi.aftercare.models import AftercareCase
from tests.aftercare.conftest import handover  # noqa: F401  (fixture)
from tests.aftercare.test_program_panel import _three
from tests.programs.conftest import setting  # noqa: F401  (fixture)

pytestmark = pytest.mark.django_db
LABELS = {
    "bebas": "Bebas",
    "pb": "Pembebasan bersyarat (PB)",
    "cb": "Cuti bersyarat (CB)",
    "cmb": "Cuti menjelang bebas (CMB)",
}


def test_release_kinds_and_the_unit_read_in_words(handover: dict[str, Any]) -> None:  # noqa: F811
    _three(handover)
    officer = handover["pk_officer"]
    cases = list(AftercareCase.objects.filter(bapas=officer.organisation).order_by("pk"))
    assert len(cases) >= 3
    kinds = list(LABELS)
    for case, kind in zip(cases, kinds, strict=False):  # every kind on the page at once
        AftercareCase.objects.filter(pk=case.pk).update(release_kind=kind)
    client = Client()
    client.force_login(officer)
    with translation.override("id"):
        html = client.get("/", HTTP_ACCEPT_LANGUAGE="id").content.decode()
    listed = html[html.index('data-testid="dashboard-cases"') :]
    listed = listed[: listed.index("</div>")]
    for kind in kinds[: len(cases)]:
        assert f"{LABELS[kind]} ·" in listed, kind
        assert f">{kind.upper()} ·" not in listed and f" {kind.upper()} ·" not in listed, kind
    unit = officer.organisation
    assert unit.name in html and f">{unit.code}<" not in html
