"""Writes at release: a custody episode ends (bebas) or moves to guidance (PB, CB, CMB), and who guides the
person afterwards. The release is told to the other apps through a `person.released` domain event."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

from sinergi.accounts.choices import OrganisationKind, UnitKind
from sinergi.accounts.models import Organisation
from sinergi.accounts.selectors import actor_unit_ids
from sinergi.audit.services import audit_record, model_update
from sinergi.beneficiaries.choices import CustodyStatus, IntegrationKind
from sinergi.beneficiaries.models import CustodyEpisode
from sinergi.beneficiaries.selectors import CORRECTIONS_ROLES
from sinergi.beneficiaries.services.episodes import integration_event_add
from sinergi.core.errors import ApplicationError, ConflictError, ForbiddenError
from sinergi.events import kinds
from sinergi.events.services import event_record

# The kinds of release, and the integration event each one records (bebas records none).
RELEASE_KINDS: dict[str, str] = {
    "bebas": "",
    "pb": IntegrationKind.PAROLE,
    "cb": IntegrationKind.CONDITIONAL_LEAVE,
    "cmb": IntegrationKind.LEAVE_BEFORE_RELEASE,
}

RELEASE_NOT_ALLOWED = _(
    "Only officers of the unit that holds this person (or its Kanwil) can record a release."
)
RELEASE_KIND_UNKNOWN = _("Choose the kind of release: bebas, PB, CB or CMB.")
RELEASE_IN_FUTURE = _("The release date %(date)s has not come yet. Record the release on that day or later.")
RELEASE_BEFORE_START = _("The release date %(date)s is before the sentence started (%(start)s).")
INTEGRATION_AFTER_EXPIRY = _("The sentence ended on %(expiry)s; a release after that is bebas, not %(kind)s.")
ALREADY_RELEASED = _("This custody episode already ended with a release (bebas).")
ALREADY_CLIENT = _(
    "This person is already under guidance (klien); only the final release (bebas) can be recorded now."
)
GUIDANCE_NOT_ALLOWED = _(
    "Only officers of the unit that holds this person (or its Kanwil) can choose the Bapas."
)
GUIDANCE_NOT_BAPAS = _("Choose a Bapas to guide this person.")


def _long(value: dt.date) -> str:
    return formats.date_format(value, "DATE_FORMAT")


def _may_act(actor: Any, episode: CustodyEpisode) -> bool:
    """The system, or a corrections officer whose units include the episode's unit."""
    if actor is None:
        return True
    if getattr(actor, "role", None) not in CORRECTIONS_ROLES:
        return False
    units = actor_unit_ids(actor)
    return units is None or episode.unit_id in units


def release_problems(*, episode: CustodyEpisode, kind: str, on: dt.date, today: dt.date) -> dict[str, str]:
    """Every reason this release cannot be recorded, by form field (empty when it can)."""
    problems: dict[str, str] = {}
    if kind not in RELEASE_KINDS:
        problems["kind"] = str(RELEASE_KIND_UNKNOWN)
    elif episode.status == CustodyStatus.RELEASED:
        problems["kind"] = str(ALREADY_RELEASED)
    elif episode.status == CustodyStatus.CLIENT and kind != "bebas":
        problems["kind"] = str(ALREADY_CLIENT)
    if on > today:
        problems["on"] = RELEASE_IN_FUTURE % {"date": _long(on)}
    elif episode.start_date and on < episode.start_date:
        problems["on"] = RELEASE_BEFORE_START % {"date": _long(on), "start": _long(episode.start_date)}
    elif kind in RELEASE_KINDS and kind != "bebas" and episode.expiry_date and on > episode.expiry_date:
        problems["on"] = INTEGRATION_AFTER_EXPIRY % {
            "expiry": _long(episode.expiry_date),
            "kind": kind.upper(),
        }
    return problems


def episode_release(
    *, actor: Any, episode: CustodyEpisode, kind: str, on: dt.date, reference: str = "", version: int
) -> CustodyEpisode:
    """Record that a custody episode ended (bebas, with its release date) or moved to guidance (PB, CB or
    CMB: the person becomes a klien and the integration event is recorded with the TPP's decision).

    `version` is the episode's version the officer saw. In the same transaction a `person.released` domain
    event is recorded; the apps that care (programs, aftercare) react to it.
    """
    if not _may_act(actor, episode):
        raise ForbiddenError(RELEASE_NOT_ALLOWED)
    if version != episode.version:
        raise ConflictError()
    problems = release_problems(episode=episode, kind=kind, on=on, today=timezone.localdate())
    if problems:
        raise ApplicationError(next(iter(problems.values())), code="invalid", detail=problems)
    data: dict[str, Any] = {"status": CustodyStatus.RELEASED, "release_date": on}
    if kind != "bebas":
        data = {"status": CustodyStatus.CLIENT}
    with transaction.atomic():
        model_update(
            instance=episode, data=data, actor=actor, action="episode.release", expected_version=version
        )
        if kind != "bebas":
            integration_event_add(
                actor=actor,
                episode=episode,
                kind=RELEASE_KINDS[kind],
                date=on,
                approved=bool(reference),
                reference=reference,
            )
        audit_record(
            actor=actor,
            action="person.release",
            target=episode.person,
            changes={"episode": episode.pk, "kind": kind, "on": on.isoformat()},
        )
        event_record(
            kind=kinds.PERSON_RELEASED,
            subject=episode.person,
            payload={"episode": episode.pk, "unit": episode.unit_id, "kind": kind, "on": on.isoformat()},
        )
    return episode


def episode_guidance_assign(*, actor: Any, episode: CustodyEpisode, bapas: Organisation) -> CustodyEpisode:
    """Record which Bapas guides the person after this episode's release. Its officers then see the person
    in the registry. Assigning the Bapas already recorded changes nothing."""
    if not _may_act(actor, episode):
        raise ForbiddenError(GUIDANCE_NOT_ALLOWED)
    if bapas.kind != OrganisationKind.UNIT or bapas.unit_kind != UnitKind.BAPAS:
        raise ApplicationError(GUIDANCE_NOT_BAPAS, code="invalid", detail={"bapas": str(GUIDANCE_NOT_BAPAS)})
    if episode.guidance_unit_id == bapas.pk:
        return episode
    with transaction.atomic():
        model_update(
            instance=episode,
            data={"guidance_unit": bapas},
            actor=actor,
            action="episode.guidance_assign",
            expected_version=episode.version,
        )
    return episode
