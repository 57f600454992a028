"""Authorisation matrix rows for the impact pages and API (collected by tests/test_authorization_matrix.py).

`_live` builds its own agreement, program and value map per role and scope, so these rows do not depend on
the fixtures of the matrix module.
"""

from __future__ import annotations

from typing import Any

from sinergi.accounts.choices import Role
from tests.authz import BOTH, OWN, Row, World

IMPACT_READ = {
    Role.ADMIN: BOTH,
    Role.KANWIL_OFFICER: frozenset({OWN}),
    Role.CSR_OFFICER: frozenset({OWN}),
    Role.MONITOR: BOTH,
}
EDITORS = {Role.ADMIN: BOTH, Role.KANWIL_OFFICER: frozenset({OWN}), Role.CSR_OFFICER: frozenset({OWN})}


def _live(world: World, role: str, scope: str) -> dict[str, Any]:
    """An agreement whose parties include the role's own (or other) organisation for Kanwil and TJSL
    officers, with a program and a value map with one outcome bound to "no re-offence at 24 months"."""
    key = f"impact-live-{role}-{scope}"
    if key not in world.extra:
        from sinergi.impact import services
        from tests.factories import OrganisationFactory
        from tests.impact.conftest import make_program
        from tests.partnerships.conftest import make_agreement

        organisation = world.organisation(role, scope)
        party = organisation if role in (Role.KANWIL_OFFICER, Role.CSR_OFFICER) else OrganisationFactory()
        agreement = make_agreement(None, [party, OrganisationFactory()], number=f"MOU-L-{role}-{scope}")
        program = make_program(agreement)
        value_map = services.value_map_create(
            actor=None,
            program=program,
            data={"title": "Peta", "inputs_source": "manual", "inputs_manual": 100},
        )
        outcome = services.outcome_add(
            actor=None,
            value_map=value_map,
            data={
                "name": "Tidak mengulangi",
                "quantity": 2,
                "proxy": 100,
                "duration": 1,
                "deadweight": 0,
                "displacement": 0,
                "attribution": 0,
                "drop_off": 0,
                "binding": "no_reoffence_24m",
            },
        )
        world.extra[key] = {
            "agreement": agreement.pk,
            "program": program.pk,
            "map": value_map.pk,
            "outcome": outcome.pk,
            "version": outcome.version,
        }
    return world.extra[key]


def _url(template: str):
    return lambda world, role, scope: template.format(**_live(world, role, scope))


PAGES: list[Row] = [
    Row("agreement impact", _url("/dampak/perjanjian/{agreement}/"), IMPACT_READ),
    Row(
        "outcome deadweight from comparison",
        _url("/dampak/hasil/{outcome}/deadweight/"),
        EDITORS,
        method="post",
        data={"version": "1"},
    ),
]

# API writes (POST/PUT/DELETE with JSON bodies) are tested per role and scope in test_api_writes.py: Row
# sends form data, which the JSON endpoints cannot read.
API: list[Row] = [
    Row("api in-kind list", _url("/api/v1/impact/programs/{program}/in-kind"), EDITORS, api=True),
    Row(
        "api program recidivism", _url("/api/v1/impact/programs/{program}/recidivism"), IMPACT_READ, api=True
    ),
    Row(
        "api agreement recidivism",
        _url("/api/v1/impact/agreements/{agreement}/recidivism"),
        IMPACT_READ,
        api=True,
    ),
]
