"""Who may do what in aftercare: the role lists and predicates used by views, API, services and the menu."""

from __future__ import annotations

from typing import Any

from sinergi.accounts.choices import Role
from sinergi.accounts.selectors import actor_unit_ids

# Who reads aftercare cases (each in their scope: see selectors.case_list).
CASE_READERS = (Role.ADMIN, Role.KANWIL_OFFICER, Role.BAPAS_OFFICER)
# Who may open a case for a released person (the system opens them at release).
CASE_OPENERS = (Role.ADMIN, Role.KANWIL_OFFICER, Role.UNIT_OFFICER, Role.BAPAS_OFFICER)


def may_open_case(actor: Any, episode: Any) -> bool:
    """The system, or a corrections officer whose units include the episode's unit or its guiding Bapas."""
    if actor is None:
        return True
    if getattr(actor, "role", None) not in CASE_OPENERS:
        return False
    units = actor_unit_ids(actor)
    return units is None or episode.unit_id in units or episode.guidance_unit_id in units
