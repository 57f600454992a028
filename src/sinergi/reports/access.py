"""Who may see what in reports: role tuples and predicates shared by the views, the report job and the CLI.

- Every role has a dashboard; each sees the figures of its own scope (programs and cohorts as
  `programs.selectors` scopes them; monitors read aggregates of every program).
- TJSL officers and monitors see aggregates only: a count of 1 to 4 people shows as "<5" (the impact app's
  `cell` rule) and is never linked to a list.
- Person lists behind the numbers (participants) open for the roles that read participants' names on the
  cohort page; monitors never see people.
- TJSL officers read, person by person, only what the cohort page shows them: name, domicile and program
  data. So the lists behind their numbers open only where that is all a list discloses
  (`may_list_people`): the program stages (`COMPANY_LIST_METRICS`), whole or by unit or ring area
  (`COMPANY_LIST_BREAKDOWNS`), and only for a number they are shown (5 or more: `refuses_small_list`).
  Sex and age band, releases and aftercare outcomes stay aggregates for them; a list by sex would put a
  name to what the dashboard only counts, and two lists told apart would undo the "<5".
- Across views (`withheld_under_filters`): masking holds within one view, not between two, so an
  aggregate-only role with any dashboard filter set (period, agreement, program, unit) reads only the people
  counts it could list person by person anyway (`may_list_people`: a TJSL officer's people reached, whole,
  by unit or ring area, and the program stages), and the figures about no one (sessions, attendance rate,
  budget, agreements, SROI). Sex, age band, releases, aftercare outcomes, screening, the independence index
  and recidivism are shown to them only on the unfiltered dashboard; a monitor, who lists nobody, gets no
  people count under filters, except, filtered to one program only, that program's row of the masked
  program table (`programs.selectors.program_figures`, masked over every program), so that both views show
  the same hidden cells.
- Release and sentence-expiry dates only for the corrections roles (`may_see_release_dates`); so the list
  of participants released within 90 days opens only for them.
- Who was followed up after release and who found work (the funnel's aftercare steps) are listed only for
  the roles that read aftercare cases across their scope (`AFTERCARE_LIST_ROLES`: administrators, Kanwil
  and Bapas officers); unit officers and facilitators see those steps as counts, unlinked.
- The joint report is made by administrators and by Kanwil and TJSL officers of a party to the agreement.
- Identities in exports only for the corrections roles, with a stated reason; everyone else gets
  pseudonyms, keyed by purpose and requester (`exports.requester_of`), and in their participant rows only
  what their person lists show by name (`person_attributes`).
- The subject-access export is for administrators only.
"""

from __future__ import annotations

from typing import Any

from sinergi.accounts.choices import Role
from sinergi.impact import access as impact_access

DASHBOARD_ROLES = tuple(Role.values)
AGGREGATES_ONLY = impact_access.AGGREGATES_ONLY
PERSON_LIST_ROLES = (
    Role.ADMIN,
    Role.KANWIL_OFFICER,
    Role.UNIT_OFFICER,
    Role.BAPAS_OFFICER,
    Role.CSR_OFFICER,
    Role.FACILITATOR,
)
# What an aggregate-only role may list person by person (see the module notes).
COMPANY_LIST_METRICS = ("participants", "enrolled", "completed", "certified")
COMPANY_LIST_BREAKDOWNS = ("", "unit", "ring")
RING_AREA_KEYS = ("in_ring", "outside", "unknown", "none")  # reports.ring.KEYS (ring imports this module)
# Aftercare outcomes person by person: the roles that read aftercare cases' follow-ups across their scope
# (`aftercare.access.LIST_READERS`); a unit officer reads nothing of a case and a facilitator only its own
# mentees' shared parts, so neither lists who was followed up or found work.
AFTERCARE_LIST_METRICS = ("followed_up", "in_work")
AFTERCARE_LIST_ROLES = (Role.ADMIN, Role.KANWIL_OFFICER, Role.BAPAS_OFFICER)
# Releases (due, and done) person by person: the roles that read release dates (`RELEASE_DATE_ROLES`). A
# facilitator reads neither: "released" counts participants who completed and then got an aftercare case, whom
# the cohort page shows as completed, and its count read day by day tells the day of a release.
RELEASE_LIST_METRICS = ("releases_soon", "released")
# The screening steps count the people a program's runs screened, across its units and before any cohort:
# administrators read them whole, unit, Kanwil and Bapas officers for the people at their units
# (`selectors.screening_results`), aggregate-only roles masked. A facilitator reaches people only through the
# cohorts assigned to them and opens no screening run: the steps are not on their dashboard at all (a count
# over every unit of the program would be exact figures of people they have no business with).
SCREENING_FIGURE_METRICS = ("screened", "eligible")
SCREENING_FIGURE_ROLES = (Role.ADMIN, Role.KANWIL_OFFICER, Role.UNIT_OFFICER, Role.BAPAS_OFFICER)
REGISTRY_EXPORT_ROLES = (Role.ADMIN, Role.KANWIL_OFFICER, Role.UNIT_OFFICER, Role.BAPAS_OFFICER)
IDENTITY_ROLES = REGISTRY_EXPORT_ROLES
RELEASE_DATE_ROLES = REGISTRY_EXPORT_ROLES
REPORT_ROLES = (Role.ADMIN, Role.KANWIL_OFFICER, Role.CSR_OFFICER)
FINANCE_ROLES = impact_access.IMPACT_READERS
SUBJECT_ACCESS_ROLES = (Role.ADMIN,)


