"""Journey: a unit officer screens, approves, enrols and schedules; a facilitator takes attendance on a phone;
the unit officer then releases a participant on parole and the Bapas is told."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from sinergi.accounts.demo import COMPANY, demo_accounts
from sinergi.accounts.models import Organisation, User
from sinergi.aftercare.models import AftercareCase
from sinergi.beneficiaries.services import consent_record, person_create
from sinergi.notifications.models import Notification
from sinergi.partnerships.choices import AgreementKind, PartyRole
from sinergi.partnerships.services import PartyInput, agreement_create
from sinergi.programs import services
from sinergi.programs.models import Attendance, Enrollment, ScreeningResult, ScreeningRun, Session
from sinergi.regions.models import District
from tests.people import shares_with_company

pytestmark = pytest.mark.e2e

PLAJU, BANYUASIN_I, ILIR_BARAT_DUA = "16.71.14", "16.07.01", "16.71.01"
# Sorted by name, as the run and cohort pages list them. The third has not consented.
RING_PEOPLE = ("Ahmad Peserta Uji", "Bambang Peserta Uji", "Candra Tanpa Persetujuan")
OUTSIDER = "Dedi Luar Ring"
TPP_REFERENCE = "TPP/E2E/2024/01"
PHONE = {"width": 390, "height": 844}


def _log_in(page: Any, base_url: str, username: str, password: str) -> None:
    page.goto(f"{base_url}/masuk/")
    page.get_by_label("Nama pengguna").fill(username)
    page.get_by_label("Kata sandi").fill(password)
    page.get_by_role("button", name="Masuk").click()
    page.get_by_test_id("dashboard-title").wait_for()


def _log_out(page: Any) -> None:
    menu = page.get_by_test_id("user-menu")
    if not menu.is_visible():  # a collapsed navbar on a narrow screen
        page.locator(".navbar-toggler").click()
    menu.click()
    with page.expect_navigation():
        page.locator(f"form[action='{reverse('accounts:logout')}'] button[type=submit]").click()


def _register(unit: Organisation, name: str, registration: str, district: str, today: dt.date) -> Any:
    return person_create(
        actor=None,
        data={
            "full_name": name,
            "sex": "L",
            "birth_date": dt.date(1990, 5, 17),
            "domicile_district": District.objects.get(code=district),
            "offence_category": "Pencurian",
        },
        episode={
            "unit": unit,
            "registration_number": registration,
            "status": "narapidana",
            "start_date": today - dt.timedelta(days=800),  # past two-thirds of 3 years: PB allowed
            "sentence_years": 3,
            "sentence_months": 0,
            "sentence_days": 0,
            "remission_days": 0,
            "release_date": None,
        },
    )


def _setting(today: dt.date) -> dict[str, Any]:
    """An MoU with two ring districts, four people at the Lapas (one outside ring I), a program, a cohort."""
    kanwil = Organisation.objects.get(code="KANWIL-16")
    company = Organisation.objects.get(name=COMPANY)
    unit = Organisation.objects.get(code="LAPAS-PLG-I")
    mou, _warnings = agreement_create(
        actor=None,
        data={
            "kind": AgreementKind.MOU,
            "number": "MOU-E2E-PROG",
            "title": "MoU uji e2e program",
            "signed_on": today - dt.timedelta(days=200),
            "start_date": today - dt.timedelta(days=200),
            "end_date": today + dt.timedelta(days=400),
        },
        parties=[
            PartyInput(kanwil, PartyRole.FIRST, "Penandatangan Satu", "Kepala Kanwil"),
            PartyInput(company, PartyRole.SECOND, "Penandatangan Dua", "General Manager"),
        ],
        district_codes=[PLAJU, BANYUASIN_I],
    )
    people = {
        name: _register(unit, name, f"E2E-P{i}", PLAJU, today) for i, name in enumerate(RING_PEOPLE, start=1)
    }
    people[OUTSIDER] = _register(unit, OUTSIDER, "E2E-P9", ILIR_BARAT_DUA, today)
    for name in RING_PEOPLE[:2]:
        consent_record(
            actor=None,
            person=people[name],
            purpose="participation",
            given_on=today - dt.timedelta(days=30),
            evidence="Formulir persetujuan uji e2e",
        )
    program = services.program_create(
        actor=None,
        agreement=mou,
        modules=[("Las SMAW dasar", 40)],
        data={
            "name": "Las listrik (uji e2e)",
            "program_type": "kemandirian",
            "pillar": "ekonomi",
            "sdg_targets": [8],
            "kpi_participants": 10,
            "kpi_completion_rate": 80,
            "kpi_certification_rate": 50,
            "start_date": today - dt.timedelta(days=100),
            "end_date": today + dt.timedelta(days=300),
            "rule": None,
        },
    )
    cohort = services.cohort_create(
        actor=None,
        program=program,
        data={
            "unit": unit,
            "name": "Angkatan uji e2e",
            "start_date": today - dt.timedelta(days=7),
            "end_date": today + dt.timedelta(days=90),
            "capacity": 10,
        },
        facilitators=[User.objects.get(username="demo.fasilitator")],
    )
    return {"people": people, "program": program, "cohort": cohort}


def _tap_mark(page: Any, enrollment_id: int, mark: str) -> None:
    """Tap a mark's label and wait until HTMX has swapped in the saved rows."""
    rows = page.locator("#attendance-rows").element_handle()
    page.locator(f"label[for='m-{enrollment_id}-{mark}']").tap()
    page.wait_for_function("el => !el.isConnected", arg=rows)
    saved = page.get_by_test_id("attendance-saved")
    saved.wait_for()
    assert "alert-success" in (saved.get_attribute("class") or ""), saved.inner_text()


