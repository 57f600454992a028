"""Sentence thresholds, enforced wherever asimilasi, PB, CB or CMB is recorded.

DESIGN's worked example: start 2021-01-01, 10 months, no remission. Half 2021-06-02, two thirds
2021-07-23, expiry 2021-11-01; PB not eligible by time (203 < 273 days); CB eligible.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.utils import translation

from sinergi.accounts.choices import Role
from sinergi.audit.models import AuditEvent
from sinergi.audit.services import audit_unseal
from sinergi.beneficiaries import domain
from sinergi.beneficiaries.models import CustodyEpisode, IntegrationEvent
from sinergi.beneficiaries.services import episode_release, integration_event_add, release_problems
from sinergi.core.errors import ApplicationError, ForbiddenError
from tests.beneficiaries.conftest import register

D = dt.date
TODAY = D(2022, 1, 1)
WORKED = domain.episode_dates(start=D(2021, 1, 1), years=0, months=10, days=0, remission_days=0) | {
    "start_date": D(2021, 1, 1)
}


@pytest.fixture(autouse=True)
def _english_and_a_fixed_today(monkeypatch: pytest.MonkeyPatch) -> Any:
    from django.utils import timezone

    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: TODAY)
    with translation.override("en"):
        yield


@pytest.fixture
def worked(db, world) -> CustodyEpisode:
    """A person at the own unit whose episode is DESIGN's worked example."""
    person = register(None, world.organisation(Role.UNIT_OFFICER, "own"), "Warga Contoh", "W-1")
    episode = person.episodes.get()
    values = domain.episode_dates(start=D(2021, 1, 1), years=0, months=10, days=0, remission_days=0)
    CustodyEpisode.objects.filter(pk=episode.pk).update(
        start_date=D(2021, 1, 1), sentence_years=0, sentence_months=10, **values
    )
    episode.refresh_from_db()
    return episode


# --- The rules themselves -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "on", "refused"),
    [
        ("asimilasi", D(2021, 6, 1), "Asimilasi can be recorded from 2 June 2021"),
        ("asimilasi", D(2021, 6, 2), None),
        ("cb", D(2021, 7, 22), "CB can be recorded from 23 July 2021"),
        ("cb", D(2021, 7, 23), None),
        ("cmb", D(2021, 7, 22), "CMB can be recorded from 23 July 2021"),
        ("cmb", D(2021, 7, 23), None),
        ("pb", D(2021, 7, 23), "does not meet the time condition for PB"),
        ("pb", D(2021, 10, 31), "does not meet the time condition for PB"),
        ("bebas", D(2021, 3, 1), None),
    ],
)
def test_the_thresholds_of_the_worked_example(kind: str, on: dt.date, refused: str | None) -> None:
    problems = domain.integration_threshold_problems(kind=kind, on=on, dates=WORKED)
    if refused is None:
        assert problems == {}
    else:
        assert refused in problems["date"]


def test_pb_is_allowed_from_two_thirds_when_the_sentence_is_long_enough() -> None:
    dates = domain.episode_dates(start=D(2021, 1, 1), years=2, months=0, days=0, remission_days=0)
    assert (
        "from 3 May 2022"
        in domain.integration_threshold_problems(kind="pb", on=D(2022, 5, 2), dates=dates)["date"]
    )
    assert domain.integration_threshold_problems(kind="pb", on=D(2022, 5, 3), dates=dates) == {}


def test_cb_is_refused_when_the_sentence_is_too_long_and_anything_without_a_sentence() -> None:
    dates = domain.episode_dates(start=D(2021, 1, 1), years=2, months=0, days=0, remission_days=0)
    assert (
        "time condition for CB"
        in domain.integration_threshold_problems(kind="cb", on=D(2022, 6, 1), dates=dates)["date"]
    )
    unknown = domain.integration_threshold_problems(kind="asimilasi", on=D(2022, 6, 1), dates={})
    assert "not recorded" in unknown["date"]


