"""The authorisation matrix: role × URL × own/other scope → allowed or denied.

The world has two regions. Each has a Kanwil with its units (a Lapas, a Rutan and an LPKA), a Bapas, a
company, a training provider and an agreement between the Kanwil and the company (made on first use).
"Own" is the first region (Sumatera Selatan), "other" the second (Jambi), so an object "from the other
scope" belongs to another Kanwil's region. One user per role works in each region (administrators and
monitors have no organisation).

Each app declares its rows in `tests/<app>/matrix_rows.py` (lists `PAGES` and `API`). A row gives a URL
builder (world, role, scope) and, per role, the scopes in which that role is allowed. Anything not listed
is expected to be denied: 403 or 404. `tests/test_authorization_matrix.py` fails when a URL pattern or an
API operation (with its method) has no row.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.test import Client
from django.urls import Resolver404, resolve

from sinergi.accounts.choices import Role
from sinergi.accounts.models import Organisation, User

ROLES: tuple[str, ...] = tuple(Role.values)
OWN, OTHER = "own", "other"
BOTH = frozenset({OWN, OTHER})


@dataclass
class Region:
    """One Kanwil's region: its units, Bapas, company, provider and their agreement."""

    kanwil: Organisation
    lapas: Organisation
    rutan: Organisation
    lpka: Organisation
    bapas: Organisation
    company: Organisation
    provider: Organisation
    label: str
    districts: list[str]
    _agreement: Any = None

    @property
    def agreement(self) -> Any:
        """The MoU between the Kanwil and the company, made when first asked for (so that tests counting
        agreements see only their own unless they use the world's)."""
        if self._agreement is None:
            from tests.partnerships.conftest import make_agreement

            self._agreement = make_agreement(
                None,
                [self.kanwil, self.company],
                number=f"MOU-DUNIA-{self.label.upper()}",
                districts=self.districts,
            )
        return self._agreement


@dataclass
class World:
    """One user per role in the 'own' region and a peer per role in the 'other' region."""

    users: dict[str, User] = field(default_factory=dict)
    others: dict[str, User] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)
    regions: dict[str, Region] = field(default_factory=dict)

    def organisation(self, role: str, scope: str) -> Organisation | None:
        return self.user(role, scope).organisation

    def user(self, role: str, scope: str) -> User:
        return (self.users if scope == OWN else self.others)[role]

    def region(self, scope: str) -> Region:
        return self.regions[scope]


# Where each region lies: province, the regency of its units, the districts its agreement covers.
REGION_PLACES = {
    OWN: ("16", "16.71", ["16.71.14", "16.07.01"], "Sumsel"),
    OTHER: ("15", "15.71", ["15.71.01", "15.71.02"], "Jambi"),
}

ROLE_ORGANISATION = {
    Role.KANWIL_OFFICER: "kanwil",
    Role.UNIT_OFFICER: "lapas",
    Role.BAPAS_OFFICER: "bapas",
    Role.CSR_OFFICER: "company",
    Role.FACILITATOR: "provider",
}


def _region(scope: str) -> Region:
    from sinergi.accounts.choices import OrganisationKind, UnitKind
    from sinergi.regions.models import Province, Regency
    from tests.factories import KanwilFactory, OrganisationFactory, UnitFactory

    province_code, regency_code, districts, label = REGION_PLACES[scope]
    province = Province.objects.get(code=province_code)
    regency = Regency.objects.get(code=regency_code)
    kanwil = KanwilFactory(name=f"Kanwil Uji {label}", province=province)

    def unit(kind: str, name: str) -> Organisation:
        made: Organisation = UnitFactory(
            unit_kind=kind,
            name=f"{name} Uji {label}",
            regional_office=kanwil,
            province=province,
            regency=regency,
        )
        return made

    bapas = unit(UnitKind.BAPAS, "Bapas")
    company = OrganisationFactory(kind=OrganisationKind.COMPANY, name=f"Perusahaan Uji {label}")
    return Region(
        kanwil=kanwil,
        lapas=unit(UnitKind.LAPAS, "Lapas"),
        rutan=unit(UnitKind.RUTAN, "Rutan"),
        lpka=unit(UnitKind.LPKA, "LPKA"),
        bapas=bapas,
        company=company,
        provider=OrganisationFactory(kind=OrganisationKind.PROVIDER, name=f"Lembaga Uji {label}"),
        label=label,
        districts=districts,
    )


