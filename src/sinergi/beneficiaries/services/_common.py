"""Messages and checks shared by the registry services."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy

from sinergi.audit.services import audit_record
from sinergi.beneficiaries import domain
from sinergi.core.crypto import encrypt_text
from sinergi.core.errors import ApplicationError, ForbiddenError

# --- By hand ------------------------------------------------------------------------------------------

PERSON_EDIT_FIELDS = (
    "full_name",
    "sex",
    "birth_date",
    "birth_place",
    "education",
    "prior_occupation",
    "phone",
    "address",
    "domicile_district",
    "domicile_village",
    "offence_category",
    "risk_level",
)
NIK_REFUSED = gettext_lazy("The NIK is not valid: %(problem)s")
NIK_TAKEN = gettext_lazy(
    "This NIK is already recorded for another person in your work area. Open the duplicates page to merge."
)
VILLAGE_OUTSIDE_DISTRICT = gettext_lazy("The chosen village is not in the domicile district.")
UNIT_NOT_IN_SCOPE = gettext_lazy("This unit is outside your work area.")
REGISTRATION_TAKEN = gettext_lazy("Registration number %(value)s is already used at this unit.")
CONSENT_EVIDENCE_REQUIRED = gettext_lazy(
    "Write down the evidence of consent (for example the number of the signed form)."
)
CONSENT_ALREADY = gettext_lazy("Consent for this purpose is already recorded and has not been withdrawn.")
CONSENT_NOT_ACTIVE = gettext_lazy("This consent has already been withdrawn.")
MERGE_SAME = gettext_lazy("Choose two different people to merge.")
MERGE_RETIRED = gettext_lazy(
    "One of these records has already been merged into another; open the page again."
)


def _nik_fields(nik: str, *, exclude_pk: int | None = None, actor: Any = None) -> dict[str, str]:
    """The stored NIK fields (encrypted, keyed hash, last four digits) for a NIK, after checking it.

    A NIK already recorded for someone in the actor's scope is refused (NIK_TAKEN, the officer can merge).
    A NIK recorded only for people outside the actor's scope is accepted without a word, so the form never
    tells whether a NIK exists elsewhere in the registry: both records then share the NIK's hash and appear
    as a pair on an administrator's duplicates page.
    """
    from sinergi.core.crypto import blind_index
    from sinergi.regions.models import Province

    nik = domain.normalize_nik(nik)
    if not nik:
        return {"nik_encrypted": "", "nik_hash": "", "nik_last4": ""}
    problem = domain.nik_problem(
        nik, province_codes=frozenset(Province.objects.values_list("code", flat=True))
    )
    if problem:
        message = NIK_REFUSED % {"problem": problem}
        raise ApplicationError(message, code="invalid", detail={"nik": message})
    digest = blind_index(nik)
    from sinergi.beneficiaries.selectors import people_in_scope

    others = people_in_scope(actor).filter(nik_hash=digest)
    if exclude_pk is not None:
        others = others.exclude(pk=exclude_pk)
    if others.exists():
        raise ApplicationError(NIK_TAKEN, code="invalid", detail={"nik": str(NIK_TAKEN)})
    return {"nik_encrypted": encrypt_text(nik), "nik_hash": digest, "nik_last4": nik[-4:]}


def _check_place(data: dict[str, Any]) -> None:
    village, district = data.get("domicile_village"), data.get("domicile_district")
    if village is not None and district is not None and village.district_id != district.code:
        raise ApplicationError(
            VILLAGE_OUTSIDE_DISTRICT,
            code="invalid",
            detail={"domicile_village": str(VILLAGE_OUTSIDE_DISTRICT)},
        )


def _warnings(nik: str, data: dict[str, Any]) -> list[str]:
    nik = domain.normalize_nik(nik)
    if not nik:
        return []
    return domain.nik_mismatches(
        nik, birth_date=data.get("birth_date"), sex=data.get("sex"), today=timezone.localdate()
    )


def _check_people(actor: Any, *people: Any) -> None:
    """A write to people: the actor uses the registry and every one of them is in their scope (the system,
    `actor=None`, writes anywhere). The views read the people through scoped selectors first; this holds
    for whoever else calls the service (the CLI, a job, a future API)."""
    if actor is None:
        return
    from sinergi.beneficiaries.access import may_use_registry
    from sinergi.beneficiaries.selectors import people_in_scope

    ids = {person.pk for person in people}
    if not may_use_registry(actor) or people_in_scope(actor, few=True).filter(pk__in=ids).count() != len(ids):
        raise ForbiddenError()


# Who may merge which two records (`_check_merge`).
MERGE_ROLE = gettext_lazy(
    "Only an administrator, a Kanwil officer or a unit officer can merge two records of one person."
)
MERGE_UNITS = gettext_lazy(
    "Some custody episodes of these records are at units outside your work area, so you cannot merge them. "
    "Ask the Kanwil officer or an administrator."
)
MERGE_NOT_DUPLICATES = gettext_lazy(
    "These two records are not a likely duplicate: they have neither the same NIK nor a similar name with "
    "the same birth date and district. Only pairs on the duplicates list can be merged."
)


def _check_merge(actor: Any, keep: Any, drop: Any) -> None:
    """A merge asked for by a user (the system, `actor=None`, merges any two records): the role records
    custody (`access.MERGERS`), every custody episode of both people is at a unit in the actor's units (the
    merge moves them all), and the two are a likely duplicate by the keys of the duplicates list
    (`domain.duplicate_key`). The apps' mergers check what they move themselves."""
    if actor is None:
        return
    from sinergi.accounts.selectors import actor_unit_ids
    from sinergi.beneficiaries.access import may_merge
    from sinergi.beneficiaries.models import CustodyEpisode

    if not may_merge(actor):
        raise ForbiddenError(MERGE_ROLE)
    units = actor_unit_ids(actor)
    people = (keep.pk, drop.pk)
    if (
        units is not None
        and CustodyEpisode.objects.filter(person_id__in=people).exclude(unit_id__in=units).exists()
    ):
        raise ForbiddenError(MERGE_UNITS)
    if domain.duplicate_key(keep, drop) is None:
        raise ApplicationError(MERGE_NOT_DUPLICATES, code="invalid")