def test_an_officer_screens_approves_enrols_schedules_and_a_facilitator_takes_attendance_on_a_phone_then_a_participant_is_released(  # noqa: E501
    live_server: Any, reference_data: None, page: Any, browser: Any
) -> None:
    passwords = {a.username: a.password for a in demo_accounts(reset_passwords=True)}
    today = timezone.localdate()
    setting = _setting(today)
    people, program, cohort = setting["people"], setting["program"], setting["cohort"]
    base = live_server.url

    # 1. The unit officer screens the registry as of today and approves the three ring-I candidates.
    _log_in(page, base, "demo.upt", passwords["demo.upt"])
    page.goto(f"{base}/program/{program.pk}/")
    page.locator("#id_as_of").fill(today.isoformat())
    with page.expect_navigation(url=re.compile(r"/program/penyaringan/\d+/$")):
        page.get_by_test_id("run-screening").click()
    run = ScreeningRun.objects.get(program=program)
    assert page.url.endswith(f"/program/penyaringan/{run.pk}/")
    assert (run.evaluated, run.eligible_count) == (4, 3)

    ineligible = page.get_by_test_id("ineligible").locator("li")
    assert ineligible.count() == 1, ineligible.all_inner_texts()
    outsider_text = ineligible.first.inner_text()
    assert OUTSIDER in outsider_text and "domisili" in outsider_text, outsider_text

    eligible = page.get_by_test_id("eligible")
    results = {r.full_name: r for r in ScreeningResult.objects.filter(run=run, eligible=True)}
    assert sorted(results) == list(RING_PEOPLE)
    for name in RING_PEOPLE:
        box = eligible.locator(f"input[name='result'][value='{results[name].pk}']")
        assert eligible.get_by_label(name, exact=True).count() >= 1
        box.check()
    page.locator("#id_decided_on").fill(today.isoformat())
    page.locator("#id_reference").fill(TPP_REFERENCE)
    with page.expect_navigation():
        page.get_by_test_id("approve").click()
    assert eligible.locator("input[name='result']").count() == 0, eligible.inner_text()
    badges = eligible.locator(".badge.text-bg-success")
    assert badges.count() == 3
    assert re.search(r"approved|disetujui", badges.first.inner_text(), re.I), badges.first.inner_text()
    assert eligible.inner_text().count(TPP_REFERENCE) == 3

    # 2. Enrol: the two who consented are enrolled; the third is refused with a message about consent.
    page.goto(f"{base}/program/angkatan/{cohort.pk}/")
    for name in RING_PEOPLE:
        with page.expect_navigation():
            page.get_by_test_id(f"enrol-{results[name].pk}").click()
        alert = page.locator("main .alert[role=alert]").first
        alert.wait_for()
        if name == RING_PEOPLE[2]:
            assert "alert-danger" in (alert.get_attribute("class") or ""), alert.inner_text()
            assert name in alert.inner_text() and "persetujuan" in alert.inner_text(), alert.inner_text()
        else:
            assert "alert-success" in (alert.get_attribute("class") or ""), alert.inner_text()
    participants = page.get_by_test_id("participants")
    participants_text = participants.inner_text()
    assert RING_PEOPLE[0] in participants_text and RING_PEOPLE[1] in participants_text, participants_text
    assert RING_PEOPLE[2] not in participants_text, participants_text
    enrollments = {
        e.person.full_name: e for e in Enrollment.objects.filter(cohort=cohort).select_related("person")
    }
    assert sorted(enrollments) == list(RING_PEOPLE[:2])
    assert {e.stage for e in enrollments.values()} == {"enrolled"}
    assert page.get_by_test_id(f"enrol-{results[RING_PEOPLE[2]].pk}").is_visible()

    # 3. A weekly schedule on Mondays and Thursdays for the first four weeks of the cohort.
    assert page.locator("#id_from_date").input_value() == cohort.start_date.isoformat()
    assert page.locator("#id_to_date").input_value() == cohort.end_date.isoformat()
    last = cohort.start_date + dt.timedelta(days=27)
    page.locator("input[name='weekdays'][value='0']").check()
    page.locator("input[name='weekdays'][value='3']").check()
    page.locator("#id_start_time").fill("09:00")
    page.locator("#id_end_time").fill("11:00")
    page.locator("#id_to_date").fill(last.isoformat())
    with page.expect_navigation():
        page.get_by_test_id("generate-sessions").click()
    sessions = list(Session.objects.filter(cohort=cohort).order_by("date"))
    assert len(sessions) == 8, sessions
    assert {s.date.weekday() for s in sessions} == {0, 3}
    assert all(cohort.start_date <= s.date <= last for s in sessions)
    listed = page.get_by_test_id("sessions").locator("li")
    assert listed.count() == 8, listed.all_inner_texts()
    assert "09.00" in listed.first.inner_text(), listed.first.inner_text()
    _log_out(page)

    # 4. The facilitator, on a phone, opens the first session from the cohort page and taps two marks.
    phone = browser.new_context(
        locale="id-ID", viewport=PHONE, device_scale_factor=3, is_mobile=True, has_touch=True
    )
    try:
        mobile = phone.new_page()
        mobile.set_default_timeout(15000)
        _log_in(mobile, base, "demo.fasilitator", passwords["demo.fasilitator"])
        mobile.goto(f"{base}/program/angkatan/{cohort.pk}/")
        first = sessions[0]
        link = mobile.get_by_test_id("sessions").locator("a[href$='/presensi/']").first
        assert link.get_attribute("href") == f"/program/sesi/{first.pk}/presensi/"
        link.tap()
        mobile.wait_for_url(re.compile(rf"/program/sesi/{first.pk}/presensi/$"))
        present, absent = enrollments[RING_PEOPLE[0]], enrollments[RING_PEOPLE[1]]
        for enrollment in (present, absent):
            assert mobile.get_by_test_id(f"row-{enrollment.pk}").is_visible()
        width = mobile.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE["width"], f"the attendance page scrolls sideways on a phone ({width}px)"

        _tap_mark(mobile, present.pk, "present")
        _tap_mark(mobile, absent.pk, "unexcused")
        marks = dict(Attendance.objects.filter(session=first).values_list("enrollment_id", "mark"))
        assert marks == {present.pk: "present", absent.pk: "unexcused"}, marks
        assert re.search(r"\b1\b.*\b1\b", mobile.get_by_test_id("mark-counts").inner_text())

        mobile.reload()
        assert mobile.locator(f"#m-{present.pk}-present").is_checked()
        assert mobile.locator(f"#m-{absent.pk}-unexcused").is_checked()
        assert not mobile.locator(f"#m-{present.pk}-unexcused").is_checked()
        assert not mobile.locator(f"#m-{absent.pk}-present").is_checked()
    finally:
        phone.close()

    # 5. Back on the desk: the unit officer releases the first participant on parole (PB).
    _log_in(page, base, "demo.upt", passwords["demo.upt"])
    page.goto(f"{base}/program/angkatan/{cohort.pk}/")
    released = present
    # The company hears of a release only from a participant who agreed to share with it.
    shares_with_company(people[RING_PEOPLE[0]], today)
    form = page.get_by_test_id(f"release-{released.pk}")
    page.locator("details", has=form).locator("summary").click()
    form.locator("select[name='kind']").select_option("pb")
    form.locator("input[name='on']").fill(today.isoformat())
    form.locator("input[name='reference']").fill("PB/E2E/2024/07")
    page.once("dialog", lambda dialog: dialog.accept())  # the page asks to confirm the handover
    with page.expect_navigation():
        form.locator("button[type=submit]").click()
    alert = page.locator("main .alert[role=alert]").first
    alert.wait_for()
    assert "alert-success" in (alert.get_attribute("class") or ""), alert.inner_text()
    assert "Serah terima ke Bapas sedang diproses" in alert.inner_text(), alert.inner_text()

    row = page.get_by_test_id("participants").locator("tbody tr").filter(has_text=RING_PEOPLE[0])
    assert row.locator("[data-stage]").get_attribute("data-stage") in ("withdrawn", "completed")
    assert re.search(r"keluar|withdrawn|selesai|completed", row.inner_text(), re.I), row.inner_text()
    assert page.get_by_test_id(f"release-{released.pk}").count() == 0
    other = page.get_by_test_id("participants").locator("tbody tr").filter(has_text=RING_PEOPLE[1])
    assert other.locator("[data-stage]").get_attribute("data-stage") == "enrolled"

    released.refresh_from_db()
    assert (released.stage, released.withdrawal_reason) == ("withdrawn", "released")
    person = people[RING_PEOPLE[0]]
    case = AftercareCase.objects.select_related("bapas").get(person=person)
    assert case.bapas is not None and case.bapas.code == "BAPAS-PLG", case.bapas
    assert case.bapas.name == "Bapas Kelas I Palembang"
    assert (case.release_kind, case.released_on, case.enrollment_id) == ("pb", today, released.pk)
    # The handover ran from the release event (delivered right after the commit here: jobs run inline).
    assert (
        Notification.objects.filter(
            recipient__username="demo.bapas", key=f"handover:{person.pk}:{today}"
        ).count()
        == 1
    )
    tjsl = Notification.objects.get(recipient__username="demo.tjsl", key__startswith=f"released:{person.pk}:")
    assert tjsl.title == f"Peserta {person.full_name} telah bebas dan diserahkan ke Bapas"


