"""Journey: a Kanwil officer records an MoU with two ring districts, uploads its PDF, and sees it expiring."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from sinergi.accounts.demo import demo_accounts
from sinergi.accounts.models import Organisation
from sinergi.partnerships.models import Agreement, AgreementDocument

pytestmark = pytest.mark.e2e

NUMBER = "MOU-E2E-001"
TITLE = "Pembinaan kemandirian warga binaan di wilayah ring kilang (uji e2e)"
PLACE = "Palembang"
PLAJU, BANYUASIN_I = "16.71.14", "16.07.01"

# A minimal, well-formed one-page PDF.
PDF = (
    b"%PDF-1.4\n"
    b"1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
    b"2 0 obj << /Type /Pages /Kids [3 0 R] /Count 1 >> endobj\n"
    b"3 0 obj << /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >> endobj\n"
    b"trailer << /Root 1 0 R >>\n"
    b"%%EOF\n"
)


def _log_in(page: Any, base_url: str, username: str, password: str) -> None:
    page.goto(f"{base_url}/masuk/")
    page.get_by_label("Nama pengguna").fill(username)
    page.get_by_label("Kata sandi").fill(password)
    page.get_by_role("button", name="Masuk").click()
    page.get_by_test_id("dashboard-title").wait_for()


def _pick_district(page: Any, query: str, code: str) -> None:
    page.locator("#district-picker-q").fill(query)
    button = page.locator(f'#district-picker-results [data-pick-district][data-code="{code}"]')
    button.wait_for()
    button.click()
    page.locator(f'#picked-districts [data-chip="{code}"]').wait_for()


def test_a_kanwil_officer_records_an_mou_with_two_ring_districts_uploads_its_pdf_and_sees_it_on_the_dashboard(
    live_server: Any, reference_data: None, page: Any, tmp_path: Path, settings: Any
) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    account = next(a for a in demo_accounts(reset_passwords=True) if a.username == "demo.kanwil")
    assert account.password
    kanwil = Organisation.objects.get(code="KANWIL-16")
    company = Organisation.objects.get(code="PKP")
    assert company.name == "Pertamina Kilang Plaju"
    today = timezone.localdate()
    start, end = today - dt.timedelta(days=300), today + dt.timedelta(days=45)
    signed = start - dt.timedelta(days=7)

    _log_in(page, live_server.url, account.username, account.password)

    # 1. The form: the agreement, its two parties, and two ring districts from the picker.
    page.goto(f"{live_server.url}/kerja-sama/baru/")
    page.locator("#id_kind").select_option("mou")
    page.locator("#id_number").fill(NUMBER)
    page.locator("#id_title").fill(TITLE)
    page.locator("#id_signed_on").fill(signed.isoformat())
    page.locator("#id_signed_place").fill(PLACE)
    page.locator("#id_start_date").fill(start.isoformat())
    page.locator("#id_end_date").fill(end.isoformat())

    first_org = page.locator("#id_party-0-organisation")
    assert first_org.input_value() == str(kanwil.pk), "the officer's own Kanwil is prefilled as party 1"
    page.locator("#id_party-0-role").select_option("first")
    page.locator("#id_party-0-signatory_name").fill("Andi Contoh")
    page.locator("#id_party-0-signatory_title").fill("Kepala Kantor Wilayah")
    page.locator("#id_party-1-organisation").select_option(str(company.pk))
    page.locator("#id_party-1-role").select_option("second")
    page.locator("#id_party-1-signatory_name").fill("Bayu Contoh")
    page.locator("#id_party-1-signatory_title").fill("General Manager")

    _pick_district(page, "Plaju", PLAJU)
    _pick_district(page, "Banyuasin 1", BANYUASIN_I)
    chips = page.locator("#picked-districts [data-chip]")
    assert chips.count() == 2
    assert page.locator('#picked-districts input[name="focus_districts"]').evaluate_all(
        "inputs => inputs.map(i => i.value)"
    ) == [PLAJU, BANYUASIN_I]

    page.locator("form[method=post]").filter(has=page.locator("#id_number")).locator(
        "button[type=submit]"
    ).click()
    page.wait_for_url(re.compile(r"/kerja-sama/\d+/$"))

    # 2. The detail page: number, both districts with their villages, the timeline.
    agreement = Agreement.objects.get(number=NUMBER)
    assert sorted(agreement.focus_districts.values_list("code", flat=True)) == [BANYUASIN_I, PLAJU]
    assert page.url.endswith(f"/kerja-sama/{agreement.pk}/")
    assert NUMBER in page.locator("main").inner_text()
    assert page.get_by_role("heading", name=TITLE).is_visible()
    areas = page.locator("section[aria-labelledby=sec-areas]")
    areas_text = areas.inner_text()
    for expected in ("Kec. Plaju", PLAJU, "Plaju Ulu", "Kec. Banyuasin I", BANYUASIN_I, "Merah Mata"):
        assert expected in areas_text, (expected, areas_text)
    timeline = page.get_by_test_id("timeline")
    assert timeline.is_visible()
    assert timeline.locator("li").count() == 3, timeline.inner_text()  # signed, comes into force, last day
    assert PLACE in timeline.inner_text()
    parties_text = page.locator("section[aria-labelledby=sec-parties]").inner_text()
    assert kanwil.name in parties_text and company.name in parties_text

    # 3. Upload the signed PDF: it is listed as version 1 with its SHA-256.
    documents = page.locator("section[aria-labelledby=sec-docs]")
    rows = documents.locator("li.list-group-item")
    upload_form = documents.locator("form[enctype='multipart/form-data']")
    assert rows.count() == 0
    pdf = tmp_path / "mou-ditandatangani.pdf"
    pdf.write_bytes(PDF)
    upload_form.locator("#id_file").set_input_files(str(pdf))
    with page.expect_navigation():
        upload_form.locator("button[type=submit]").click()
    rows.first.wait_for()
    assert rows.count() == 1
    row_text = rows.first.inner_text()
    assert "SHA-256" in row_text, row_text
    assert hashlib.sha256(PDF).hexdigest() in row_text, row_text
    assert re.search(r"\b(versi|version) 1\b", row_text), row_text
    assert AgreementDocument.objects.filter(agreement=agreement).count() == 1

    # 4. A text file renamed .pdf is refused by its content: an error, and no second document row.
    fake = tmp_path / "catatan.pdf"
    fake.write_bytes(b"Ini hanya catatan teks, bukan PDF.\n")
    upload_form.locator("#id_file").set_input_files(str(fake))
    with page.expect_navigation():
        upload_form.locator("button[type=submit]").click()
    error = page.locator(".alert-danger[role=alert]")
    error.first.wait_for()
    assert "catatan.pdf" in error.first.inner_text()
    assert rows.count() == 1
    assert AgreementDocument.objects.filter(agreement=agreement).count() == 1

    # 5. The dashboard lists it among the agreements ending within 90 days.
    page.goto(f"{live_server.url}/")
    expiring = page.get_by_test_id("expiring-agreements")
    expiring.wait_for()
    assert expiring.get_by_role("link", name=NUMBER).is_visible(), expiring.inner_text()
