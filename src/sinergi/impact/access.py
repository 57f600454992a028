"""Who may do what in impact: role tuples and predicates shared by views, API, services and the menu.

Finance and value maps are edited (and read in detail) by administrators and by the Kanwil and TJSL officers
of an organisation that is a party to the program's agreement, its parent or its grandparent. Impact pages
(aggregates) are read by those roles and by monitors. TJSL officers and monitors see person counts under
MIN_CELL as "<5". Unit officers, Bapas officers and facilitators see no finance.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Exists, OuterRef, Q

from sinergi.accounts.choices import Role
from sinergi.impact.domain import MIN_CELL, too_small
from sinergi.partnerships.models import AgreementParty

FINANCE_EDITORS = (Role.ADMIN, Role.KANWIL_OFFICER, Role.CSR_OFFICER)
FINANCE_READERS = FINANCE_EDITORS
IMPACT_READERS = (Role.ADMIN, Role.KANWIL_OFFICER, Role.CSR_OFFICER, Role.MONITOR)
AGGREGATES_ONLY = (Role.CSR_OFFICER, Role.MONITOR)


def _role(actor: Any) -> str:
    return str(getattr(actor, "role", "") or "")


def party_organisations(actor: Any) -> list[int] | None:
    """The organisations through which the actor reaches programs; None means all (administrators, system)."""
    if actor is None or _role(actor) == Role.ADMIN:
        return None
    if _role(actor) in (Role.KANWIL_OFFICER, Role.CSR_OFFICER) and getattr(actor, "organisation_id", None):
        return [actor.organisation_id]
    return []


def agreement_party_q(organisations: list[int], ref: str = "pk") -> Q:
    """A condition on agreements (through `ref`): one of the organisations is a party to it, its parent
    or its grandparent."""

    def party_of(path: str) -> Exists:
        return Exists(
            AgreementParty.objects.filter(agreement=OuterRef(path), organisation_id__in=organisations)
        )

    prefix = "" if ref == "pk" else f"{ref}__"
    first = "pk" if ref == "pk" else ref
    return Q(party_of(first)) | Q(party_of(f"{prefix}parent")) | Q(party_of(f"{prefix}parent__parent"))


def program_scope(actor: Any, *, for_reading: bool = True) -> Q | None:
    """Programs the actor reaches in impact: None means all, otherwise a condition on programs."""
    role = _role(actor)
    if actor is None or role == Role.ADMIN or (for_reading and role == Role.MONITOR):
        return None
    organisations = party_organisations(actor)
    if not organisations:
        return Q(pk__in=[])
    return agreement_party_q(organisations, "agreement")


def is_party(actor: Any, agreement: Any) -> bool:
    """True when the actor's organisation is a party to the agreement, its parent or its grandparent."""
    organisations = party_organisations(actor)
    if organisations is None:
        return True
    if not organisations:
        return False
    chain = [agreement.pk]
    if agreement.parent_id:
        chain.append(agreement.parent_id)
        parent = agreement.parent
        if parent is not None and parent.parent_id:
            chain.append(parent.parent_id)
    return AgreementParty.objects.filter(agreement_id__in=chain, organisation_id__in=organisations).exists()


def may_edit_agreement(actor: Any, agreement: Any) -> bool:
    return actor is None or (_role(actor) in FINANCE_EDITORS and is_party(actor, agreement))


def may_edit_program(actor: Any, program: Any) -> bool:
    """Edit budgets, expenditures, in-kind contributions, value maps, surveys and SDG tags of a program."""
    return may_edit_agreement(actor, program.agreement)


def may_read_finance(actor: Any, program: Any) -> bool:
    """Budget lines, expenditures with receipts and in-kind details: the same people as the editors."""
    return may_edit_program(actor, program)


def aggregates_only(actor: Any) -> bool:
    return _role(actor) in AGGREGATES_ONLY


def cell(actor: Any, count: int | None) -> int | str | None:
    """A person count as the actor may see it: "<5" for roles that see aggregates only."""
    if aggregates_only(actor) and too_small(count):
        return f"<{MIN_CELL}"
    return count