def test_attendance_for_a_session_that_has_not_started_is_refused_visibly(
    live_server: Any, reference_data: None, page: Any
) -> None:
    """The buttons are disabled with the reason above them, a tap saves nothing, and the server answers a
    forced save with the message and a 400 (never a silent 200)."""
    passwords = {a.username: a.password for a in demo_accounts(reset_passwords=True)}
    today = timezone.localdate()
    setting = _setting(today)
    cohort, people = setting["cohort"], setting["people"]
    run = services.screening_run_create(actor=None, program=setting["program"], as_of=today)
    result = run.results.get(person=people[RING_PEOPLE[0]])
    services.candidates_approve(
        actor=None, run=run, result_ids=[result.pk], decided_on=today, reference="T/1"
    )
    result.refresh_from_db()
    enrollment = services.enroll(actor=None, cohort=cohort, result=result, on=today)
    future = Session.objects.create(
        cohort=cohort, date=today + dt.timedelta(days=3), start_time=dt.time(9), end_time=dt.time(11)
    )
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    base = live_server.url
    _log_in(page, base, "demo.fasilitator", passwords["demo.fasilitator"])
    page.goto(f"{base}/program/sesi/{future.pk}/presensi/")
    closed = page.get_by_test_id("attendance-closed")
    assert closed.is_visible() and "presensi dicatat pada hari sesi" in closed.inner_text()
    radio = page.locator(f"#m-{enrollment.pk}-present")
    assert radio.is_disabled()
    page.locator(f"label[for='m-{enrollment.pk}-present']").click(force=True)
    assert not radio.is_checked()
    token = page.locator("input[name='csrfmiddlewaretoken']").first.input_value()
    response = page.request.post(
        f"{base}/program/sesi/{future.pk}/presensi/",
        form={"csrfmiddlewaretoken": token, f"mark-{enrollment.pk}": "present"},
        headers={"Referer": page.url, "X-CSRFToken": token},
    )
    assert response.status == 400
    assert "presensi dicatat pada hari sesi" in response.text()
    assert not Attendance.objects.filter(session=future).exists()
    assert errors == []
