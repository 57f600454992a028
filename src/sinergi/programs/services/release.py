"""Release seen from programs: a participant's release is recorded by the registry, and programs closes the
enrolments of the released custody episode and tells the company. The aftercare case opens from the
`person.released` domain event (sinergi.aftercare.handlers), never from here."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, IntegerField, OuterRef, Q, Subquery
from django.db.models.fields.json import KT
from django.db.models.functions import Cast
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sinergi.accounts.choices import Role
from sinergi.accounts.models import User
from sinergi.audit.services import model_update
from sinergi.beneficiaries.choices import CustodyStatus, IntegrationKind
from sinergi.beneficiaries.models import CustodyEpisode, IntegrationEvent, Person
from sinergi.beneficiaries.services import episode_release
from sinergi.core.errors import ForbiddenError
from sinergi.events import kinds
from sinergi.events.models import DomainEvent
from sinergi.events.services import events_record_many
from sinergi.notifications.services import notify
from sinergi.partnerships.models import AgreementParty
from sinergi.programs import access, selectors
from sinergi.programs.choices import Stage, WithdrawalReason
from sinergi.programs.models import Enrollment
from sinergi.programs.services.enrollments import _promote_waitlist, enrollment_event_record

# Who may record a participant's release from a program's pages (each only in their units).
RELEASERS = access.RELEASERS
PARTICIPANT_RELEASE_NOT_ALLOWED = gettext_lazy(
    "Only officers of the cohort's unit (or its Kanwil) can record a participant's release."
)


@dataclass
class ReleaseOutcome:
    """What a release changed here: the registry's episode and the enrolments it closed."""

    episode: CustodyEpisode
    closed: list[Enrollment] = field(default_factory=list)


def may_release(
    actor: Any, *, enrollment: Enrollment | None = None, episode: CustodyEpisode | None = None
) -> bool:
    """The system, or an administrator, Kanwil or unit officer whose units include the cohort's unit (for an
    enrolment) and the episode's unit. Facilitators, TJSL and Bapas officers never release."""
    return access.may_release(actor, cohort=enrollment.cohort if enrollment else None, episode=episode)


def participant_release(
    *,
    actor: Any,
    enrollment: Enrollment | None = None,
    episode: CustodyEpisode | None = None,
    kind: str,
    on: dt.date,
    reference: str = "",
    version: int,
) -> ReleaseOutcome:
    """Record a participant's release from a cohort page or the API: the registry records it (and checks
    it), and the enrolments of that episode close at once. `version` is the episode's version.

    The aftercare case opens when the `person.released` event is delivered (seconds later); closing the
    enrolments again at that delivery finds nothing left to do.
    """
    if episode is None:
        if enrollment is None:
            raise TypeError("participant_release needs an enrolment or a custody episode")
        episode = enrollment.episode
    if not may_release(actor, enrollment=enrollment, episode=episode):
        raise ForbiddenError(PARTICIPANT_RELEASE_NOT_ALLOWED)
    with transaction.atomic():
        episode_release(actor=actor, episode=episode, kind=kind, on=on, reference=reference, version=version)
        closed = release_enrollments_close(actor=actor, person=episode.person, episode_id=episode.pk, on=on)
    return ReleaseOutcome(episode=episode, closed=closed)


def release_enrollments_close(
    *, actor: Any, person: Person, episode_id: int, on: dt.date
) -> list[Enrollment]:
    """Close the open enrolments of a released custody episode: completed (on the cohort's end date) when
    the participant was active and the cohort has ended, otherwise withdrawn as released (the waiting list
    moves up). Then tell the program's TJSL officers that the participant was released and handed over, and
    nothing more (no kind of release, no date, no reason). Safe to run again: the second run closes and
    sends nothing."""
    with transaction.atomic():
        closed = list(
            Enrollment.objects.filter(person=person, episode_id=episode_id)
            .exclude(stage__in=(Stage.COMPLETED, Stage.WITHDRAWN))
            .select_related("cohort__program__agreement", "person")
        )
        for enrollment in closed:
            was_open = enrollment.stage in selectors.OPEN_STAGES
            finished = enrollment.stage == Stage.ACTIVE and enrollment.cohort.end_date <= on
            # Completed as of the cohort's end, not the release day: the completion date is program data
            # the company reads, and the release date is not theirs to read.
            data: dict[str, Any] = (
                {"stage": Stage.COMPLETED, "completed_on": enrollment.cohort.end_date}
                if finished
                else {
                    "stage": Stage.WITHDRAWN,
                    "withdrawn_on": on,
                    "withdrawal_reason": WithdrawalReason.RELEASED,
                    "waitlist_position": None,
                }
            )
            model_update(
                instance=enrollment,
                data=data,
                actor=actor,
                action="enrollment.release",
                expected_version=enrollment.version,
            )
            enrollment_event_record(enrollment)
            if was_open and not finished:
                _promote_waitlist(actor=actor, cohort=enrollment.cohort, on=on)
        followed = [e for e in closed if e.enrolled_on]
        if not followed:
            latest = selectors.enrollment_at_release(person_id=person.pk, episode_id=episode_id)
            followed = [latest] if latest is not None else []
        if followed:
            _tell_the_company(person=person, followed=followed, key=f"released:{person.pk}:{episode_id}")
    return closed