def test_dates_in_the_future_before_the_start_or_after_expiry_and_pb_without_a_decision() -> None:
    future = domain.integration_problems(kind="cb", on=D(2022, 1, 2), dates=WORKED, today=TODAY)
    assert "is in the future" in future["date"]
    early = domain.integration_problems(kind="cb", on=D(2020, 12, 31), dates=WORKED, today=TODAY)
    assert "before the sentence started (1 January 2021)" in early["date"]
    late = domain.integration_problems(kind="cb", on=D(2021, 11, 2), dates=WORKED, today=TODAY)
    assert "ended on 1 November 2021" in late["date"]
    assert domain.integration_problems(kind="bebas", on=D(2021, 11, 2), dates=WORKED, today=TODAY) == {}
    assert (
        "TPP"
        in domain.integration_problems(kind="pb", on=D(2021, 8, 1), dates=WORKED, today=TODAY, reference=" ")[
            "reference"
        ]
    )


# --- Through the services -------------------------------------------------------------------------------


def test_the_service_refuses_asimilasi_a_day_before_half_and_accepts_it_on_the_day(worked, world) -> None:
    officer = world.users[Role.UNIT_OFFICER]
    with pytest.raises(ApplicationError) as refused:
        integration_event_add(
            actor=officer, episode=worked, kind="asimilasi", date=D(2021, 6, 1), approved=True
        )
    assert "from 2 June 2021" in refused.value.detail["date"]
    integration_event_add(actor=officer, episode=worked, kind="asimilasi", date=D(2021, 6, 2), approved=True)
    assert worked.integration_events.get().date == D(2021, 6, 2)


def test_the_service_refuses_pb_for_the_worked_example_and_an_officer_cannot_override(worked, world) -> None:
    officer = world.users[Role.UNIT_OFFICER]
    with pytest.raises(ApplicationError) as refused:
        integration_event_add(
            actor=officer,
            episode=worked,
            kind="pb",
            date=D(2021, 8, 1),
            approved=True,
            reference="TPP/1",
            override_reason="Diminta",
        )
    assert "time condition for PB" in refused.value.detail["date"]
    assert "Only an administrator" in refused.value.detail["override_reason"]
    assert not IntegrationEvent.objects.exists()


def test_an_administrator_overrides_with_a_reason_and_it_is_audited(worked, world) -> None:
    admin = world.users[Role.ADMIN]
    with pytest.raises(ApplicationError):
        integration_event_add(
            actor=admin, episode=worked, kind="pb", date=D(2021, 8, 1), approved=True, reference="T/1"
        )
    integration_event_add(
        actor=admin,
        episode=worked,
        kind="pb",
        date=D(2021, 8, 1),
        approved=True,
        reference="T/1",
        override_reason="Putusan pengadilan",
    )
    [override] = audit_unseal([AuditEvent.objects.get(action="person.threshold_override")])
    assert override.changes["reason"] == "Putusan pengadilan" and override.actor == admin
    assert "time condition for PB" in override.changes["refused_because"][0]


def test_an_officer_of_another_unit_cannot_record_integration(worked, world) -> None:
    with pytest.raises(ForbiddenError):
        integration_event_add(
            actor=world.others[Role.UNIT_OFFICER],
            episode=worked,
            kind="cb",
            date=D(2021, 7, 23),
            approved=True,
        )


def test_a_release_on_pb_is_refused_for_the_worked_example_and_needs_a_tpp_decision(worked, world) -> None:
    officer = world.users[Role.UNIT_OFFICER]
    with pytest.raises(ApplicationError) as refused:
        episode_release(actor=officer, episode=worked, kind="pb", on=D(2021, 8, 1), version=worked.version)
    assert set(refused.value.detail) == {"on", "reference"}
    assert "time condition for PB" in refused.value.detail["on"]
    problems = release_problems(episode=worked, kind="cb", on=D(2021, 7, 22), today=TODAY)
    assert "from 23 July 2021" in problems["on"]
    episode_release(actor=officer, episode=worked, kind="cb", on=D(2021, 7, 23), version=worked.version)
    worked.refresh_from_db()
    assert worked.status == "klien" and worked.integration_events.get().kind == "cb"