def role_of(actor: Any) -> str:
    return str(getattr(actor, "role", "") or "")


def aggregates_only(actor: Any) -> bool:
    return impact_access.aggregates_only(actor)


def cell(actor: Any, count: int | None) -> int | str | None:
    """A person count as the actor may see it ("<5" for aggregate-only roles)."""
    return impact_access.cell(actor, count)


def hidden(actor: Any, count: int | None) -> bool:
    return cell(actor, count) != count


def may_read_figure(actor: Any, metric: str) -> bool:
    """Whether the actor may read the count of `metric` at all (on the dashboard): the aftercare outcomes
    only for the roles that list them, the releases due only for the roles that read release dates, and
    aggregate-only roles every count, masked. A facilitator or unit officer reads no aftercare outcome of
    their cohorts, and a facilitator no release: a count over one small cohort would tell them of a person,
    and its change from one day to the next, when. A facilitator reads no screening step either
    (`SCREENING_FIGURE_ROLES`)."""
    if actor is None or aggregates_only(actor):
        return True
    if metric in AFTERCARE_LIST_METRICS:
        return role_of(actor) in AFTERCARE_LIST_ROLES
    if metric in RELEASE_LIST_METRICS:
        return may_see_release_dates(actor)
    if metric in SCREENING_FIGURE_METRICS:
        return role_of(actor) in SCREENING_FIGURE_ROLES
    return True


def may_list_people(actor: Any, metric: str = "participants", by: str = "", key: str = "") -> bool:
    """Whether the actor may open the people behind a number (`metric`, broken down `by`, cell `key`).
    Aggregate-only roles: the ring table's area rows only (`ring.KEYS`), not its district rows, which
    their dashboard does not show (a ring-district key is a domicile district). Every role: the aftercare
    outcomes (`AFTERCARE_LIST_METRICS`) only for `AFTERCARE_LIST_ROLES`, the releases due only for the roles
    that read release dates."""
    if actor is None:
        return True
    if role_of(actor) not in PERSON_LIST_ROLES:
        return False
    if metric in AFTERCARE_LIST_METRICS and role_of(actor) not in AFTERCARE_LIST_ROLES:
        return False
    if metric in RELEASE_LIST_METRICS and not may_see_release_dates(actor):
        return False
    if aggregates_only(actor):
        if by == "ring" and key not in RING_AREA_KEYS:
            return False
        return metric in COMPANY_LIST_METRICS and by in COMPANY_LIST_BREAKDOWNS
    return True


def withheld_under_filters(actor: Any, filters: Any) -> bool:
    """Whether the actor's dashboard withholds the people counts it may not list: an aggregate-only role
    with any filter set (`selectors.Filters.is_set`). See the module notes."""
    return aggregates_only(actor) and bool(getattr(filters, "is_set", False))


def recidivism_withheld_by_unit(actor: Any, filters: Any) -> bool:
    """Whether recidivism is withheld under the filters for a viewer of exact figures limited to some units
    (a Kanwil officer): it is counted over whole programs (`impact.selectors.recidivism`), so under a unit
    filter it would count participants of the program's other units, not of the unit asked for."""
    return (
        actor is not None and role_of(actor) == Role.KANWIL_OFFICER and bool(getattr(filters, "unit", None))
    )


def follows_filters(actor: Any, filters: Any, metric: str = "participants", by: str = "") -> bool:
    """Whether a people count (`metric`, broken down `by`) is shown to the actor under `filters`: always
    for the roles that read exact figures and on the unfiltered dashboard; under filters, for aggregate-only
    roles, only a count they may list person by person (`may_list_people`: never for a monitor). For
    `by="ring"` this answers for the area rows (`RING_AREA_KEYS`); the ring-district rows are shown to
    aggregate-only roles only unfiltered (`dashboards.reached_rows`)."""
    if not withheld_under_filters(actor, filters):
        return True
    return may_list_people(actor, metric, by, RING_AREA_KEYS[0] if by == "ring" else "")


# A monitor's dashboard filtered to one program only: these funnel stages come from that program's row of
# the masked program table (`programs.selectors.program_figures`), keyed by the table's column.
MONITOR_PROGRAM_STAGES = {"enrolled": "participants", "completed": "completed", "certified": "certified"}


def refuses_small_list(actor: Any, count: int) -> bool:
    """A list of 1 to 4 people is not opened for aggregate-only roles: its number is "<5" for them."""
    return hidden(actor, count)


def may_see_release_dates(actor: Any) -> bool:
    return actor is None or role_of(actor) in RELEASE_DATE_ROLES


def may_see_identities(actor: Any) -> bool:
    return actor is None or role_of(actor) in IDENTITY_ROLES


def person_attributes(actor: Any) -> bool:
    """Whether the actor's participant rows (list exports, the joint report's data sheet) carry a person's
    sex, age band, domicile district and enrolment dates beside the program columns. Only for the roles that
    may export names anyway (`may_see_identities`). Everyone else (TJSL officers, facilitators) sees the
    participants by name on lists with their program, cohort, unit, stage and certificate: matching their
    own pseudonymised rows to those lists decodes them, so the rows hold nothing more than the lists
    (docs/security.md, "Pseudonyms are not a key back to names")."""
    return may_see_identities(actor)


def may_report(actor: Any, agreement: Any) -> bool:
    """Make the joint report of an agreement: administrators, and Kanwil and TJSL officers of a party."""
    if actor is None:
        return True
    return role_of(actor) in REPORT_ROLES and impact_access.is_party(actor, agreement)
