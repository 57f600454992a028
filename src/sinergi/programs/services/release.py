"""Writes at release: the participant leaves custody and is handed over."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone

from sinergi.accounts.choices import OrganisationKind, Role, UnitKind
from sinergi.accounts.models import Organisation, User
from sinergi.aftercare.models import AftercareCase
from sinergi.audit.services import audit_record, model_update
from sinergi.beneficiaries.choices import CustodyStatus
from sinergi.beneficiaries.domain import format_date_long
from sinergi.beneficiaries.models import CustodyEpisode, IntegrationEvent
from sinergi.notifications.services import notify
from sinergi.programs import selectors
from sinergi.programs.choices import Stage, WithdrawalReason
from sinergi.programs.models import (
    Enrollment,
)
from sinergi.programs.services._common import (
    INTEGRATION_AFTER_EXPIRY,
    RELEASE_IN_FUTURE,
    RELEASE_KINDS,
    _d,
    _invalid,
)
from sinergi.programs.services.enrollments import _promote_waitlist

# --- Release and handover ----------------------------------------------------------------------------


def responsible_bapas(person: Any, unit: Organisation) -> Organisation | None:
    """The Bapas serving the person's domicile regency, else a Bapas under the unit's Kanwil."""
    regency = person.domicile_district.regency_id if person.domicile_district_id else None
    bapas = Organisation.objects.filter(kind=OrganisationKind.UNIT, unit_kind=UnitKind.BAPAS, is_active=True)
    if regency:
        found = bapas.filter(service_regencies=regency).first()
        if found:
            return found
    return bapas.filter(regional_office_id=unit.regional_office_id).first()


def participant_release(
    *, actor: Any, episode: CustodyEpisode, kind: str, on: dt.date, reference: str = ""
) -> AftercareCase:
    """A participant's custody ends (bebas) or moves to guidance (PB, CB, CMB).

    Their open enrolments close (completed when the cohort has ended, else withdrawn as released), an
    aftercare case opens for the responsible Bapas, and the Bapas and the program's TJSL officers are told.
    """
    if kind not in RELEASE_KINDS:
        raise _invalid("Jenis pembebasan harus bebas, pb, cb atau cmb.")
    if on > timezone.localdate():
        raise _invalid(RELEASE_IN_FUTURE.format(date=_d(on)), "on")
    if kind != "bebas" and episode.expiry_date and on > episode.expiry_date:
        raise _invalid(
            INTEGRATION_AFTER_EXPIRY.format(expiry=_d(episode.expiry_date), kind=kind.upper()), "on"
        )
    with transaction.atomic():
        if kind == "bebas":
            CustodyEpisode.objects.filter(pk=episode.pk).update(
                status=CustodyStatus.RELEASED,
                release_date=on,
                updated_at=timezone.now(),
                version=F("version") + 1,
            )
        else:
            CustodyEpisode.objects.filter(pk=episode.pk).update(
                status=CustodyStatus.CLIENT, updated_at=timezone.now(), version=F("version") + 1
            )
            IntegrationEvent.objects.create(
                episode=episode,
                kind=RELEASE_KINDS[kind],
                date=on,
                approved_by_board=bool(reference),
                board_reference=reference,
            )
        return _handover(actor=actor, episode=episode, kind=kind, on=on)


def _handover(*, actor: Any, episode: CustodyEpisode, kind: str, on: dt.date) -> AftercareCase:
    """Close the episode's open enrolments, open the aftercare case and tell the people responsible."""
    person = episode.person
    with transaction.atomic():
        enrollments = list(
            Enrollment.objects.filter(person=person, episode=episode)
            .exclude(stage__in=(Stage.COMPLETED, Stage.WITHDRAWN))
            .select_related("cohort__program__agreement")
        )
        for enrollment in enrollments:
            finished = enrollment.stage == Stage.ACTIVE and enrollment.cohort.end_date <= on
            data = (
                {"stage": Stage.COMPLETED, "completed_on": on}
                if finished
                else {
                    "stage": Stage.WITHDRAWN,
                    "withdrawn_on": on,
                    "withdrawal_reason": WithdrawalReason.RELEASED,
                    "waitlist_position": None,
                }
            )
            was_open = enrollment.stage in selectors.OPEN_STAGES
            model_update(
                instance=enrollment,
                data=data,
                actor=actor,
                action="enrollment.release",
                expected_version=enrollment.version,
            )
            if was_open and data["stage"] == Stage.WITHDRAWN:
                _promote_waitlist(actor=actor, cohort=enrollment.cohort, on=on)
        # The program this person last took part in, finished or not, is the one the company follows up.
        latest = (
            Enrollment.objects.filter(person=person)
            .exclude(stage__in=(Stage.CANDIDATE, Stage.WAITLISTED))
            .select_related("cohort__program__agreement")
            .order_by("-cohort__start_date")
            .first()
        )
        bapas = responsible_bapas(person, episode.unit)
        case, _created = AftercareCase.objects.get_or_create(
            person=person,
            released_on=on,
            defaults={
                "enrollment": enrollments[0] if enrollments else latest,
                "bapas": bapas,
                "release_kind": kind,
                "opened_on": timezone.localdate(),
            },
        )
        audit_record(
            actor=actor,
            action="person.release",
            target=person,
            changes={
                "kind": kind,
                "on": str(on),
                "bapas": str(bapas or ""),
                "enrollments": [e.pk for e in enrollments],
            },
        )
        pk_officers = (
            list(User.objects.filter(is_active=True, organisation=bapas, role=Role.BAPAS_OFFICER))
            if bapas
            else []
        )
        followed = enrollments or ([latest] if latest else [])
        companies = {p.organisation_id for e in followed for p in e.cohort.program.agreement.parties.all()}
        csr_officers = list(
            User.objects.filter(is_active=True, role=Role.CSR_OFFICER, organisation_id__in=companies)
        )
        label = "bebas" if kind == "bebas" else kind.upper()
        title = f"Serah terima {person.full_name}: {label} pada {format_date_long(on)}"
        body = f"Bapas penanggung jawab: {bapas or 'belum ditentukan'}. Mulai rencana pembimbingan."
        key = f"release:{person.pk}:{on}"
        # Each recipient gets a link to a page they may open: the Bapas the person, the company the cohort.
        cohort_link = reverse("programs:cohort_detail", args=[followed[0].cohort_id]) if followed else ""
        person_link = reverse("beneficiaries:person_detail", args=[person.pk])

        def send() -> None:
            notify(recipients=pk_officers, key=key, link=person_link, level="warning", title=title, body=body)
            notify(
                recipients=csr_officers,
                key=key,
                link=cohort_link,
                level="info",
                title=title,
                body=f"Bapas penanggung jawab: {bapas or 'belum ditentukan'}.",
            )

        transaction.on_commit(send)
    return case


def handovers_due(*, today: dt.date | None = None) -> dict[str, int]:
    """Daily: hand over participants whose release was recorded elsewhere (for example by an import).

    Finds open enrolments whose custody episode is now bebas or klien, or has a release date that has come,
    and runs the same handover as a release recorded on the cohort page. Safe to run again.
    """
    today = today or timezone.localdate()
    episodes = (
        CustodyEpisode.objects.filter(
            enrollments__stage__in=(Stage.CANDIDATE, Stage.WAITLISTED, Stage.ENROLLED, Stage.ACTIVE)
        )
        .filter(Q(status__in=(CustodyStatus.RELEASED, CustodyStatus.CLIENT)) | Q(release_date__lte=today))
        .select_related("person__domicile_district", "unit")
        .distinct()
    )
    handed = 0
    for episode in episodes:
        latest = episode.integration_events.order_by("-date").first()
        kind = "bebas" if episode.status != CustodyStatus.CLIENT else (latest.kind if latest else "pb")
        on = episode.release_date or (latest.date if latest else today)
        _handover(actor=None, episode=episode, kind=kind, on=min(on, today))
        handed += 1
    return {"handovers": handed}