# --- Through the pages and the API ----------------------------------------------------------------------


def test_the_page_shows_every_problem_next_to_its_field(client: Client, worked, world) -> None:
    client.force_login(world.users[Role.UNIT_OFFICER])
    response = client.post(
        f"/wbp/{worked.person_id}/integrasi/",
        {"episode": worked.pk, "kind": "pb", "date": "2021-08-01", "reference": ""},
        headers={"Accept-Language": "en"},
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="id_date_error"' in html and 'id="id_reference_error"' in html
    # The officer's language is Indonesian: the same messages from the catalogue.
    assert "syarat waktu PB" in html and "PB memerlukan nomor keputusan TPP" in html
    assert "override_reason" not in html  # the override is offered to administrators only
    assert not IntegrationEvent.objects.exists()


def test_the_page_lets_an_administrator_override(client: Client, worked, world) -> None:
    client.force_login(world.users[Role.ADMIN])
    data = {"episode": worked.pk, "kind": "asimilasi", "date": "2021-05-01", "approved": "on"}
    assert client.post(f"/wbp/{worked.person_id}/integrasi/", data).status_code == 400
    response = client.post(f"/wbp/{worked.person_id}/integrasi/", data | {"override_reason": "Uji"})
    assert response.status_code == 302
    assert AuditEvent.objects.filter(action="person.threshold_override").count() == 1


def test_the_release_api_answers_400_with_the_field_and_the_date(client: Client, worked, world) -> None:
    """The programs release API goes through episode_release: the same refusal, as field errors."""
    from sinergi.accounts.services import token_create
    from sinergi.programs.models import Enrollment
    from tests.programs.conftest import make_cohort

    unit = worked.unit
    from sinergi.programs import services as programs
    from tests.partnerships.conftest import make_agreement

    agreement = make_agreement(
        None,
        [world.organisation(Role.KANWIL_OFFICER, "own"), world.organisation(Role.CSR_OFFICER, "own")],
        number="MOU-T",
        start_date=D(2021, 1, 1),
        signed_on=D(2021, 1, 1),
    )
    program = programs.program_create(
        actor=None,
        agreement=agreement,
        data={
            "name": "Program",
            "program_type": "kemandirian",
            "pillar": "ekonomi",
            "start_date": D(2021, 1, 1),
            "end_date": D(2022, 12, 31),
            "rule": None,
        },
    )
    cohort = make_cohort({"program": program, "unit": unit})
    enrollment = Enrollment.objects.create(
        cohort=cohort, person=worked.person, episode=worked, stage="active"
    )
    token = token_create(actor=None, user=world.users[Role.UNIT_OFFICER])
    response = client.post(
        f"/api/v1/enrollments/{enrollment.pk}/release",
        {"kind": "pb", "on": "2021-08-01", "reference": "TPP/9", "version": worked.version},
        content_type="application/json",
        headers={"Authorization": f"Bearer {token}", "Accept-Language": "en"},
    )
    assert response.status_code == 400, response.content
    assert "syarat waktu PB" in response.json()["detail"]["on"]  # the officer's language


def test_an_episode_from_an_older_import_gets_its_dates_stored_before_the_rules_run(worked, world) -> None:
    CustodyEpisode.objects.filter(pk=worked.pk).update(
        half_date=None, parole_eligible_from=None, conditional_leave_eligible_from=None, ruleset_version=""
    )
    worked.refresh_from_db()
    integration_event_add(
        actor=world.users[Role.UNIT_OFFICER], episode=worked, kind="cb", date=D(2021, 7, 23), approved=True
    )
    worked.refresh_from_db()
    assert worked.half_date == D(2021, 6, 2) and worked.ruleset_version == domain.RULESET_VERSION
