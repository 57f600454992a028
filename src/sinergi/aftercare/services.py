"""Writes for aftercare: opening the case of a released participant for the Bapas that will guide them."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sinergi.accounts.choices import OrganisationKind, Role, UnitKind
from sinergi.accounts.models import Organisation, User
from sinergi.aftercare.access import may_open_case
from sinergi.aftercare.models import AftercareCase
from sinergi.audit.services import audit_record
from sinergi.beneficiaries.services import episode_guidance_assign
from sinergi.core.errors import ForbiddenError
from sinergi.notifications.services import notify

CASE_NOT_ALLOWED = gettext_lazy(
    "Only officers of the unit that held this person, its Kanwil or the guiding Bapas can open a case."
)


def responsible_bapas(person: Any, unit: Organisation) -> Organisation | None:
    """The Bapas serving the person's domicile regency, else a Bapas under the unit's Kanwil, else None."""
    regency = person.domicile_district.regency_id if person.domicile_district_id else None
    bapas = Organisation.objects.filter(
        kind=OrganisationKind.UNIT, unit_kind=UnitKind.BAPAS, is_active=True
    ).order_by("pk")
    if regency:
        found = bapas.filter(service_regencies=regency).first()
        if found:
            return found
    if unit.regional_office_id is None:
        return None
    return bapas.filter(regional_office_id=unit.regional_office_id).first()


def _kind_label(kind: str) -> str:
    return "bebas" if kind == "bebas" else kind.upper()


def case_open(
    *,
    actor: Any,
    person: Any,
    episode: Any,
    released_on: dt.date,
    kind: str,
    enrollment: Any = None,
) -> AftercareCase:
    """Open the aftercare case of a released person, once per person and release date (and per episode).

    The guiding Bapas is the one already recorded on the episode, else the Bapas that serves the person's
    domicile (`responsible_bapas`), and is recorded on the episode. The Bapas's PK officers are told.
    Opening again returns the case already open and sends nothing.
    """
    if not may_open_case(actor, episode):
        raise ForbiddenError(CASE_NOT_ALLOWED)
    with transaction.atomic():
        existing = AftercareCase.objects.filter(
            Q(person=person, released_on=released_on) | Q(episode=episode)
        ).first()
        if existing is not None:
            return existing
        bapas = episode.guidance_unit or responsible_bapas(person, episode.unit)
        case, created = AftercareCase.objects.get_or_create(
            person=person,
            released_on=released_on,
            defaults={
                "episode": episode,
                "enrollment": enrollment,
                "bapas": bapas,
                "release_kind": kind,
                "opened_on": timezone.localdate(),
            },
        )
        if not created:
            return case
        if bapas is not None:
            episode_guidance_assign(actor=actor, episode=episode, bapas=bapas)
        audit_record(
            actor=actor,
            action="aftercare.case_open",
            target=person,
            changes={
                "case": case.pk,
                "kind": kind,
                "released_on": released_on.isoformat(),
                "bapas": str(bapas or ""),
                "enrollment": enrollment.pk if enrollment is not None else None,
            },
        )
        if bapas is not None:
            officers = User.objects.filter(is_active=True, organisation=bapas, role=Role.BAPAS_OFFICER)
            # Stored text: written in the site's language, whoever triggered the release.
            with translation.override(settings.LANGUAGE_CODE):
                notify(
                    recipients=officers,
                    key=f"handover:{person.pk}:{released_on.isoformat()}",
                    title=_("Handover of %(name)s: %(kind)s on %(date)s")
                    % {
                        "name": person.full_name,
                        "kind": _kind_label(kind),
                        "date": formats.date_format(released_on, "DATE_FORMAT"),
                    },
                    body=_("%(bapas)s guides this person from now on. Start the guidance plan.")
                    % {"bapas": bapas.name},
                    link=reverse("beneficiaries:person_detail", args=[person.pk]),
                    level="warning",
                )
    return case
