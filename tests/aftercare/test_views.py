"""Aftercare pages: the caseload, the case page per role, the one-screen follow-up form that keeps what was
typed when refused, the person page panel and opening a case by hand."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.test import Client

from sinergi.aftercare import services
from sinergi.aftercare.models import FollowUp, IndexScore, Report

D = dt.date


def test_the_pk_sees_the_caseload_and_records_a_report_from_the_case_page(
    client: Client, aftercare: dict[str, Any]
) -> None:
    case = aftercare["case"]
    client.force_login(aftercare["pk_officer"])
    page = client.get("/pembimbingan/klien-saya/").content.decode()
    assert "Klien saya" in page and case.person.full_name in page
    detail = client.get(f"/pembimbingan/{case.pk}/").content.decode()
    assert "Catat wajib lapor" in detail and "Pemantauan lanjutan" in detail
    response = client.post(f"/pembimbingan/{case.pk}/lapor/", {"reported_on": "2022-06-03", "mode": "phone"})
    assert response.status_code == 302
    assert Report.objects.get().mode == "phone"
    refused = client.post(f"/pembimbingan/{case.pk}/lapor/", {"reported_on": "2022-01-03", "mode": "phone"})
    assert refused.status_code == 400
    assert "Tanggal tidak boleh sebelum pembebasan" in refused.content.decode()


def test_a_refused_followup_keeps_what_was_typed_and_a_good_one_scores(
    client: Client, aftercare: dict[str, Any]
) -> None:
    case = aftercare["case"]
    client.force_login(aftercare["pk_officer"])
    form = {
        "done_on": "2022-11-03",
        "contacted": "1",
        "work_status": "employed",
        "employer": "Bengkel las Plaju",
        "monthly_income": "2000000000",
        "housing": "family",
        "family_support": "1",
    }
    refused = client.post(f"/pembimbingan/{case.pk}/pemantauan/6/", form)
    body = refused.content.decode()
    assert refused.status_code == 400
    assert "tidak wajar" in body and 'value="Bengkel las Plaju"' in body and 'value="2000000000"' in body
    assert not FollowUp.objects.exists()
    saved = client.post(f"/pembimbingan/{case.pk}/pemantauan/6/", form | {"monthly_income": "3000000"})
    assert saved.status_code == 302
    assert IndexScore.objects.get().score == 25 + 15 + 10 + 15  # no UMK recorded for Palembang here
    detail = client.get(f"/pembimbingan/{case.pk}/").content.decode()
    assert 'data-testid="index-score">65<' in detail


def test_tjsl_sees_that_a_visit_happened_never_its_notes(client: Client, aftercare: dict[str, Any]) -> None:
    case = aftercare["case"]
    services.visit_record(
        actor=aftercare["pk_officer"],
        case=case,
        on=D(2022, 7, 1),
        mode="in_person",
        notes="Catatan rahasia PK",
        met_with="Ibu klien",
    )
    services.reoffence_record(
        actor=aftercare["pk_officer"],
        case=case,
        kind="rearrest",
        on=D(2022, 8, 1),
        reference="LP/99/VIII/2022",
    )
    client.force_login(aftercare["csr"])
    page = client.get(f"/pembimbingan/{case.pk}/").content.decode()
    assert "1 Juli 2022" in page
    assert "Catatan rahasia PK" not in page and "Ibu klien" not in page and "LP/99" not in page
    assert client.get(f"/pembimbingan/{case.pk}/lapor/").status_code == 403


def test_the_person_page_shows_the_aftercare_panel(client: Client, aftercare: dict[str, Any]) -> None:
    case = aftercare["case"]
    client.force_login(aftercare["pk_officer"])
    page = client.get(f"/wbp/{case.person_id}/").content.decode()
    assert 'data-testid="aftercare-panel"' in page and f"/pembimbingan/{case.pk}/" in page


def test_a_bapas_officer_opens_a_case_by_hand_from_the_person_page(
    client: Client, aftercare: dict[str, Any]
) -> None:
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
    client.force_login(aftercare["officer"])  # the unit that released them may open it too
    page = client.get(f"/wbp/{walk_in.pk}/").content.decode()
    assert f"/pembimbingan/buka/{episode.pk}/" in page
    response = client.post(f"/pembimbingan/buka/{episode.pk}/")
    assert response.status_code == 302 and walk_in.aftercare_cases.get().opened_by_hand


def test_an_administrator_makes_a_bapas_officer_head_of_their_bapas(
    client: Client, aftercare: dict[str, Any]
) -> None:
    from sinergi.accounts.models import User
    from tests.factories import UserFactory

    client.force_login(UserFactory(role="admin"))
    pk = aftercare["pk_officer"]
    assert "Jadikan kepala" in client.get("/pembimbingan/kepala-bapas/").content.decode()
    assert (
        client.post("/pembimbingan/kepala-bapas/", {"user": pk.username, "is_head": "1"}).status_code == 302
    )
    assert User.objects.get(pk=pk.pk).has_perm("aftercare.assign_case")


def test_an_edit_of_a_followup_without_its_version_is_refused_never_saved_over_a_concurrent_one(
    client: Client, aftercare: dict[str, Any]
) -> None:
    case = aftercare["case"]
    client.force_login(aftercare["pk_officer"])
    form = {
        "done_on": "2022-11-03",
        "contacted": "1",
        "work_status": "employed",
        "employer": "Bengkel las Plaju",
        "monthly_income": "3000000",
        "housing": "family",
        "family_support": "1",
    }
    assert client.post(f"/pembimbingan/{case.pk}/pemantauan/6/", form).status_code == 302
    followup = FollowUp.objects.get()
    page = client.get(f"/pembimbingan/{case.pk}/pemantauan/6/").content.decode()
    seen = followup.version
    assert f'name="version" value="{seen}"' in page  # the edit form always carries it
    # Someone else changed it meanwhile; an edit sent without a version must not overwrite that change.
    services.followup_update(
        actor=aftercare["pk_officer"],
        followup=followup,
        data={**{k: getattr(followup, k) for k in ("done_on", "contacted", "work_status", "housing")}}
        | {"employer": "Warung makan", "monthly_income": 2_500_000, "family_support": True},
        version=followup.version,
    )
    refused = client.post(f"/pembimbingan/{case.pk}/pemantauan/6/", form | {"employer": "Tanpa versi"})
    assert refused.status_code == 400
    assert "Muat ulang" in refused.content.decode() or "Reload" in refused.content.decode()
    assert FollowUp.objects.get().employer == "Warung makan"
    stale = client.post(
        f"/pembimbingan/{case.pk}/pemantauan/6/",
        form | {"employer": "Versi lama", "version": seen},
    )
    assert stale.status_code == 400 and FollowUp.objects.get().employer == "Warung makan"
    current = FollowUp.objects.get().version
    saved = client.post(
        f"/pembimbingan/{case.pk}/pemantauan/6/", form | {"employer": "Versi baru", "version": current}
    )
    assert saved.status_code == 302 and FollowUp.objects.get().employer == "Versi baru"
