"""The joint report's SROI and sensitivity figures are written in the report's language: the Indonesian report
wrote "0.36 : 1" and "0.48" (seen in the demo's report), where the value-map page writes "0,36 : 1"."""

from __future__ import annotations

import re
from typing import Any

import pytest

from sinergi.accounts.choices import Role
from sinergi.reports import joint
from tests.impact.test_live import live_map as live_map  # noqa: F401  (the fixture)
from tests.impact.test_recidivism import AS_OF
from tests.impact.test_recidivism import registry as registry  # noqa: F401  (the fixture)

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("language", "pattern"), [("id", r"^\d+,\d{2}$"), ("en", r"^\d+\.\d{2}$")])
def test_the_sroi_figures_use_the_reports_decimal_separator(
    world: Any,
    live_map: dict[str, Any],  # noqa: F811
    language: str,
    pattern: str,
) -> None:
    program = live_map["program"]
    content = joint.build(
        actor=world.users[Role.ADMIN],
        agreement=None,
        program=program,
        start=program.start_date,
        end=AS_OF,
        language=language,
    )
    sroi = next(s for s in content.sections if s.key == "sroi")
    summary, sensitivity = sroi.tables[0], sroi.tables[1]
    ratio = dict((str(k), v) for k, v in summary.rows)[str(summary.rows[2][0])]
    assert re.match(pattern, ratio.removesuffix(" : 1")), ratio
    assert sensitivity.rows
    for row in sensitivity.rows:
        assert re.match(pattern, row[2]) and re.match(pattern, row[3]), row
