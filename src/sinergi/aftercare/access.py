"""Who may do what in aftercare: the role lists and predicates used by views, API, services and the menu.

Scope, in short (DESIGN.md, Users and Privacy; docs/security.md, Aftercare scope):
- administrators: every case; Kanwil officers: the cases of the Bapas in their region, and read-only the
  cases of people released from the region's units that a Bapas of another region guides;
- Bapas officers (PK): the cases of their own Bapas; a Bapas officer holding the `aftercare.assign_case`
  permission is the head of that Bapas and assigns cases to its officers;
- a mentor (facilitator/mentor role): only its own mentees, and only the parts the person agreed to share;
- unit officers: the handover of the people their unit released (Bapas, PK, date), never notes;
- TJSL officers: participants of programs under their company's agreements who consented to sharing with
  the company: that a visit happened, aid, scores; never notes, offences or re-offence details.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sinergi.accounts.choices import Role
from sinergi.accounts.selectors import actor_unit_ids

# Who opens the list of all cases of their scope (the Bapas and its overseers).
LIST_READERS = (Role.ADMIN, Role.KANWIL_OFFICER, Role.BAPAS_OFFICER)
# Who reads aftercare cases (each in their scope and to their depth: see selectors.case_list, case_view).
CASE_READERS = (
    Role.ADMIN,
    Role.KANWIL_OFFICER,
    Role.BAPAS_OFFICER,
    Role.UNIT_OFFICER,
    Role.CSR_OFFICER,
    Role.FACILITATOR,
)
# Who may open a case for a released person (the system opens them at release).
CASE_OPENERS = (Role.ADMIN, Role.KANWIL_OFFICER, Role.UNIT_OFFICER, Role.BAPAS_OFFICER)
# Who guides: records reports, plans, aid, follow-ups and re-offences (each in their scope).
GUIDES = (Role.ADMIN, Role.KANWIL_OFFICER, Role.BAPAS_OFFICER)
# Who records mentoring visits: the guides, and a mentor for its own mentees.
VISITORS = (*GUIDES, Role.FACILITATOR)
# Who sees the caseload page "Klien saya".
CASELOAD_ROLES = (Role.BAPAS_OFFICER, Role.FACILITATOR)
# Who sees the distribution of participants' latest independence index on the program page: the guides
# over the cases of their scope, TJSL officers over their consenting participants and monitors over all,
# these two with small cells suppressed (INDEX_AGGREGATES_ONLY). Unit officers and mentors read no scores
# in aggregate.
INDEX_READERS = (Role.ADMIN, Role.KANWIL_OFFICER, Role.BAPAS_OFFICER, Role.CSR_OFFICER, Role.MONITOR)
INDEX_AGGREGATES_ONLY = (Role.CSR_OFFICER, Role.MONITOR)
# Who maintains the UMK table.
WAGE_EDITORS = (Role.ADMIN,)
ASSIGN_PERMISSION = "aftercare.assign_case"


def is_head_of_bapas(actor: Any) -> bool:
    """A Bapas officer with the assign permission (the head of Bapas): there is no separate role."""
    return (
        getattr(actor, "role", None) == Role.BAPAS_OFFICER
        and bool(getattr(actor, "organisation_id", None))
        and actor.has_perm(ASSIGN_PERMISSION)
    )


def may_open_case(actor: Any, episode: Any) -> bool:
    """The system, or a corrections officer whose units include the episode's unit or its guiding Bapas."""
    if actor is None:
        return True
    if getattr(actor, "role", None) not in CASE_OPENERS:
        return False
    units = actor_unit_ids(actor)
    return units is None or episode.unit_id in units or episode.guidance_unit_id in units


def guides_case(actor: Any, case: Any) -> bool:
    """Who writes on a case (reports, plan, visits, aid, follow-ups, re-offences, closing): the system, an
    administrator, or a guide (GUIDES) whose units include the case's guiding Bapas: an officer of that Bapas
    or of its Kanwil.

    Only the guiding Bapas counts. The read scope is wider (selectors._scope): a Kanwil officer also reads
    the cases of people released from the Kanwil's units whom a Bapas of another region guides, and that
    widening never grants a write (`reads_as_releasing_kanwil`).
    """
    if actor is None:
        return True
    role = getattr(actor, "role", None)
    if role == Role.ADMIN:
        return True
    if role not in GUIDES:
        return False
    units = actor_unit_ids(actor)
    return units is None or (case.bapas_id is not None and case.bapas_id in units)


def reads_as_releasing_kanwil(actor: Any, case: Any) -> bool:
    """A Kanwil officer over the unit that released the person (the read-only widening of its scope)."""
    if getattr(actor, "role", None) != Role.KANWIL_OFFICER or case.episode_id is None:
        return False
    units = actor_unit_ids(actor)
    return units is not None and case.episode.unit_id in units


def may_assign(actor: Any, case: Any) -> bool:
    """Administrators, and the head of the case's own Bapas."""
    if actor is None or getattr(actor, "role", None) == Role.ADMIN:
        return True
    return is_head_of_bapas(actor) and case.bapas_id == actor.organisation_id


def is_mentor_of(actor: Any, case: Any) -> bool:
    return getattr(actor, "role", None) == Role.FACILITATOR and case.mentor_id == getattr(actor, "pk", None)


@dataclass(frozen=True)
class CaseView:
    """Which parts of a case the actor may see."""

    plan: bool = False
    reports: bool = False
    visits: bool = False  # that visits happened (date, mode)
    visit_notes: bool = False
    aid: bool = False
    followups: bool = False
    scores: bool = False
    reoffence_detail: bool = False
    returned_to_custody: bool = False  # only the fact, without kind or offence
    guide: bool = False  # may record reports, goals, aid, follow-ups, re-offences
    record_visits: bool = False
    assign: bool = False

    @property
    def release_details(self) -> bool:
        """The kind and date of release and the closing date and reason are corrections data: for those who
        guide the case or read its reports, never a TJSL officer. The API gives a mentor none either (their
        page shows the release line and the agenda they plan visits by)."""
        return self.guide or self.reports


FULL = CaseView(
    plan=True,
    reports=True,
    visits=True,
    visit_notes=True,
    aid=True,
    followups=True,
    scores=True,
    reoffence_detail=True,
    returned_to_custody=True,
    guide=True,
    record_visits=True,
)
# The releasing Kanwil's read-only view of a case another region's Bapas guides: what a guide reads except
# visit notes (those stay with the guides and the mentor), and no writes.
READ_ONLY = CaseView(**{**FULL.__dict__, "guide": False, "record_visits": False, "visit_notes": False})


def case_view(actor: Any, case: Any, *, partner_consent: bool = False) -> CaseView:
    """What the actor may see of a case it can reach (selectors.case_list decides the reach).

    `partner_consent`: whether the person's consent to share with the company partner is active; without it
    TJSL officers see nothing of the case's details.
    """
    role = getattr(actor, "role", None)
    if guides_case(actor, case):
        return CaseView(**{**FULL.__dict__, "assign": may_assign(actor, case)})
    if is_mentor_of(actor, case):
        shares = set(case.mentor_shares or [])
        return CaseView(
            plan="plan" in shares,
            visits="visits" in shares,
            visit_notes="visits" in shares,
            aid="aid" in shares,
            followups="followups" in shares,
            scores="followups" in shares,
            returned_to_custody=True,
            record_visits=True,
        )
    if role == Role.CSR_OFFICER and partner_consent:
        return CaseView(visits=True, aid=True, scores=True, returned_to_custody=True)
    if reads_as_releasing_kanwil(actor, case):
        return READ_ONLY
    return CaseView()