def _check_unit(actor: Any, unit: Any) -> None:
    from sinergi.accounts.selectors import actor_unit_ids

    units = actor_unit_ids(actor)
    if units is not None and unit.pk not in units:
        raise ForbiddenError(UNIT_NOT_IN_SCOPE, detail={"unit": str(UNIT_NOT_IN_SCOPE)})


# --- Sentence thresholds: refused, unless an administrator states a reason --------------------------------

OVERRIDE_ADMIN_ONLY = gettext_lazy(
    "Only an administrator can record this before the sentence rules allow it (with a stated reason)."
)


def _thresholds_waived(*, actor: Any, problems: dict[str, str], reason: str) -> bool:
    """Whether threshold problems are waived: there are some, and an administrator (or the system) gave a
    reason. Raises the refusal otherwise. The caller audits a waiver (`_override_record`)."""
    from sinergi.accounts.choices import Role

    if not problems:
        return False
    privileged = actor is None or getattr(actor, "role", None) == Role.ADMIN
    if reason.strip() and privileged:
        return True
    detail = dict(problems)
    if reason.strip():
        detail["override_reason"] = str(OVERRIDE_ADMIN_ONLY)
    raise ApplicationError(next(iter(problems.values())), code="invalid", detail=detail)


def _override_record(
    *, actor: Any, episode: Any, kind: str, on: Any, problems: dict[str, str], reason: str
) -> None:
    audit_record(
        actor=actor,
        action="person.threshold_override",
        target=episode.person,
        changes={
            "episode": episode.pk,
            "kind": kind,
            "on": on.isoformat(),
            "reason": reason.strip(),
            "refused_because": list(problems.values()),
        },
    )
