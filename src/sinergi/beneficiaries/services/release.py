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
from sinergi.audit.services import audit_record, model_update
from sinergi.beneficiaries import domain
from sinergi.beneficiaries.choices import CustodyStatus, IntegrationKind
from sinergi.beneficiaries.models import CustodyEpisode
from sinergi.beneficiaries.services._common import _override_record, _thresholds_waived
from sinergi.beneficiaries.services.episodes import (
    _integration_create,
    episode_stored_dates,
    may_act_on_episode,
)
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
# Kept here for callers that import them; the rules and their messages live in domain.py.
RELEASE_IN_FUTURE = domain.RELEASE_IN_FUTURE
RELEASE_BEFORE_START = domain.RELEASE_BEFORE_START
INTEGRATION_AFTER_EXPIRY = domain.INTEGRATION_AFTER_EXPIRY
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
    return may_act_on_episode(actor, episode)


def _release_checks(
    *, episode: CustodyEpisode, kind: str, on: dt.date, today: dt.date, reference: str | None
) -> tuple[dict[str, str], dict[str, str]]:
    """(problems, thresholds) of a release, by form field ("kind", "on", "reference")."""
    problems: dict[str, str] = {}
    if kind not in RELEASE_KINDS:
        problems["kind"] = str(RELEASE_KIND_UNKNOWN)
    elif episode.status == CustodyStatus.RELEASED:
        problems["kind"] = str(ALREADY_RELEASED)
    elif episode.status == CustodyStatus.CLIENT and kind != "bebas":
        problems["kind"] = str(ALREADY_CLIENT)
    dates = episode_stored_dates(episode)
    checked_kind = kind if kind in RELEASE_KINDS else "bebas"
    start = episode.start_date
    if on > today:
        problems["on"] = str(RELEASE_IN_FUTURE % {"date": _long(on)})
    elif start is not None and on < start:
        problems["on"] = str(RELEASE_BEFORE_START % {"date": _long(on), "start": _long(start)})
    found = domain.integration_problems(
        kind=checked_kind, on=on, dates=dates, today=today, reference=reference
    )
    if "date" in found:
        problems.setdefault("on", found["date"])
    if "reference" in found:
        problems["reference"] = found["reference"]
    thresholds: dict[str, str] = {}
    if "kind" not in problems and "on" not in problems:
        found = domain.integration_threshold_problems(kind=checked_kind, on=on, dates=dates)
        thresholds = {"on": found["date"]} if found else {}
    return problems, thresholds


def release_problems(
    *, episode: CustodyEpisode, kind: str, on: dt.date, today: dt.date, reference: str | None = None
) -> dict[str, str]:
    """Every reason this release cannot be recorded, by form field (empty when it can): the kind, the date
    (not in the future, not before the start, PB/CB/CMB not after expiry), the sentence thresholds for
    PB, CB and CMB (which an administrator may override), and, when `reference` is given, the TPP decision
    number a PB needs."""
    problems, thresholds = _release_checks(
        episode=episode, kind=kind, on=on, today=today, reference=reference
    )
    return thresholds | problems


def episode_release(
    *,
    actor: Any,
    episode: CustodyEpisode,
    kind: str,
    on: dt.date,
    reference: str = "",
    version: int,
    override_reason: str = "",
) -> CustodyEpisode:
    """Record that a custody episode ended (bebas, with its release date) or moved to guidance (PB, CB or
    CMB: the person becomes a klien and the integration event is recorded with the TPP's decision).

    `version` is the episode's version the officer saw. Refused with every problem by field (see
    `release_problems`); a PB needs the TPP decision number. The sentence thresholds may be overridden by an
    administrator who gives `override_reason` (audited as `person.threshold_override`). In the same
    transaction a `person.released` domain event is recorded; the apps that care (programs, aftercare)
    react to it.
    """
    if not _may_act(actor, episode):
        raise ForbiddenError(RELEASE_NOT_ALLOWED)
    if version != episode.version:
        raise ConflictError()
    problems, thresholds = _release_checks(
        episode=episode, kind=kind, on=on, today=timezone.localdate(), reference=reference
    )
    if problems:
        raise ApplicationError(next(iter(problems.values())), code="invalid", detail=thresholds | problems)
    waived = _thresholds_waived(actor=actor, problems=thresholds, reason=override_reason)
    data: dict[str, Any] = {"status": CustodyStatus.RELEASED, "release_date": on}
    if kind != "bebas":
        data = {"status": CustodyStatus.CLIENT}
    with transaction.atomic():
        model_update(
            instance=episode, data=data, actor=actor, action="episode.release", expected_version=version
        )
        if kind != "bebas":
            _integration_create(
                actor=actor,
                episode=episode,
                kind=RELEASE_KINDS[kind],
                date=on,
                approved=bool(reference.strip()),
                reference=reference.strip(),
            )
        if waived:
            _override_record(
                actor=actor, episode=episode, kind=kind, on=on, problems=thresholds, reason=override_reason
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
