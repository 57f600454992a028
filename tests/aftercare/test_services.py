"""Aftercare services: who may do what to which case, what is refused (in Indonesian, nothing half-saved),
follow-ups with scores, and what each role's view of a case leaves out."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from sinergi.accounts.choices import Role
from sinergi.aftercare import selectors, services
from sinergi.aftercare.models import AftercareCase, Aid, FollowUp, IndexScore, Report
from sinergi.audit.models import AuditEvent
from sinergi.beneficiaries.models import Consent
from sinergi.core.errors import ApplicationError, ConflictError, ForbiddenError
from sinergi.notifications.models import Notification
from sinergi.regions.models import Regency
from tests.aftercare.conftest import RELEASED_ON
from tests.factories import UserFactory

D = dt.date


def _followup(**extra: Any) -> dict[str, Any]:
    return {
        "done_on": D(2022, 11, 3),
        "contacted": True,
        "work_status": "employed",
        "employer": "Bengkel las",
        "monthly_income": 3_500_000,
        "housing": "family",
        "family_support": True,
        "health_blocks_work": False,
    } | extra


def test_the_head_of_bapas_assigns_and_others_may_not(aftercare: dict[str, Any]) -> None:
    case = aftercare["case"]
    assert case.pk_officer == aftercare["pk_officer"]
    assert case.mentor_shares == ["visits"]
    with pytest.raises(ForbiddenError):
        services.case_assign(
            actor=aftercare["pk_officer"], case=case, pk_officer=aftercare["pk_officer"], version=case.version
        )
    with pytest.raises(ApplicationError) as refused:
        services.case_assign(
            actor=aftercare["head"], case=case, pk_officer=aftercare["stranger"], version=case.version
        )
    assert "bukan PK" in refused.value.detail["pk_officer"]
    with pytest.raises(ConflictError):
        services.case_assign(
            actor=aftercare["head"], case=case, pk_officer=aftercare["head"], version=case.version - 1
        )
    assert Notification.objects.filter(
        recipient=aftercare["pk_officer"], key__startswith="aftercare-assign"
    ).exists()


def test_a_case_is_opened_by_hand_for_a_released_person_never_in_a_program(aftercare: dict[str, Any]) -> None:
    from sinergi.beneficiaries.services import episode_release
    from sinergi.events.services import events_dispatch

    walk_in = aftercare["people"][3]
    episode = walk_in.episodes.get()
    episode_release(
        actor=None,
        episode=episode,
        kind="bebas",
        on=D(2022, 6, 1),
        version=episode.version,
        override_reason="Data uji",
    )
    events_dispatch()
    assert not AftercareCase.objects.filter(person=walk_in).exists()
    with pytest.raises(ForbiddenError):
        services.case_open_by_hand(actor=aftercare["stranger"], episode=episode)
    case = services.case_open_by_hand(actor=aftercare["pk_officer"], episode=episode, note="Datang sendiri")
    assert (case.opened_by_hand, case.release_kind, case.released_on, case.bapas) == (
        True,
        "bebas",
        D(2022, 6, 1),
        aftercare["bapas"],
    )
    with pytest.raises(ApplicationError):
        services.case_open_by_hand(actor=aftercare["pk_officer"], episode=episode)


def test_reports_before_release_or_in_the_future_are_refused_and_nothing_is_saved(
    aftercare: dict[str, Any],
) -> None:
    case, pk = aftercare["case"], aftercare["pk_officer"]
    with pytest.raises(ApplicationError) as early:
        services.report_record(actor=pk, case=case, on=RELEASED_ON - dt.timedelta(days=1), mode="in_person")
    assert early.value.detail == {"reported_on": "Tanggal tidak boleh sebelum pembebasan (3 Mei 2022)."}
    with pytest.raises(ApplicationError):
        services.report_record(
            actor=pk, case=case, on=timezone.localdate() + dt.timedelta(days=2), mode="phone"
        )
    assert not Report.objects.exists()
    with pytest.raises(ForbiddenError):
        services.report_record(actor=aftercare["stranger"], case=case, on=D(2022, 6, 2), mode="phone")
    services.report_record(actor=pk, case=case, on=D(2022, 6, 2), mode="in_person")
    status = selectors.case_status(
        selectors.with_activity(AftercareCase.objects.filter(pk=case.pk)).get(), today=D(2022, 8, 11)
    )
    # 2 June counts for 3 June (a day early); nothing for 3 July; 3 August is more than a week late.
    assert [s.status for s in status.slots][:3] == ["done", "missed", "overdue"]
    assert len(status.slots) == 7  # monthly from 3 June to 3 December 2022; the sentence expires 1 Jan 2023


def test_the_caseload_lists_my_open_cases_most_urgent_first(aftercare: dict[str, Any]) -> None:
    from tests.aftercare.conftest import release_and_open

    pk = aftercare["pk_officer"]
    second = release_and_open(aftercare, index=1, kind="bebas")
    services.case_assign(actor=aftercare["head"], case=second, pk_officer=pk, version=second.version)
    load = selectors.caseload(actor=pk, today=D(2022, 8, 10))
    assert [s.case.pk for s in load] == [aftercare["case"].pk, second.pk]  # missed reports come first
    assert load[0].missed_reports == 2
    assert selectors.caseload(actor=aftercare["head"], today=D(2022, 8, 10)) == []
    assert [s.case.pk for s in selectors.caseload(actor=aftercare["mentor"], today=D(2022, 8, 10))] == [
        aftercare["case"].pk
    ]


def test_visit_notes_reach_the_guides_and_the_mentor_never_tjsl(aftercare: dict[str, Any]) -> None:
    case = aftercare["case"]
    services.visit_record(
        actor=aftercare["mentor"],
        case=case,
        on=D(2022, 7, 1),
        mode="in_person",
        met_with="Klien dan istri",
        notes="Catatan rahasia",
        next_steps="Cari modal",
    )
    with pytest.raises(ForbiddenError):
        services.visit_record(actor=aftercare["other_mentor"], case=case, on=D(2022, 7, 1), mode="phone")
    pk_view = selectors.case_detail(
        actor=aftercare["pk_officer"], case=selectors.case_get(actor=aftercare["pk_officer"], pk=case.pk)
    )
    assert pk_view["visits"][0].notes == "Catatan rahasia"
    csr = aftercare["csr"]
    csr_view = selectors.case_detail(actor=csr, case=selectors.case_get(actor=csr, pk=case.pk))
    assert [v.visited_on for v in csr_view["visits"]] == [D(2022, 7, 1)]
    assert csr_view["visits"][0].notes == "" and csr_view["visits"][0].next_steps == ""
    assert "reoffences" not in csr_view and "followups" not in csr_view and "reports" not in csr_view
    mentor_view = selectors.case_detail(
        actor=aftercare["mentor"], case=selectors.case_get(actor=aftercare["mentor"], pk=case.pk)
    )
    assert mentor_view["visits"][0].notes == "Catatan rahasia"
    assert "goals" not in mentor_view and "aid" not in mentor_view and "reoffences" not in mentor_view
    assert "Catatan rahasia" not in str(list(AuditEvent.objects.values_list("changes", flat=True)))


def test_withdrawn_partner_consent_hides_the_case_from_tjsl_at_once(aftercare: dict[str, Any]) -> None:
    from sinergi.beneficiaries.services import consent_withdraw

    csr = aftercare["csr"]
    assert selectors.case_list(actor=csr).count() == 1
    consent = Consent.objects.get(person=aftercare["case"].person, purpose="partner_sharing")
    consent_withdraw(actor=None, consent=consent, on=D(2022, 9, 1))
    assert selectors.case_list(actor=csr).count() == 0


def test_scope_per_role(aftercare: dict[str, Any], world: Any) -> None:
    case = aftercare["case"]
    assert selectors.case_list(actor=aftercare["officer"]).get() == case  # the unit that released them
    unit_view = selectors.case_detail(actor=aftercare["officer"], case=case)
    assert unit_view["view"].visit_notes is False and "visits" not in unit_view
    assert selectors.case_list(actor=aftercare["stranger"]).count() == 0
    assert selectors.case_list(actor=aftercare["other_mentor"]).count() == 0
    assert selectors.case_list(actor=world.others[Role.KANWIL_OFFICER]).count() == 0
    assert selectors.case_list(actor=world.users[Role.MONITOR]).count() == 0


def test_aid_is_whole_rupiah_with_a_funder_and_totals_per_program_and_funder(
    aftercare: dict[str, Any],
) -> None:
    case, pk, company = aftercare["case"], aftercare["pk_officer"], aftercare["company"]
    with pytest.raises(ApplicationError) as refused:
        services.aid_record(actor=pk, case=case, kind="tools", value=0, given_on=D(2022, 7, 1), funder=None)
    assert set(refused.value.detail) == {"value", "funder"}
    with pytest.raises(ApplicationError):
        services.aid_record(
            actor=pk,
            case=case,
            kind="tools",
            value=2_500_000,
            given_on=D(2022, 7, 1),
            funder=company,
            evidence=SimpleUploadedFile("x.pdf", b"not a pdf"),
        )
    assert not Aid.objects.exists()
    scan = SimpleUploadedFile("kuitansi.pdf", b"%PDF-1.4 uji")
    aid = services.aid_record(
        actor=pk,
        case=case,
        kind="tools",
        value=2_500_000,
        given_on=D(2022, 7, 1),
        funder=company,
        evidence=scan,
    )
    assert aid.evidence.name.endswith(".pdf") and len(aid.evidence_sha256) == 64
    services.aid_record(
        actor=pk,
        case=case,
        kind="capital",
        value=1_000_000,
        given_on=D(2022, 8, 1),
        funder=aftercare["kanwil"],
    )
    program = aftercare["program"]
    assert selectors.aid_totals(program=program) == {"total": 3_500_000, "count": 2}
    assert selectors.aid_totals(program=program, funder=company) == {"total": 2_500_000, "count": 1}
    assert selectors.aid_totals(funder=aftercare["kanwil"]) == {"total": 1_000_000, "count": 1}


def test_a_followup_is_scored_with_the_umk_and_a_second_one_for_the_milestone_is_an_edit(
    aftercare: dict[str, Any],
) -> None:
    case, pk = aftercare["case"], aftercare["pk_officer"]
    services.wage_set(
        actor=None,
        regency=Regency.objects.get(code="16.71"),
        year=2022,
        amount=3_289_409,
        source="Nilai demo",
        is_demo=True,
    )
    followup = services.followup_record(actor=pk, case=case, milestone=6, data=_followup())
    score = IndexScore.objects.get(followup=followup)
    assert (score.score, score.minimum_wage, score.ruleset_version) == (85, 3_289_409, "kemandirian-2026.1")
    assert score.weights["income"] == 25 and score.components["income_at_umk"]["met"] is True
    with pytest.raises(ApplicationError) as again:
        services.followup_record(actor=pk, case=case, milestone=6, data=_followup())
    assert again.value.code == "exists" and again.value.detail["id"] == followup.pk
    assert "sudah dicatat" in again.value.message
    with pytest.raises(ConflictError):
        services.followup_update(
            actor=pk, followup=followup, data={"monthly_income": 1}, version=followup.version - 1
        )
    services.followup_update(
        actor=pk, followup=followup, data={"monthly_income": 2_000_000}, version=followup.version
    )
    assert list(IndexScore.objects.filter(followup=followup).values_list("score", flat=True)) == [85, 65]
    assert selectors.index_distribution(program=aftercare["program"])["50-74"] == 1


def test_absurd_or_negative_income_is_refused_and_nothing_is_saved(aftercare: dict[str, Any]) -> None:
    case, pk = aftercare["case"], aftercare["pk_officer"]
    for income in (-5, 1_000_000_001):
        with pytest.raises(ApplicationError) as refused:
            services.followup_record(actor=pk, case=case, milestone=3, data=_followup(monthly_income=income))
        assert set(refused.value.detail) == {"monthly_income"}
    with pytest.raises(ApplicationError):
        services.followup_record(actor=pk, case=case, milestone=3, data=_followup(done_on=D(2022, 5, 1)))
    assert not FollowUp.objects.exists() and not IndexScore.objects.exists()


def test_not_contacted_is_an_outcome_without_a_score(aftercare: dict[str, Any]) -> None:
    followup = services.followup_record(
        actor=aftercare["pk_officer"],
        case=aftercare["case"],
        milestone=12,
        data={"done_on": D(2023, 5, 2), "contacted": False, "monthly_income": 99},
    )
    assert followup.monthly_income is None
    assert IndexScore.objects.get(followup=followup).score is None
    assert selectors.index_distribution(program=aftercare["program"])["not_contacted"] == 1


def test_a_reoffence_costs_the_no_reoffence_points_and_stays_hidden_from_tjsl(
    aftercare: dict[str, Any],
) -> None:
    case, pk = aftercare["case"], aftercare["pk_officer"]
    services.reoffence_record(
        actor=pk, case=case, kind="rearrest", on=D(2022, 10, 1), reference="LP/1/X/2022"
    )
    followup = services.followup_record(actor=pk, case=case, milestone=6, data=_followup())
    assert IndexScore.objects.get(followup=followup).components["no_reoffence"] == {"met": False, "points": 0}


def test_closing_a_case_needs_a_reason_and_happens_once(aftercare: dict[str, Any]) -> None:
    case, pk = aftercare["case"], aftercare["pk_officer"]
    with pytest.raises(ApplicationError):
        services.case_close(actor=pk, case=case, reason="bosan", on=D(2022, 9, 1), version=case.version)
    services.case_close(actor=pk, case=case, reason="moved_away", on=D(2022, 9, 1), version=case.version)
    with pytest.raises(ApplicationError):
        services.case_close(actor=pk, case=case, reason="died", on=D(2022, 9, 2), version=case.version)
    assert selectors.caseload(actor=pk, today=D(2022, 9, 10)) == []


def test_the_daily_reminders_reach_the_pk_once(aftercare: dict[str, Any]) -> None:
    pk = aftercare["pk_officer"]
    first = services.reminders_send(today=D(2022, 9, 10))
    # June, July and August were missed; the 3-month follow-up (2 August) is more than 30 days late.
    assert (first["reports"], first["followups"]) == (3, 1)
    assert services.reminders_send(today=D(2022, 9, 10)) == {"followups": 0, "reports": 0, "cases": 1}
    later = services.reminders_send(today=D(2022, 10, 10))
    assert (later["reports"], later["followups"]) == (1, 0)
    assert Notification.objects.filter(recipient=pk, key__startswith="aftercare-report-missed").count() == 4


def test_only_administrators_maintain_the_umk_table(aftercare: dict[str, Any]) -> None:
    regency = Regency.objects.get(code="16.07")
    with pytest.raises(ForbiddenError):
        services.wage_set(actor=aftercare["pk_officer"], regency=regency, year=2024, amount=1)
    with pytest.raises(ApplicationError):
        services.wage_set(actor=UserFactory(role=Role.ADMIN), regency=regency, year=2024, amount=0)
    wage = services.wage_set(actor=None, regency=regency, year=2024, amount=3_500_000, is_demo=True)
    assert selectors.minimum_wage_for(regency_id="16.07", year=2025) == wage
    assert selectors.minimum_wage_for(regency_id="16.07", year=2023) is None
