"""Indonesian wording on the report pages (issue 13): the SROI heading, a report's language by name and the
audit trail's count with its thousands separator."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.utils import translation

from sinergi.accounts.choices import Role
from sinergi.reports.models import JointReport
from tests.authz import World

pytestmark = pytest.mark.django_db


def test_the_sroi_heading_is_indonesian() -> None:
    with translation.override("id"):
        assert (
            translation.gettext("Social return on investment") == "Pengembalian sosial atas investasi (SROI)"
        )


def test_the_report_list_names_the_language(delivered: dict[str, Any], world: World) -> None:
    admin = world.users[Role.ADMIN]
    JointReport.objects.create(
        agreement=delivered["mou"],
        period_start="2022-01-01",
        period_end="2022-12-31",
        fmt="pdf",
        language="id",
        created_by=admin,
    )
    client = Client()
    client.force_login(admin)
    from django.urls import reverse

    html = client.get(reverse("reports:report_list")).content.decode()
    assert "PDF · Bahasa Indonesia" in html and "PDF · id<" not in html
