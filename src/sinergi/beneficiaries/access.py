"""Who may use the registry: role lists and predicates shared by views, API, services and the menu."""

from __future__ import annotations

from typing import Any

from sinergi.accounts.choices import Role

# Roles that open the registry at all (each within its own units: scoping is in selectors). They are also the
# roles that may see identities, offences and sentences (DESIGN.md, Privacy; selectors.may_see_sensitive).
REGISTRY = (Role.ADMIN, Role.KANWIL_OFFICER, Role.UNIT_OFFICER, Role.BAPAS_OFFICER)


def may_use_registry(actor: Any) -> bool:
    return getattr(actor, "role", None) in REGISTRY
