"""What the authorisation matrix's rows share (`tests/<app>/matrix_rows.py` and
`tests/test_authorization_matrix.py`): URL builders, objects made once per world, and the objects several
apps' rows stand on (a person in the role's work area, an agreement with the role's organisation).

A URL builder takes (world, role, scope) and returns the address the role's user tries; see `tests.authz.Row`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from django.db import transaction

from sinergi.accounts.choices import Role
from tests.authz import OWN, World

if TYPE_CHECKING:
    from sinergi.accounts.models import Organisation
    from sinergi.partnerships.models import Agreement

ONLY_OWN = frozenset({OWN})

UrlBuilder = Callable[[World, str, str], str]
Values = Callable[[World, str, str], Mapping[str, Any]]


def once(world: World, key: str, make: Callable[[], Any]) -> Any:
    """What `make()` returns, made on first use and kept in the world under `key`."""
    if key not in world.extra:
        world.extra[key] = make()
    return world.extra[key]


def static(url: str) -> UrlBuilder:
    """The same address for every role and scope."""
    return lambda world, role, scope: url


def formatted(template: str, values: Values) -> UrlBuilder:
    """`template` filled in with what `values(world, role, scope)` gives (the primary keys of the objects the
    row stands on, made on first use)."""
    return lambda world, role, scope: template.format(**values(world, role, scope))


def job_url(prefix: str, suffix: str, *, tag: str, **fields: Any) -> UrlBuilder:
    """`<prefix><job id><suffix>` of a job started by the role's own user (own) or by its peer in the other
    organisation (other), with `fields` set. One per `tag`."""

    def build(world: World, role: str, scope: str) -> str:
        def make() -> Any:
            from sinergi.jobs.models import Job

            with transaction.atomic():
                return Job.objects.create(
                    kind="test", title="Uji", created_by=world.user(role, scope), **fields
                )

        return f"{prefix}{once(world, f'{tag}-{role}-{scope}', make).pk}{suffix}"

    return build


def person_in_work_area(world: World, role: str, scope: str, *, tag: str, name: str) -> int:
    """A person in custody at a unit inside the role's own (or the other) work area: a unit of the Kanwil,
    the officer's own Lapas or Bapas, or another unit for roles without a work area. One per `tag`; the
    registration number is `<tag>-<role>-<scope>`."""

    def make() -> int:
        from tests.beneficiaries.conftest import register
        from tests.factories import UnitFactory

        organisation = world.organisation(role, scope)
        if role == Role.KANWIL_OFFICER:
            unit = UnitFactory(regional_office=organisation)
        elif role in (Role.UNIT_OFFICER, Role.BAPAS_OFFICER):
            unit = organisation
        else:
            unit = UnitFactory()
        return int(register(None, unit, f"{name} {role} {scope}", f"{tag}-{role}-{scope}").pk)

    return int(once(world, f"person-{tag}-{role}-{scope}", make))


def party_agreement(world: World, role: str, scope: str, *, tag: str = "") -> int:
    """An agreement whose parties include the role's own (or other) organisation (a new one for roles
    without an organisation). One per `tag`; its number is `MOU-<tag>-<role>-<scope>` (`MOU-<role>-<scope>`
    without a tag)."""

    def make() -> int:
        from tests.factories import OrganisationFactory
        from tests.partnerships.conftest import make_agreement

        first = world.organisation(role, scope) or OrganisationFactory()
        number = "-".join(part for part in ("MOU", tag, role, scope) if part)
        with transaction.atomic():
            return int(make_agreement(None, [first, OrganisationFactory()], number=number).pk)

    return int(once(world, "-".join(part for part in ("agreement", tag, role, scope) if part), make))


def partner_agreement(world: World, role: str, scope: str, *, number: str) -> tuple[Organisation, Agreement]:
    """A new agreement and its first party: the role's own (or other) organisation when the role is one
    that signs agreements (Kanwil and TJSL officers), else a new organisation."""
    from tests.factories import OrganisationFactory
    from tests.partnerships.conftest import make_agreement

    organisation = world.organisation(role, scope)
    signs = role in (Role.KANWIL_OFFICER, Role.CSR_OFFICER) and organisation is not None
    party = organisation if signs else OrganisationFactory()
    return party, make_agreement(None, [party, OrganisationFactory()], number=number)
