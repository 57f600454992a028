"""Who may read and who may change agreements: role lists shared by views, API, services and the menu."""

from __future__ import annotations

from typing import Any

from sinergi.accounts.choices import Role

# Roles that read agreements (each only those its organisation is a party to, except administrators).
READERS = (
    Role.ADMIN,
    Role.KANWIL_OFFICER,
    Role.UNIT_OFFICER,
    Role.BAPAS_OFFICER,
    Role.CSR_OFFICER,
    Role.FACILITATOR,
)
# Roles that record and change agreements (their own organisation's, except administrators).
EDITORS = (Role.ADMIN, Role.KANWIL_OFFICER, Role.CSR_OFFICER)


def may_edit(actor: Any) -> bool:
    return getattr(actor, "role", None) in EDITORS