def build_world() -> World:
    from tests.factories import UserFactory

    world = World()
    for scope, bucket, suffix in ((OWN, world.users, "a"), (OTHER, world.others, "b")):
        region = world.regions[scope] = _region(scope)
        for role in ROLES:
            attribute = ROLE_ORGANISATION.get(role)
            bucket[role] = UserFactory(
                username=f"{role}-{suffix}",
                role=role,
                organisation=getattr(region, attribute) if attribute else None,
            )
    return world


@dataclass(frozen=True)
class Row:
    """One URL and method in the matrix. `url(world, role, scope)` builds the address a user of `role` tries.

    `data` is the form (pages) or JSON body (API) sent with POST/PUT/DELETE, or a callable building it
    from (world, role, scope). A row may carry a pytest mark (for example an `xfail` naming a finding).
    """

    name: str
    url: Callable[[World, str, str], str]
    allowed: Mapping[str, frozenset[str]]
    method: str = "get"
    data: Mapping[str, Any] | Callable[[World, str, str], Mapping[str, Any]] | None = None
    api: bool = False
    xfail: str = ""
    # Statuses that also count as "let through" for the allowed roles: the request passed the role and
    # scope checks and was refused for its content (a stale version: 409; a rule: 400).
    accepted: frozenset[int] = frozenset()


def _denied(status: int) -> bool:
    return status in (403, 404)


def route_of(url: str) -> str:
    """The URL pattern (as the resolver writes it) that `url` resolves to."""
    path = url.split("?", 1)[0]
    try:
        return str(resolve(path).route)
    except Resolver404:
        return f"<no route for {path}>"


class Requester:
    """Logged-in clients and API tokens shared by every row (one per user), and each request rolled back.

    Every request runs in a savepoint that is rolled back afterwards, so a POST row changes nothing for
    the rows after it, and a request that fails in the database does not spoil the ones after it.
    Identical requests (a static URL tried for both scopes) are sent once.
    """

    def __init__(self) -> None:
        self._clients: dict[int, Client] = {}
        self._tokens: dict[int, str] = {}
        self._seen: dict[tuple[Any, ...], int] = {}

    def _client(self, user: User, api: bool) -> tuple[Client, dict[str, str]]:
        from sinergi.accounts.services import token_create

        if api:
            if user.pk not in self._tokens:
                self._tokens[user.pk] = token_create(actor=None, user=user)
            return Client(raise_request_exception=False), {"Authorization": f"Bearer {self._tokens[user.pk]}"}
        if user.pk not in self._clients:
            client = Client(raise_request_exception=False)
            client.force_login(user)
            self._clients[user.pk] = client
        return self._clients[user.pk], {}

    def prepare(self, world: World) -> None:
        """Log every user in and give each a token now, outside any test's savepoint (which would undo it)."""
        for user in [*world.users.values(), *world.others.values()]:
            self._client(user, api=False)
            self._client(user, api=True)

    def status(self, user: User, row: Row, url: str, data: Mapping[str, Any] | None) -> int:
        key = (user.pk, row.method, row.api, url, json.dumps(data, sort_keys=True, default=str))
        if key not in self._seen:
            client, headers = self._client(user, row.api)
            kwargs: dict[str, Any] = {"headers": headers}
            if row.method == "get":
                kwargs["data"] = data or {}
            elif row.api:
                kwargs |= {"data": json.dumps(data or {}, default=str), "content_type": "application/json"}
            else:
                kwargs["data"] = data or {}
            with transaction.atomic():
                response = getattr(client, row.method)(url, **kwargs)
                transaction.set_rollback(True)
            self._seen[key] = response.status_code
        return self._seen[key]


def check_row(world: World, row: Row, requester: Requester) -> list[str]:
    """Try one row as every role in both scopes; return the mismatches (empty when all is as expected)."""
    failures: list[str] = []
    for role in ROLES:
        user = world.users[role]
        for scope in (OWN, OTHER):
            expected = scope in row.allowed.get(role, frozenset())
            url = row.url(world, role, scope)
            data = row.data(world, role, scope) if callable(row.data) else row.data
            status = requester.status(user, row, url, dict(data) if data is not None else None)
            # A 409 (a stale version) means the request passed the role and scope checks: services check
            # who may act before they compare versions.
            if expected and status >= 400 and status != 409 and status not in row.accepted:
                failures.append(f"{role}/{scope} {url}: should be allowed, got {status}")
            if not expected and not _denied(status):
                failures.append(f"{role}/{scope} {url}: should be denied, got {status}")
    return failures


def check_matrix(world: World, rows: list[Row], requester: Requester | None = None) -> list[str]:
    """Every row's mismatches, each prefixed with the row's name and method."""
    requester = requester or Requester()
    return [
        f"{row.name} [{row.method.upper()}]: {failure}"
        for row in rows
        for failure in check_row(world, row, requester)
    ]