def _tell_the_company(*, person: Person, followed: list[Enrollment], key: str) -> None:
    """The TJSL officers of the parties to the programs' agreements (and the agreements above them) learn
    that the participant was released and handed over: never how, when, or why; and nothing at all when the
    person has not agreed to share with the company (`partner_sharing`), as for a return to custody
    (`aftercare.services._tell_the_company_of_return`)."""
    from sinergi.beneficiaries.selectors import has_active_consent

    if not has_active_consent(person=person, purpose="partner_sharing"):
        return
    agreements = {e.cohort.program.agreement_id for e in followed} | {
        e.cohort.program.agreement.parent_id for e in followed if e.cohort.program.agreement.parent_id
    }
    companies = AgreementParty.objects.filter(agreement_id__in=agreements).values("organisation_id")
    officers = User.objects.filter(is_active=True, role=Role.CSR_OFFICER, organisation_id__in=companies)
    cohort = followed[0].cohort
    # Stored text: written in the site's language, whoever triggered the release.
    with translation.override(settings.LANGUAGE_CODE):
        notify(
            recipients=officers,
            key=key,
            title=_("Participant %(name)s has been released and handed over to the Bapas")
            % {"name": person.full_name},
            body=_("%(program)s, %(cohort)s.") % {"program": cohort.program.name, "cohort": cohort.name},
            link=reverse("programs:cohort_detail", args=[cohort.pk]),
            level="info",
        )


def handovers_due(*, today: dt.date | None = None) -> dict[str, int]:
    """Daily safety net: record the `person.released` event of every released or klien custody episode
    that has none (data from before the outbox, or written by something that did not record it), so the
    usual handlers hand the person over. A constant number of queries, however many episodes."""
    today = today or timezone.localdate()
    recorded = DomainEvent.objects.annotate(episode_id=Cast(KT("payload__episode"), IntegerField())).filter(
        kind=kinds.PERSON_RELEASED, episode_id=OuterRef("pk")
    )
    latest = IntegrationEvent.objects.filter(
        episode=OuterRef("pk"),
        kind__in=(
            IntegrationKind.PAROLE,
            IntegrationKind.CONDITIONAL_LEAVE,
            IntegrationKind.LEAVE_BEFORE_RELEASE,
        ),
    ).order_by("-date", "-pk")
    missing = (
        CustodyEpisode.objects.filter(
            Q(status__in=(CustodyStatus.RELEASED, CustodyStatus.CLIENT)), person__merged_into__isnull=True
        )
        .exclude(Exists(recorded))
        .annotate(
            last_kind=Subquery(latest.values("kind")[:1]), last_date=Subquery(latest.values("date")[:1])
        )
        .values_list("pk", "person_id", "unit_id", "status", "release_date", "last_kind", "last_date")
        .order_by("pk")
    )
    subject_type = Person._meta.label_lower
    events = []
    for pk, person_id, unit_id, status, release_date, last_kind, last_date in missing:
        kind = "bebas" if status == CustodyStatus.RELEASED else (last_kind or "pb")
        on = (release_date if kind == "bebas" else last_date) or release_date or last_date or today
        payload = {"episode": pk, "unit": unit_id, "kind": kind, "on": min(on, today).isoformat()}
        events.append((kinds.PERSON_RELEASED, subject_type, str(person_id), payload))
    with transaction.atomic():
        recorded_count = events_record_many(events)
    return {"released": recorded_count}
