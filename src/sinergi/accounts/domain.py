"""Which organisation each role belongs to: pure rules, no database."""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from sinergi.accounts.choices import OrganisationKind, Role, UnitKind

CUSTODY_UNIT_KINDS = frozenset({UnitKind.LAPAS, UnitKind.RUTAN, UnitKind.LPKA})

# role -> (organisation kind required or None for "no organisation needed", allowed unit kinds)
ROLE_ORGANISATION: dict[str, tuple[str | None, frozenset[str]]] = {
    Role.ADMIN: (None, frozenset()),
    Role.MONITOR: (None, frozenset()),
    Role.KANWIL_OFFICER: (OrganisationKind.KANWIL, frozenset()),
    Role.UNIT_OFFICER: (OrganisationKind.UNIT, CUSTODY_UNIT_KINDS),
    Role.BAPAS_OFFICER: (OrganisationKind.UNIT, frozenset({UnitKind.BAPAS})),
    Role.CSR_OFFICER: (OrganisationKind.COMPANY, frozenset()),
    Role.FACILITATOR: (OrganisationKind.PROVIDER, frozenset()),
}

ROLE_NEEDS_ORGANISATION: dict[str, Promise] = {
    Role.KANWIL_OFFICER: _("A Kanwil officer must belong to a Kanwil. Choose the Kanwil in Organisation."),
    Role.UNIT_OFFICER: _(
        "A unit officer must belong to a Lapas, Rutan or LPKA. Choose the unit in Organisation."
    ),
    Role.BAPAS_OFFICER: _("A Bapas officer must belong to a Bapas. Choose the Bapas in Organisation."),
    Role.CSR_OFFICER: _("A TJSL officer must belong to a company. Choose the company in Organisation."),
    Role.FACILITATOR: _(
        "A facilitator must belong to a training or mentoring provider. Choose it in Organisation."
    ),
}


def role_organisation_error(role: str, organisation_kind: str | None, unit_kind: str | None) -> str | None:
    """Return why this role cannot belong to this organisation, or None when it can."""
    required_kind, unit_kinds = ROLE_ORGANISATION[role]
    if required_kind is None:
        return None
    if organisation_kind != required_kind or (unit_kinds and unit_kind not in unit_kinds):
        return str(ROLE_NEEDS_ORGANISATION[role])
    return None
