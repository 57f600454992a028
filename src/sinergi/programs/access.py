"""Who may do what in programs: the role lists and the scope predicates that views, the API, the services
and the menu share. A predicate takes the actor (None is the system itself: setup, demo, scheduled jobs)
and the object it wants to act on, and answers True or False; the services raise ForbiddenError (403)
when it says False, whichever page, API call, command or task called them."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sinergi.accounts.choices import Role
from sinergi.accounts.selectors import actor_unit_ids

# Pages and API lists of programs and cohorts (monitors see aggregates elsewhere).
READERS = (
    Role.ADMIN,
    Role.KANWIL_OFFICER,
    Role.UNIT_OFFICER,
    Role.BAPAS_OFFICER,
    Role.CSR_OFFICER,
    Role.FACILITATOR,
)
# Define programs under an agreement; open and edit cohorts.
PLANNERS = (Role.ADMIN, Role.KANWIL_OFFICER, Role.CSR_OFFICER)
COHORT_EDITORS = PLANNERS
# Screening runs reveal sentences and offences: corrections roles only. They also record TPP approvals.
SCREENERS = (Role.ADMIN, Role.KANWIL_OFFICER, Role.UNIT_OFFICER)
# Enrol approved candidates and record releases (each in the units of their scope).
CORRECTIONS = (Role.ADMIN, Role.KANWIL_OFFICER, Role.UNIT_OFFICER)
RELEASERS = CORRECTIONS
# Deliver a cohort: schedule sessions, take attendance, assess, certify.
DELIVERY = (Role.ADMIN, Role.UNIT_OFFICER, Role.FACILITATOR)
# Move a participant between stages (activate, complete, withdraw, enrol from the waiting list).
STAGE_MOVERS = (*DELIVERY, Role.KANWIL_OFFICER)
# Download certificate scans.
CERTIFICATE_READERS = STAGE_MOVERS


def _role(actor: Any) -> str | None:
    return getattr(actor, "role", None)


def unit_in_scope(actor: Any, unit_id: int | None) -> bool:
    """The system and administrators reach every unit; others the units of actor_unit_ids."""
    if actor is None:
        return True
    units = actor_unit_ids(actor)
    return units is None or unit_id in units


def units_in_scope(actor: Any, unit_ids: Iterable[int | None]) -> bool:
    return all(unit_in_scope(actor, unit_id) for unit_id in unit_ids)


def _company_party(actor: Any, agreement: Any) -> bool:
    """The actor's organisation (a TJSL officer's company, a Kanwil) is party to the agreement or to the
    agreement above it."""
    from sinergi.partnerships.models import AgreementParty

    organisation_id = getattr(actor, "organisation_id", None)
    if organisation_id is None:
        return False
    agreements = [agreement.pk] + ([agreement.parent_id] if agreement.parent_id else [])
    return AgreementParty.objects.filter(
        agreement_id__in=agreements, organisation_id=organisation_id
    ).exists()


def _kanwil_party(unit: Any, agreement: Any) -> bool:
    """The unit's Kanwil is party to the agreement (or the one above it)."""
    from sinergi.partnerships.models import AgreementParty

    if not unit.regional_office_id:
        return False
    agreements = [agreement.pk] + ([agreement.parent_id] if agreement.parent_id else [])
    return AgreementParty.objects.filter(
        agreement_id__in=agreements, organisation_id=unit.regional_office_id
    ).exists()


def may_plan(actor: Any, agreement: Any) -> bool:
    """Define or edit a program: administrators, and Kanwil and TJSL officers whose organisation is party
    to the agreement (or the one above it)."""
    if actor is None or _role(actor) == Role.ADMIN:
        return True
    return _role(actor) in PLANNERS and _company_party(actor, agreement)


def may_open_cohort(actor: Any, *, program: Any, unit: Any) -> bool:
    """Administrators anywhere; Kanwil officers at the units of their region; TJSL officers of a company
    party to the program's agreement, at a unit whose Kanwil is party to it too."""
    if actor is None or _role(actor) == Role.ADMIN:
        return True
    if _role(actor) == Role.KANWIL_OFFICER:
        return unit_in_scope(actor, unit.pk)
    if _role(actor) == Role.CSR_OFFICER:
        agreement = program.agreement
        return _company_party(actor, agreement) and _kanwil_party(unit, agreement)
    return False


def may_edit_cohort(actor: Any, cohort: Any) -> bool:
    """Administrators; Kanwil officers for cohorts at the units of their region; TJSL officers for cohorts
    under their company's agreements. Unit officers, facilitators and Bapas officers do not edit cohorts."""
    if actor is None or _role(actor) == Role.ADMIN:
        return True
    if _role(actor) == Role.KANWIL_OFFICER:
        return unit_in_scope(actor, cohort.unit_id)
    if _role(actor) == Role.CSR_OFFICER:
        return _company_party(actor, cohort.program.agreement)
    return False


def may_enrol(actor: Any, cohort: Any) -> bool:
    """Administrators, and Kanwil and unit officers whose units include the cohort's unit."""
    if actor is None:
        return True
    return _role(actor) in CORRECTIONS and unit_in_scope(actor, cohort.unit_id)


def is_facilitator_of(actor: Any, cohort: Any) -> bool:
    return _role(actor) == Role.FACILITATOR and cohort.facilitators.filter(pk=actor.pk).exists()


def may_deliver(actor: Any, cohort: Any) -> bool:
    """Schedule, take attendance, assess and certify: administrators, the cohort's facilitators, and the
    officers of the cohort's own unit."""
    if actor is None or _role(actor) == Role.ADMIN:
        return True
    if _role(actor) == Role.FACILITATOR:
        return is_facilitator_of(actor, cohort)
    if _role(actor) == Role.UNIT_OFFICER:
        return unit_in_scope(actor, cohort.unit_id)
    return False


may_take_attendance = may_deliver
may_assess = may_deliver


def may_move_stage(actor: Any, cohort: Any) -> bool:
    """Activate, complete, withdraw: those who deliver the cohort, and Kanwil officers of its region."""
    if _role(actor) == Role.KANWIL_OFFICER:
        return unit_in_scope(actor, cohort.unit_id)
    return may_deliver(actor, cohort)


def may_approve(actor: Any, unit_ids: Iterable[int | None]) -> bool:
    """Record the TPP's approval: screeners, only for people held at units in their scope."""
    if actor is None:
        return True
    return _role(actor) in SCREENERS and units_in_scope(actor, unit_ids)


def may_release(actor: Any, *, cohort: Any = None, episode: Any = None) -> bool:
    """The system, or an administrator, Kanwil or unit officer whose units include the cohort's unit and the
    episode's unit. Facilitators, TJSL and Bapas officers never release."""
    if actor is None:
        return True
    if _role(actor) not in RELEASERS:
        return False
    if cohort is not None and not unit_in_scope(actor, cohort.unit_id):
        return False
    return episode is None or unit_in_scope(actor, episode.unit_id)


def may_see_withdrawal_reason(actor: Any) -> bool:
    """Discipline and health reasons: corrections officers and the cohort's facilitators who record them."""
    return actor is None or _role(actor) in (*CORRECTIONS, Role.FACILITATOR)


def may_see_sentence(actor: Any) -> bool:
    """Release kinds, sentence dates, offences and withdrawal reasons beyond released/transferred/left:
    corrections officers and administrators only (never the company, facilitators or Bapas)."""
    return actor is None or _role(actor) in CORRECTIONS
