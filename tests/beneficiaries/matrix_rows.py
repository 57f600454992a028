"""Authorisation matrix rows for the registry's writes (collected by tests/test_authorization_matrix.py)."""

from __future__ import annotations

from sinergi.accounts.choices import Role
from tests.authz import BOTH, OWN, Row, World

IN_WORK_AREA = {Role.ADMIN: BOTH} | {
    role: frozenset({OWN}) for role in (Role.KANWIL_OFFICER, Role.UNIT_OFFICER, Role.BAPAS_OFFICER)
}


def _person(world: World, role: str, scope: str) -> int:
    """A person in custody (from 1 January 2021) at a unit inside the role's own (or the other) work area."""
    key = f"rules-person-{role}-{scope}"
    if key not in world.extra:
        from tests.beneficiaries.conftest import register
        from tests.factories import UnitFactory

        organisation = world.organisation(role, scope)
        if role == Role.KANWIL_OFFICER:
            unit = UnitFactory(regional_office=organisation)
        elif role in (Role.UNIT_OFFICER, Role.BAPAS_OFFICER):
            unit = organisation
        else:
            unit = UnitFactory()
        world.extra[key] = register(None, unit, f"Warga {role} {scope}", f"RULES-{role}-{scope}").pk
    return int(world.extra[key])


PAGES = [
    Row(
        "record consent",
        lambda w, r, s: f"/wbp/{_person(w, r, s)}/persetujuan/",
        IN_WORK_AREA,
        method="post",
        data={"purpose": "participation", "given_on": "2021-06-01", "evidence": "Formulir uji"},
    ),
]
