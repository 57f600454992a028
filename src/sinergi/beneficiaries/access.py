"""Who may use the registry: role lists and predicates shared by views, API, services and the menu."""

from __future__ import annotations

from typing import Any

from sinergi.accounts.choices import Role

# Roles that open the registry at all (each within its own units: scoping is in selectors). They are also the
# roles that may see identities, offences and sentences (DESIGN.md, Privacy; selectors.may_see_sensitive).
REGISTRY = (Role.ADMIN, Role.KANWIL_OFFICER, Role.UNIT_OFFICER, Role.BAPAS_OFFICER)


def may_use_registry(actor: Any) -> bool:
    return getattr(actor, "role", None) in REGISTRY


# Merge two records of one person: the roles that record custody (a merge moves every custody episode of the
# record dropped), each only for people all of whose episodes are at units of their scope. Bapas officers
# use the registry for their clients but record no custody, enrol no one and edit no cohort: they do not
# merge (docs/security.md, Merging two records).
MERGERS = (Role.ADMIN, Role.KANWIL_OFFICER, Role.UNIT_OFFICER)


def may_merge(actor: Any) -> bool:
    """The role may merge records at all (the system, `None`, may); the service checks the people too."""
    return actor is None or getattr(actor, "role", None) in MERGERS
