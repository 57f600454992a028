"""Release and handover through domain events: the registry records the release, programs closes the
enrolments, aftercare opens one case for the guiding Bapas, exactly once whatever is delivered twice."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from sinergi.accounts.choices import Role
from sinergi.accounts.services import token_create
from sinergi.aftercare.models import AftercareCase
from sinergi.audit.models import AuditEvent
from sinergi.beneficiaries.models import CustodyEpisode
from sinergi.beneficiaries.selectors import person_list
from sinergi.beneficiaries.services import episode_guidance_assign, episode_release
from sinergi.core.errors import ApplicationError, ConflictError, ForbiddenError
from sinergi.events import kinds, registry
from sinergi.events.models import DomainEvent
from sinergi.events.services import events_dispatch, events_pending_count
from sinergi.notifications.models import Notification
from sinergi.programs import services
from sinergi.programs.choices import Stage
from tests.beneficiaries.conftest import register
from tests.factories import UnitFactory, UserFactory
from tests.people import shares_with_company

RELEASED_ON = dt.date(2022, 5, 3)  # two thirds of register()'s 2-year sentence from 2021-01-01: PB allowed


@pytest.fixture(autouse=True)
def _first_shares(request: pytest.FixtureRequest) -> None:
    """The first participant agreed to share with the company: the release notice to TJSL officers goes only
    to those who did (programs.services.release._tell_the_company)."""
    if "handover" not in request.fixturenames:
        return
    handover = request.getfixturevalue("handover")
    shares_with_company(handover["enrollments"][0].person)


def _api(client: Client, user: Any, url: str, payload: dict[str, Any]) -> Any:
    headers = {"Authorization": f"Bearer {token_create(actor=None, user=user)}"}
    return client.post(url, payload, content_type="application/json", headers=headers)


def _form(enrollment: Any, **extra: Any) -> dict[str, Any]:
    return {
        "kind": "pb",
        "on": RELEASED_ON.isoformat(),
        "reference": "PB/UJI/1",
        "version": enrollment.episode.version,
    } | extra


def _assert_handed_over_once(handover: dict[str, Any], enrollment: Any) -> None:
    case = AftercareCase.objects.get()
    assert (case.person_id, case.episode_id, case.enrollment_id) == (
        enrollment.person_id,
        enrollment.episode_id,
        enrollment.pk,
    )
    assert (case.bapas, case.release_kind, case.released_on) == (handover["bapas"], "pb", RELEASED_ON)
    assert Notification.objects.filter(recipient=handover["pk_officer"]).count() == 1
    assert Notification.objects.filter(recipient=handover["csr"]).count() == 1
    assert DomainEvent.objects.filter(kind=kinds.PERSON_RELEASED).count() == 1
    assert AuditEvent.objects.filter(action="aftercare.case_open").count() == 1


def test_a_release_on_the_cohort_page_hands_over_once(client: Client, handover: dict[str, Any]) -> None:
    enrollment = handover["enrollments"][0]
    client.force_login(handover["officer"])
    response = client.post(f"/program/peserta/{enrollment.pk}/bebas/", _form(enrollment), follow=True)
    assert "Serah terima ke Bapas sedang diproses" in response.content.decode()
    enrollment.refresh_from_db()
    assert (enrollment.stage, enrollment.withdrawal_reason) == (Stage.WITHDRAWN, "released")
    assert not AftercareCase.objects.exists()  # not yet: the case opens from the event
    assert events_dispatch() >= 1
    assert events_dispatch() == 0
    _assert_handed_over_once(handover, enrollment)
    episode = CustodyEpisode.objects.get(pk=enrollment.episode_id)
    assert (episode.status, episode.guidance_unit) == ("klien", handover["bapas"])
    assert episode.integration_events.get().board_reference == "PB/UJI/1"


def test_a_release_over_the_api_hands_over_once(client: Client, handover: dict[str, Any]) -> None:
    enrollment = handover["enrollments"][0]
    response = _api(
        client, handover["officer"], f"/api/v1/enrollments/{enrollment.pk}/release", _form(enrollment)
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["closed"] == [{"id": enrollment.pk, "stage": "withdrawn"}]
    assert body["episode_version"] == enrollment.episode.version + 1
    events_dispatch()
    events_dispatch()
    _assert_handed_over_once(handover, enrollment)


def test_a_release_recorded_in_the_registry_closes_enrolments_from_the_event(
    handover: dict[str, Any],
) -> None:
    from sinergi.programs.services import enroll

    cohort = handover["cohort"]
    enrollment = handover["enrollments"][0]
    type(cohort).objects.filter(pk=cohort.pk).update(capacity=3)
    waiting = handover["people"][3]
    from sinergi.beneficiaries.services import consent_record
    from tests.programs.conftest import approved_results

    consent_record(
        actor=None, person=waiting, purpose="participation", given_on=dt.date(2021, 2, 1), evidence="Uji"
    )
    cohort.refresh_from_db()
    result = next(r for r in approved_results(handover) if r.person_id == waiting.pk)
    assert enroll(actor=None, cohort=cohort, result=result).stage == Stage.WAITLISTED
    episode_release(
        actor=handover["officer"],
        episode=enrollment.episode,
        kind="bebas",
        on=RELEASED_ON,
        version=enrollment.episode.version,
    )
    enrollment.refresh_from_db()
    assert enrollment.stage == Stage.ACTIVE  # the registry does not touch programs' tables
    events_dispatch()
    enrollment.refresh_from_db()
    assert (enrollment.stage, enrollment.withdrawal_reason) == (Stage.WITHDRAWN, "released")
    assert cohort.enrollments.get(person=waiting).stage == Stage.ENROLLED  # the waiting list moved up
    withdrawn = DomainEvent.objects.get(kind=kinds.ENROLLMENT_WITHDRAWN)
    assert withdrawn.subject_id == str(enrollment.person_id)
    assert withdrawn.payload == {
        "enrollment": enrollment.pk,
        "cohort": cohort.pk,
        "on": RELEASED_ON.isoformat(),
        "reason": "released",
    }
    case = AftercareCase.objects.get()
    assert (case.release_kind, case.enrollment_id) == ("bebas", enrollment.pk)


def test_a_participant_whose_cohort_has_ended_completes_at_release(handover: dict[str, Any]) -> None:
    enrollment = handover["enrollments"][1]
    services.participant_release(
        actor=None,
        enrollment=enrollment,
        kind="bebas",
        on=dt.date(2022, 7, 4),
        version=enrollment.episode.version,
    )
    enrollment.refresh_from_db()
    # Completed as of the cohort's end, not on the release day (the company reads completion dates).
    assert (enrollment.stage, enrollment.completed_on) == (Stage.COMPLETED, enrollment.cohort.end_date)
    assert enrollment.completed_on != dt.date(2022, 7, 4)
    assert DomainEvent.objects.filter(kind=kinds.ENROLLMENT_COMPLETED, subject_id=str(enrollment.person_id))


def test_a_kanwil_officer_of_another_region_is_refused_and_nothing_is_written(
    client: Client, world, handover: dict[str, Any]
) -> None:
    from sinergi.partnerships.models import AgreementParty

    other_kanwil = world.others[Role.KANWIL_OFFICER]
    # Party to the same MoU, so it sees the cohort: only the release service stands in the way.
    AgreementParty.objects.create(
        agreement=handover["mou"], organisation=other_kanwil.organisation, role="third"
    )
    enrollment = handover["enrollments"][0]
    events, audits = DomainEvent.objects.count(), AuditEvent.objects.count()
    client.force_login(other_kanwil)
    assert client.get(f"/program/angkatan/{handover['cohort'].pk}/").status_code == 200
    assert client.post(f"/program/peserta/{enrollment.pk}/bebas/", _form(enrollment)).status_code == 403
    url = f"/api/v1/enrollments/{enrollment.pk}/release"
    response = _api(client, other_kanwil, url, _form(enrollment))
    assert response.status_code == 403 and response.json()["code"] == "forbidden"
    with pytest.raises(ForbiddenError):
        services.participant_release(
            actor=other_kanwil, episode=enrollment.episode, kind="bebas", on=RELEASED_ON, version=1
        )
    with pytest.raises(ForbiddenError):
        episode_release(
            actor=other_kanwil, episode=enrollment.episode, kind="bebas", on=RELEASED_ON, version=1
        )
    episode = CustodyEpisode.objects.get(pk=enrollment.episode_id)
    assert (episode.status, episode.version, episode.release_date) == (
        "narapidana",
        enrollment.episode.version,
        None,
    )
    enrollment.refresh_from_db()
    assert enrollment.stage == Stage.ACTIVE
    assert DomainEvent.objects.count() == events
    written = AuditEvent.objects.order_by("seq")[audits:]
    assert not [a.action for a in written if a.action.split(".")[0] in ("person", "episode", "enrollment")]


@pytest.mark.parametrize(
    "role", [Role.FACILITATOR, Role.CSR_OFFICER, Role.BAPAS_OFFICER, Role.MONITOR, Role.UNIT_OFFICER]
)
def test_only_corrections_officers_of_the_cohorts_unit_release(
    client: Client, world, handover: dict[str, Any], role: str
) -> None:
    enrollment = handover["enrollments"][0]
    # The own users of these roles, except the unit officer: the one of another unit.
    user = world.others[role] if role == Role.UNIT_OFFICER else world.users[role]
    response = _api(client, user, f"/api/v1/enrollments/{enrollment.pk}/release", _form(enrollment))
    assert response.status_code in (403, 404)
    with pytest.raises(ForbiddenError):
        services.participant_release(
            actor=user, enrollment=enrollment, kind="bebas", on=RELEASED_ON, version=1
        )
    assert not DomainEvent.objects.filter(kind=kinds.PERSON_RELEASED).exists()


def test_the_company_learns_that_the_participant_was_released_and_nothing_more(
    handover: dict[str, Any],
) -> None:
    enrollment = handover["enrollments"][0]
    services.participant_release(
        actor=handover["officer"],
        enrollment=enrollment,
        kind="pb",
        on=RELEASED_ON,
        reference="PB/UJI/2",
        version=enrollment.episode.version,
    )
    events_dispatch()
    note = Notification.objects.get(recipient=handover["csr"])
    assert note.title == f"Peserta {enrollment.person.full_name} telah bebas dan diserahkan ke Bapas"
    text = f"{note.title} {note.body} {note.link} {note.key}".lower()
    for secret in ("pb", "parole", "pembebasan bersyarat", "3 mei 2022", "2022-05-03", "03-05-2022", "2022"):
        assert secret not in text, secret
    for fact in ("klien", "cb", "cmb", "kesehatan", "health", "released"):
        assert fact not in note.title.lower() + note.body.lower()
    assert note.link == f"/program/angkatan/{handover['cohort'].pk}/"
    # The Bapas, which guides the person, is told how and when.
    bapas_note = Notification.objects.get(recipient=handover["pk_officer"])
    assert "PB" in bapas_note.title and "3 Mei 2022" in bapas_note.title


def test_a_stale_version_is_a_conflict_and_writes_nothing(client: Client, handover: dict[str, Any]) -> None:
    enrollment = handover["enrollments"][0]
    stale = enrollment.episode.version
    CustodyEpisode.objects.filter(pk=enrollment.episode_id).update(version=stale + 1)  # someone saved
    with pytest.raises(ConflictError):
        services.participant_release(
            actor=handover["officer"], enrollment=enrollment, kind="bebas", on=RELEASED_ON, version=stale
        )
    enrollment = type(enrollment).objects.select_related("episode").get(pk=enrollment.pk)
    response = _api(
        client,
        handover["officer"],
        f"/api/v1/enrollments/{enrollment.pk}/release",
        _form(enrollment, version=stale),
    )
    assert response.status_code == 409 and response.json()["code"] == "conflict"
    client.force_login(handover["officer"])
    page = client.post(
        f"/program/peserta/{enrollment.pk}/bebas/", _form(enrollment, version=stale), follow=True
    )
    assert "telah diubah oleh pengguna lain" in page.content.decode()
    assert CustodyEpisode.objects.get(pk=enrollment.episode_id).status == "narapidana"
    assert not DomainEvent.objects.filter(kind=kinds.PERSON_RELEASED).exists()
    assert type(enrollment).objects.get(pk=enrollment.pk).stage == Stage.ACTIVE


def test_a_release_the_registry_cannot_accept_says_why(handover: dict[str, Any]) -> None:
    episode = handover["enrollments"][0].episode
    with pytest.raises(ApplicationError) as future:
        episode_release(
            actor=None, episode=episode, kind="bebas", on=dt.date(2099, 1, 1), version=episode.version
        )
    assert "belum tiba" in str(future.value.message) and "1 Januari 2099" in str(future.value.message)
    with pytest.raises(ApplicationError) as late:
        episode_release(
            actor=None, episode=episode, kind="cb", on=dt.date(2023, 6, 1), version=episode.version
        )
    assert late.value.detail["on"].startswith("Masa pidana sudah berakhir")
    with pytest.raises(ApplicationError) as early:
        episode_release(
            actor=None, episode=episode, kind="pb", on=dt.date(2020, 6, 1), version=episode.version
        )
    assert "lebih awal dari mulai" in str(early.value.message)
    episode_release(actor=None, episode=episode, kind="bebas", on=RELEASED_ON, version=episode.version)
    with pytest.raises(ApplicationError) as again:
        episode_release(actor=None, episode=episode, kind="bebas", on=RELEASED_ON, version=episode.version)
    assert "sudah berakhir" in str(again.value.message)


def test_a_handler_that_crashes_after_its_writes_leaves_nothing_and_the_retry_hands_over_once(
    handover: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    subscribers = {kind: list(paths) for kind, paths in registry.subscriptions().items()}
    subscribers[kinds.PERSON_RELEASED].append(f"{__name__}.crash_once")
    monkeypatch.setattr(registry, "_subscribers", subscribers)
    crashes.clear()
    events_dispatch()  # the registrations' own custody.started events, delivered before the release
    enrollment = handover["enrollments"][0]
    episode_release(
        actor=None,
        episode=enrollment.episode,
        kind="pb",
        on=RELEASED_ON,
        reference="PB/UJI/3",
        version=enrollment.episode.version,
    )
    assert events_dispatch() == 0  # the worker "died" after programs and aftercare had written
    assert crashes == ["crashed"]
    assert not AftercareCase.objects.exists()
    assert not Notification.objects.exists()
    enrollment.refresh_from_db()
    assert enrollment.stage == Stage.ACTIVE
    assert events_pending_count() == 1
    assert events_dispatch() >= 1
    assert events_dispatch() == 0
    _assert_handed_over_once(handover, enrollment)


crashes: list[str] = []


def crash_once(event: DomainEvent) -> None:
    """Runs after the real handlers: their writes are there, then the delivery fails the first time."""
    if not crashes:
        assert AftercareCase.objects.filter(person_id=event.subject_id).exists()
        crashes.append("crashed")
        raise RuntimeError("the worker dies here")


def test_a_person_who_never_took_part_gets_no_case(world) -> None:
    unit = world.organisation(Role.UNIT_OFFICER, "own")
    person = register(None, unit, "Bukan Peserta", "NP-1")
    episode = person.episodes.get()
    episode_release(actor=None, episode=episode, kind="bebas", on=RELEASED_ON, version=episode.version)
    events_dispatch()
    assert not AftercareCase.objects.exists() and not Notification.objects.exists()
    assert DomainEvent.objects.get(kind=kinds.PERSON_RELEASED).processed_at is not None


def test_the_guiding_bapas_sees_the_person_and_another_bapas_does_not(
    world, handover: dict[str, Any]
) -> None:
    enrollment = handover["enrollments"][0]
    stranger = world.users[Role.BAPAS_OFFICER]  # a Bapas of its own, which guides nobody here
    assert not person_list(actor=handover["pk_officer"]).filter(pk=enrollment.person_id).exists()
    services.participant_release(
        actor=None, enrollment=enrollment, kind="bebas", on=RELEASED_ON, version=enrollment.episode.version
    )
    events_dispatch()
    assert person_list(actor=handover["pk_officer"]).filter(pk=enrollment.person_id).exists()
    assert not person_list(actor=stranger).filter(pk=enrollment.person_id).exists()


def test_a_guiding_bapas_chosen_before_the_release_is_kept(world, handover: dict[str, Any]) -> None:
    from sinergi.accounts.choices import UnitKind

    chosen = UnitFactory(unit_kind=UnitKind.BAPAS, name="Bapas Pilihan")
    chosen_officer = UserFactory(role=Role.BAPAS_OFFICER, organisation=chosen)
    enrollment = handover["enrollments"][0]
    episode = enrollment.episode
    with pytest.raises(ApplicationError):
        episode_guidance_assign(actor=handover["officer"], episode=episode, bapas=handover["unit"])
    with pytest.raises(ForbiddenError):
        episode_guidance_assign(actor=world.others[Role.UNIT_OFFICER], episode=episode, bapas=chosen)
    episode_guidance_assign(actor=handover["officer"], episode=episode, bapas=chosen)
    services.participant_release(
        actor=None, enrollment=enrollment, kind="bebas", on=RELEASED_ON, version=episode.version
    )
    events_dispatch()
    assert AftercareCase.objects.get().bapas == chosen
    assert Notification.objects.filter(recipient=chosen_officer).count() == 1
    assert not Notification.objects.filter(recipient=handover["pk_officer"]).exists()


def test_both_apps_subscribe_to_releases_programs_first() -> None:
    assert registry.subscriptions()[kinds.PERSON_RELEASED] == [
        "sinergi.programs.handlers.on_person_released",
        "sinergi.aftercare.handlers.on_person_released",
    ]


def test_the_daily_safety_net_records_missing_release_events_with_a_constant_number_of_queries(
    world, handover: dict[str, Any]
) -> None:
    unit = handover["unit"]

    def release_without_event(n: int, prefix: str) -> None:
        people = [register(None, unit, f"Lama {prefix}{i}", f"{prefix}-{i}") for i in range(n)]
        CustodyEpisode.objects.filter(person__in=people).update(
            status="bebas", release_date=dt.date(2020, 1, 1)
        )

    counts = []
    for n, prefix in ((1, "A"), (20, "B")):
        release_without_event(n, prefix)
        with CaptureQueriesContext(connection) as queries:
            assert services.handovers_due(today=dt.date(2022, 5, 3)) == {"released": n}
        counts.append(len(queries))
    assert counts[0] == counts[1]
    assert services.handovers_due(today=dt.date(2022, 5, 3)) == {"released": 0}
    assert DomainEvent.objects.filter(kind=kinds.PERSON_RELEASED).count() == 21


def test_the_safety_net_skips_releases_that_have_their_event(handover: dict[str, Any]) -> None:
    first, second = handover["enrollments"][:2]
    services.participant_release(
        actor=None,
        enrollment=first,
        kind="pb",
        on=RELEASED_ON,
        reference="PB/UJI/4",
        version=first.episode.version,
    )
    CustodyEpisode.objects.filter(pk=second.episode_id).update(status="klien")
    from sinergi.beneficiaries.models import IntegrationEvent

    IntegrationEvent.objects.create(episode=second.episode, kind="cb", date=dt.date(2022, 4, 1))
    assert services.handovers_due(today=dt.date(2022, 5, 3)) == {"released": 1}
    recorded = DomainEvent.objects.filter(kind=kinds.PERSON_RELEASED).order_by("pk").last()
    assert recorded.payload == {
        "episode": second.episode_id,
        "unit": handover["unit"].pk,
        "kind": "cb",
        "on": "2022-04-01",
    }
    events_dispatch()
    assert AftercareCase.objects.count() == 2


def test_existing_cases_are_linked_to_their_episode_and_name_the_guiding_bapas(
    handover: dict[str, Any],
) -> None:
    import importlib

    from django.apps import apps

    fill = importlib.import_module("sinergi.aftercare.migrations.0004_fill_episode_and_guidance_unit").fill
    enrollment = handover["enrollments"][0]
    CustodyEpisode.objects.filter(pk=enrollment.episode_id).update(status="bebas", release_date=RELEASED_ON)
    case = AftercareCase.objects.create(
        person=enrollment.person,
        enrollment=None,
        bapas=handover["bapas"],
        release_kind="bebas",
        released_on=RELEASED_ON,
        opened_on=RELEASED_ON,
    )
    fill(apps, None)
    case.refresh_from_db()
    assert case.episode_id == enrollment.episode_id
    assert CustodyEpisode.objects.get(pk=enrollment.episode_id).guidance_unit == handover["bapas"]


def test_a_case_opens_once_per_episode_even_when_the_release_date_is_told_differently(
    handover: dict[str, Any],
) -> None:
    from sinergi.aftercare.services import case_open

    enrollment = handover["enrollments"][0]
    episode, person = enrollment.episode, enrollment.person
    first = case_open(actor=None, person=person, episode=episode, released_on=RELEASED_ON, kind="bebas")
    again = case_open(
        actor=None,
        person=person,
        episode=episode,
        released_on=RELEASED_ON + dt.timedelta(days=1),
        kind="bebas",
    )
    assert again == first and AftercareCase.objects.count() == 1
    assert Notification.objects.filter(recipient=handover["pk_officer"]).count() == 1
    with pytest.raises(ForbiddenError):
        case_open(
            actor=handover["csr"], person=person, episode=episode, released_on=RELEASED_ON, kind="bebas"
        )
