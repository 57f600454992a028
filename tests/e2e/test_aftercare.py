"""Journey on a phone: the PK opens "Klien saya", records a mandatory report and the 6-month follow-up, and
sees the independence index change."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.utils import timezone

from sinergi.accounts.demo import demo_accounts
from sinergi.accounts.models import Organisation, User
from sinergi.aftercare import services
from sinergi.aftercare.models import IndexScore, Report
from sinergi.beneficiaries.services import person_create
from sinergi.regions.models import District, Regency

pytestmark = pytest.mark.e2e

PHONE = {"width": 390, "height": 844}
CLIENT = "Joko Klien Uji"


def _case(today: dt.date) -> Any:
    """A PB client released 200 days ago, assigned to demo.bapas, whose 3-month follow-up scored 15."""
    unit = Organisation.objects.get(code="LAPAS-PLG-I")
    person = person_create(
        actor=None,
        data={
            "full_name": CLIENT,
            "sex": "L",
            "birth_date": dt.date(1991, 3, 9),
            "domicile_district": District.objects.get(code="16.71.14"),
            "offence_category": "Pencurian",
        },
        episode={
            "unit": unit,
            "registration_number": "E2E-AC-1",
            "status": "klien",
            "start_date": today - dt.timedelta(days=700),
            "sentence_years": 4,
            "sentence_months": 0,
            "sentence_days": 0,
            "remission_days": 0,
            "release_date": None,
        },
    )
    released = today - dt.timedelta(days=200)
    case = services.case_open(
        actor=None, person=person, episode=person.episodes.get(), released_on=released, kind="pb"
    )
    pk = User.objects.get(username="demo.bapas")
    services.case_assign(actor=None, case=case, pk_officer=pk, version=case.version)
    services.wage_set(
        actor=None, regency=Regency.objects.get(code="16.71"), year=today.year, amount=3_000_000, is_demo=True
    )
    services.followup_record(
        actor=pk,
        case=case,
        milestone=3,
        data={
            "done_on": released + dt.timedelta(days=95),
            "contacted": True,
            "work_status": "not_working",
            "monthly_income": 0,
            "housing": "unstable",
            "family_support": False,
        },
    )
    return case


def test_a_pk_records_a_report_and_the_6_month_followup_on_a_phone_and_the_index_rises(
    live_server: Any, reference_data: None, browser: Any
) -> None:
    passwords = {a.username: a.password for a in demo_accounts(reset_passwords=True)}
    today = timezone.localdate()
    case = _case(today)
    assert IndexScore.objects.get(case=case).score == 15
    context = browser.new_context(
        locale="id-ID", viewport=PHONE, device_scale_factor=3, is_mobile=True, has_touch=True
    )
    try:
        page = context.new_page()
        page.set_default_timeout(15000)
        base = live_server.url
        page.goto(f"{base}/masuk/")
        page.get_by_label("Nama pengguna").fill("demo.bapas")
        page.get_by_label("Kata sandi").fill(passwords["demo.bapas"])
        page.get_by_role("button", name="Masuk").click()
        page.get_by_test_id("dashboard-title").wait_for()

        # 1. The caseload: the client is there, with what is due.
        page.goto(f"{base}/pembimbingan/")
        page.get_by_role("link", name="Klien saya").tap()
        page.wait_for_url(re.compile(r"/pembimbingan/klien-saya/$"))
        item = page.get_by_test_id("caseload-item").filter(has_text=CLIENT)
        assert "terlewat" in item.inner_text()
        item.tap()
        page.wait_for_url(re.compile(rf"/pembimbingan/{case.pk}/$"))
        assert page.get_by_test_id("index-score").inner_text() == "15"

        # 2. The mandatory report of today, in person.
        form = page.get_by_test_id("report-form")
        form.get_by_label("Tanggal lapor").fill(today.isoformat())
        form.get_by_label("Cara").select_option("in_person")
        form.get_by_role("button", name="Catat laporan").tap()
        page.get_by_text("Wajib lapor sudah dicatat.").wait_for()
        assert Report.objects.filter(case=case, reported_on=today).exists()

        # 3. The 6-month follow-up, in one screen.
        page.get_by_test_id("followups").locator("a[href$='/pemantauan/6/']").tap()
        page.wait_for_url(re.compile(rf"/pembimbingan/{case.pk}/pemantauan/6/$"))
        followup = page.get_by_test_id("followup-form")
        followup.get_by_label("Tanggal pemantauan").fill(today.isoformat())
        followup.get_by_label("Pekerjaan", exact=True).select_option("employed")
        followup.get_by_label("Pemberi kerja atau jenis usaha").fill("Bengkel las Plaju")
        followup.get_by_label("Penghasilan per bulan (Rp)").fill("3500000")
        followup.get_by_label("Tempat tinggal").select_option("family")
        followup.get_by_label("Dukungan keluarga").select_option("1")
        followup.get_by_role("button", name="Simpan pemantauan").tap()
        page.wait_for_url(re.compile(rf"/pembimbingan/{case.pk}/$"))

        # 4. The index rose: work with income above the UMK, family housing and support, no re-offence.
        assert page.get_by_test_id("index-score").inner_text() == "85"
        assert page.get_by_test_id("index-history").locator("li").count() == 2
    finally:
        context.close()
