"""The authorisation matrix: role × URL × own/other scope → allowed or denied.

Each later app adds its rows. A row gives a URL builder (world, role, scope) and, per role, the scopes
in which that role is allowed. Anything not listed is expected to be denied: 403 or 404 for pages and
the API, or a redirect to the login page for anonymous visitors.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.test import Client

from sinergi.accounts.choices import Role
from sinergi.accounts.models import Organisation, User

ROLES: tuple[str, ...] = tuple(Role.values)
OWN, OTHER = "own", "other"
BOTH = frozenset({OWN, OTHER})


@dataclass
class World:
    """One user per role in 'own' organisations and a peer per role in 'other' organisations."""

    users: dict[str, User] = field(default_factory=dict)
    others: dict[str, User] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)

    def organisation(self, role: str, scope: str) -> Organisation | None:
        return (self.users if scope == OWN else self.others)[role].organisation


def build_world() -> World:
    from tests.factories import UserFactory, organisation_for

    world = World()
    for role in ROLES:
        for bucket, suffix in ((world.users, "a"), (world.others, "b")):
            bucket[role] = UserFactory(
                username=f"{role}-{suffix}", role=role, organisation=organisation_for(role)
            )
    return world


@dataclass(frozen=True)
class Row:
    """One URL in the matrix. `url(world, role, scope)` builds the address a user of `role` tries."""

    name: str
    url: Callable[[World, str, str], str]
    allowed: Mapping[str, frozenset[str]]
    method: str = "get"
    data: Mapping[str, Any] | None = None
    api: bool = False


def _denied(status: int) -> bool:
    return status in (403, 404)


def check_matrix(
    world: World, rows: list[Row], *, token_for: Callable[[User], str] | None = None
) -> list[str]:
    """Try every row as every role in both scopes; return the mismatches (empty when all is as expected)."""
    failures: list[str] = []
    for row in rows:
        for role in ROLES:
            user = world.users[role]
            for scope in (OWN, OTHER):
                expected = scope in row.allowed.get(role, frozenset())
                url = row.url(world, role, scope)
                client = Client()
                headers: dict[str, str] = {}
                if row.api:
                    assert token_for is not None, "API rows need token_for"
                    headers["Authorization"] = f"Bearer {token_for(user)}"
                else:
                    client.force_login(user)
                response = getattr(client, row.method)(url, data=row.data or {}, headers=headers)
                # A 409 (a stale version) means the request passed the role and scope checks: services check
                # who may act before they compare versions.
                ok = response.status_code < 400 or response.status_code == 409
                if expected and not ok:
                    failures.append(
                        f"{row.name}: {role}/{scope} should be allowed, got {response.status_code}"
                    )
                if not expected and not _denied(response.status_code):
                    failures.append(
                        f"{row.name}: {role}/{scope} should be denied, got {response.status_code}"
                    )
    return failures
