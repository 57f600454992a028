"""The funnel's aftercare steps (followed up, in work or business) count, for a TJSL officer, only the
participants who agreed to share their aftercare information with the company: the rule by which the
aftercare pages show them a case (review finding). Other roles count every participant."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from sinergi.accounts.choices import Role
from sinergi.aftercare import services
from sinergi.reports import selectors
from tests.aftercare.conftest import handover as handover  # noqa: F401  (the fixture)
from tests.aftercare.conftest import release_and_open
from tests.authz import World
from tests.people import shares_with_company
from tests.programs.conftest import setting as setting  # noqa: F401  (the fixture)

pytestmark = pytest.mark.django_db


def _in_work(handover: dict[str, Any], index: int) -> None:  # noqa: F811
    case = release_and_open(handover, index)
    services.followup_record(
        actor=None,
        case=case,
        milestone=3,
        data={
            "done_on": dt.date(2022, 8, 3),
            "contacted": True,
            "work_status": "employed",
            "monthly_income": 3_500_000,
            "housing": "family",
            "family_support": True,
            "health_blocks_work": False,
        },
    )


def _aftercare_steps(actor: Any) -> tuple[int | None, int | None]:
    stages = {s.key: s.count for s in selectors.funnel(selectors.scope_of(actor, selectors.Filters()))}
    return stages["followed_up"], stages["in_work"]


def test_a_tjsl_officer_counts_only_participants_who_share(handover: dict[str, Any], world: World) -> None:  # noqa: F811
    for index in (0, 1):
        _in_work(handover, index)
    shares_with_company(handover["enrollments"][0].person)
    assert _aftercare_steps(world.users[Role.KANWIL_OFFICER]) == (2, 2)
    assert _aftercare_steps(world.users[Role.CSR_OFFICER]) == (1, 1)
