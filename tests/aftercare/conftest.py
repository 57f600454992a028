"""A cohort with active participants at the world's own unit, ready to be released and handed over."""

from __future__ import annotations

from typing import Any

import pytest

from sinergi.accounts.choices import Role
from sinergi.accounts.models import Organisation
from sinergi.programs import services
from sinergi.programs.choices import Stage
from tests.authz import World
from tests.factories import UserFactory
from tests.programs.conftest import approved_results, make_cohort, setting  # noqa: F401 (fixture)


@pytest.fixture
def handover(setting: dict[str, Any], world: World) -> dict[str, Any]:  # noqa: F811
    """Three active participants (Peserta 0-2, domicile Plaju: Bapas Kelas I Palembang serves them), the
    Bapas's PK officer, the company's TJSL officer and the unit officer who records releases."""
    results = [r for r in approved_results(setting) if r.full_name != "Peserta 3"]
    cohort = make_cohort(setting)
    enrollments = [services.enroll(actor=None, cohort=cohort, result=r) for r in results]
    for enrollment in enrollments:
        services.enrollment_move(actor=None, enrollment=enrollment, to=Stage.ACTIVE)
    bapas = Organisation.objects.get(code="BAPAS-PLG")
    return setting | {
        "cohort": cohort,
        "enrollments": enrollments,
        "bapas": bapas,
        "pk_officer": UserFactory(role=Role.BAPAS_OFFICER, organisation=bapas),
        "csr": world.users[Role.CSR_OFFICER],
        "officer": world.users[Role.UNIT_OFFICER],
    }
