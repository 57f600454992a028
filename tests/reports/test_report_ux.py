"""The joint report as a new user read it on the demo (4 December, night), each finding as they saw it.

1. A TJSL officer's report of an agreement is the company's restricted version (masked, whole-scope
   sections, consent only); its cover and pages did not say so, and both parties were invited to sign it.
2. A TJSL officer's report of one program put whole-scope figures beside the program's own zeros, unlabelled.
3. The report's XLSX stored percentages and ratios as text, rupiah without a number format, and cut its
   sheet names at 31 characters mid-word.
4. "Deadweight" and "Drop-off" were shown raw in Indonesian, the command's date message was in English, and
   the report wrote "02:26" where Indonesian writes "02.26".
5. The funnel read as one chain, while "released" is not a part of "certified" (it counts every participant
   released, certified or not).
"""

from __future__ import annotations

import datetime as dt
import io
import re
import shutil
import subprocess
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import timezone, translation
from openpyxl import load_workbook

from sinergi.accounts.choices import Role
from sinergi.impact import figures as impact_figures
from sinergi.reports import dashboards, joint
from tests import people
from tests.authz import World
from tests.factories import UnitFactory
from tests.impact.conftest import impact as impact  # noqa: F401  (the fixture)
from tests.programs.conftest import make_program
from tests.reports.conftest import report_2022

pytestmark = pytest.mark.django_db


def _section(content: joint.Content, key: str) -> joint.Section:
    return next(s for s in content.sections if s.key == key)


def _pdf_pages(data: bytes, tmp_path: Path) -> list[str]:
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    path = tmp_path / "laporan.pdf"
    path.write_bytes(data)
    text = subprocess.run(  # noqa: S603 - fixed arguments
        ["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True, text=True
    ).stdout
    return [page for page in text.split("\f") if page.strip()]


def _flat(text: str) -> str:
    return re.sub(r"\s+", " ", text)


# --- 1. The company's restricted version --------------------------------------------------------------------


def test_a_tjsl_officers_report_says_on_its_cover_and_every_page_that_it_is_the_restricted_version(
    world: World, impact: dict[str, Any], tmp_path: Path
) -> None:
    tjsl = report_2022(world.users[Role.CSR_OFFICER], agreement=impact["mou"], language="id")
    assert tjsl.restricted
    assert tjsl.version_note.startswith("Versi terbatas untuk perusahaan")
    assert "versi lengkap" in tjsl.version_note  # the signed report is the full one
    pages = _pdf_pages(joint.render_pdf(tjsl), tmp_path)
    assert len(pages) > 1
    assert "Versi terbatas untuk perusahaan" in _flat(pages[0]).split("Periode")[1]  # on the cover
    for page in pages:  # and in every page's footer
        assert "Versi terbatas untuk perusahaan, bukan laporan yang ditandatangani" in _flat(page)
    # Not invited to sign: no signatories, no blank signature lines, a sentence that says who signs what.
    assert tjsl.signatories == []
    signatures = _section(tjsl, "signatures")
    assert signatures.text == [str(joint.RESTRICTED_SIGNATURES)]
    with translation.override("id"):
        assert "menandatangani versi lengkap" in str(joint.RESTRICTED_SIGNATURES)
    assert 'class="signature"' not in joint.render_html(tjsl)

    english = report_2022(world.users[Role.CSR_OFFICER], agreement=impact["mou"], language="en")
    assert english.version_note.startswith("Restricted version for the company")
    html = joint.render_html(english)
    assert "Restricted version for the company, not the signed report" in html


def test_a_tjsl_officer_reads_before_asking_that_their_report_is_the_restricted_version(world: World) -> None:
    pages = {}
    for role in (Role.CSR_OFFICER, Role.KANWIL_OFFICER):
        client = Client()
        client.force_login(world.users[role])
        pages[role] = client.get("/laporan/kerja-sama/baru/").content.decode()
    assert 'data-testid="report-restricted"' in pages[Role.CSR_OFFICER]
    assert "Versi terbatas untuk perusahaan" in pages[Role.CSR_OFFICER]
    assert 'data-testid="report-restricted"' not in pages[Role.KANWIL_OFFICER]


def test_the_kanwil_officers_report_says_it_is_the_full_version_both_parties_sign(
    world: World, impact: dict[str, Any]
) -> None:
    kanwil = report_2022(world.users[Role.KANWIL_OFFICER], agreement=impact["mou"], language="id")
    assert not kanwil.restricted
    assert kanwil.version_note.startswith("Versi lengkap")
    html = joint.render_html(kanwil)
    assert "Versi lengkap, untuk ditandatangani" in html
    assert len(kanwil.signatories) == 2 and html.count('class="signature"') == 2


# --- 2. Every section of a program's report follows the program, or says it cannot --------------------------


def test_a_tjsl_officers_program_report_labels_every_figure_not_limited_to_the_program(
    world: World, impact: dict[str, Any]
) -> None:
    # Six participants released from another program of the MoU; none in the program reported on.
    group = people.own_cohort(world, make_program(impact["mou"], "Program Kedua"), "Angkatan X")
    bapas = UnitFactory(unit_kind="bapas", name="Bapas Palembang")
    for i in range(6):
        people.participant(group, f"X{i}", shares=True, bapas=bapas, released_on=dt.date(2022, 1, 1))
    content = report_2022(world.users[Role.CSR_OFFICER], program=impact["program"])
    titles = {s.key: s.title for s in content.sections}
    for key in ("releases", "outcomes", "recidivism"):
        assert titles[key].endswith("(whole scope)"), titles[key]
    assert titles["participants"].endswith("(partly whole scope)")
    for key in ("agreement", "programs", "delivery", "certificates", "finance", "sroi", "ikm"):
        assert "whole scope" not in titles[key]
    participants = _section(content, "participants")
    funnel = next(t for t in participants.tables if t.header[0] == "Stage")
    assert funnel.header[2] == "Counted over"
    over = {str(row[0]): row[2] for row in funnel.rows}
    assert over["Enrolled"] == over["Completed"] == over["Certified"] == "this program"
    assert (
        over["Screened"]
        == over["Released (of everyone enrolled)"]
        == over["In work or business"]
        == ("whole scope")
    )
    headers = {str(t.header[0]): str(t.header[-1]) for t in participants.tables}
    assert headers["Sex"] == headers["Age band"] == "People, whole scope"
    assert headers["Unit"] == headers["Ring area"] == "People, this program"
    for key in ("releases", "outcomes"):
        assert all(str(t.header[-1]).endswith("whole scope") for t in _section(content, key).tables)

    # The Kanwil's report counts the program in every section: no label.
    kanwil = report_2022(world.users[Role.KANWIL_OFFICER], program=impact["program"])
    assert not any("whole scope" in s.title for s in kanwil.sections)
    assert all(len(t.header) == 2 for t in _section(kanwil, "participants").tables)


# --- 3. The XLSX: numbers as numbers, masked cells as text with a note, whole sheet names -------------------


def _content(language: str, sections: list[joint.Section]) -> joint.Content:
    return joint.Content(
        title="Laporan",
        subject="Program Uji",
        start=dt.date(2022, 1, 1),
        end=dt.date(2022, 12, 31),
        language=language,
        generated_at=dt.datetime(2026, 12, 4, 2, 26, tzinfo=timezone.get_current_timezone()),
        sections=sections,
        signatories=[],
        data_header=["Pseudonim"],
        data_rows=[],
        suppressed=True,
        restricted=True,
    )


def test_the_xlsx_stores_percentages_rupiah_and_ratios_as_numbers_and_marks_as_text_with_a_note() -> None:
    section = joint.Section(
        "finance",
        "Keuangan",
        tables=[
            joint.Table(
                ["Item", "Nilai"],
                [
                    ["Realisasi (%)", joint.Number(Decimal("0.255"), "percent")],
                    ["Anggaran (Rp)", joint.Number(12_500_000, "rupiah")],
                    ["Rasio SROI", joint.Number(Decimal("2.31"), "ratio")],
                    ["Peserta", 12],
                    ["Bebas", "<5"],
                    ["Selesai", "×"],
                ],
            )
        ],
    )
    book = load_workbook(io.BytesIO(joint.render_xlsx(_content("id", [section]))))
    sheet = book[book.sheetnames[1]]
    cells = {row[0].value: row[1] for row in sheet.iter_rows(min_row=2) if len(row) > 1 and row[0].value}
    percent, rupiah, ratio = cells["Realisasi (%)"], cells["Anggaran (Rp)"], cells["Rasio SROI"]
    assert (percent.data_type, percent.value, percent.number_format) == ("n", 0.255, "0.0%")
    assert (rupiah.data_type, rupiah.value, rupiah.number_format) == ("n", 12_500_000, '"Rp" #,##0')
    assert (ratio.data_type, ratio.value, ratio.number_format) == ("n", 2.31, "0.00")
    assert cells["Peserta"].data_type == "n" and cells["Peserta"].value == 12
    for mark in ("Bebas", "Selesai"):
        cell = cells[mark]
        assert cell.data_type == "s" and cell.comment is not None
    assert "kurang dari lima orang" in cells["Bebas"].comment.text
    assert "ikut disembunyikan" in cells["Selesai"].comment.text
    # The PDF writes the same numbers as text in the report's language.
    html = joint.render_html(_content("id", [section]))
    assert "25,5%" in html and "12.500.000" in html and "2,31 : 1" in html


@pytest.mark.parametrize("language", ["id", "en"])
def test_the_xlsx_sheets_have_short_whole_unique_names(delivered: dict[str, Any], language: str) -> None:
    from tests.impact.conftest import line

    line(delivered)  # a budget: the finance section has rupiah and a percentage
    content = report_2022(None, agreement=delivered["mou"], language=language)
    book = load_workbook(io.BytesIO(joint.render_xlsx(content)))
    names = book.sheetnames
    with translation.override(language):
        expected = [
            str(joint.SHEET_NAMES["cover"]),
            *(joint.sheet_name(n, key) for n, key in enumerate(joint.SECTION_KEYS, start=1)),
            str(joint.SHEET_NAMES["data"]),
        ]
    assert names == expected  # written whole: none was cut to fit
    assert len(set(names)) == len(names) and all(len(name) <= 31 for name in names)
    if language == "id":
        assert names[1:4] == ["1. Kerja sama", "2. Program", "3. Peserta"]
    delivery = book[names[4]]
    rates = [row[2] for row in delivery.iter_rows(min_row=3) if len(row) > 2 and row[2].value is not None]
    assert rates and all(c.data_type == "n" and c.number_format == "0.0%" for c in rates[1:])
    finance = list(book[names[9]].iter_rows(min_row=3))
    budget = next(row for row in finance if row[0].value == delivered["program"].name)
    assert budget[1].data_type == "n" and budget[1].value == 1_000_000
    assert budget[1].number_format == '"Rp" #,##0' and budget[3].number_format == "0.0%"


# --- 4. Indonesian words and times --------------------------------------------------------------------------


def test_the_sroi_terms_are_explained_in_indonesian() -> None:
    with translation.override("id"):
        deadweight = str(impact_figures.FIELD_LABELS["deadweight"])
        drop_off = str(impact_figures.FIELD_LABELS["drop_off"])
        displacement = str(impact_figures.FIELD_LABELS["displacement"])
    assert deadweight == "Deadweight (yang tetap terjadi tanpa program)"
    assert drop_off == "Drop-off (penurunan dampak per tahun)"
    assert displacement.startswith("Displacement (") and displacement != "Displacement"


def test_the_report_commands_date_message_is_in_indonesian(tmp_path: Path) -> None:
    with pytest.raises(CommandError) as error:
        call_command(
            "report",
            agreement=1,
            start="2022-13-01",
            end="2022-12-31",
            fmt="pdf",
            output=str(tmp_path / "x.pdf"),
        )
    assert str(error.value) == (
        "--from “2022-13-01” bukan tanggal: tulis sebagai TTTT-BB-HH, misalnya 2022-12-31."
    )


def test_the_report_writes_times_as_indonesian_does() -> None:
    content = _content("id", [])
    html = joint.render_html(content)
    assert "4 Desember 2026 02.26" in html and "02:26" not in html
    book = load_workbook(io.BytesIO(joint.render_xlsx(content)))
    cover = [cell for row in book[book.sheetnames[0]].iter_rows(values_only=True) for cell in row if cell]
    assert "4 Desember 2026 02.26" in cover
    assert "4 December 2026 02:26" in joint.render_html(_content("en", []))


# --- 5. The funnel's steps after release are a chain of their own -------------------------------------------


def test_the_funnel_shows_the_steps_after_release_apart_from_certified(
    delivered: dict[str, Any], world: World
) -> None:
    client = Client()
    client.force_login(world.users[Role.ADMIN])
    page = client.get("/").content.decode()
    table = page[page.index('data-testid="funnel"') :]
    table = table[: table.index("</table>")]
    certified, branch, released = (
        table.index("Bersertifikat"),
        table.index('data-testid="funnel-branch"'),
        table.index("Bebas (dari semua peserta)"),
    )
    assert certified < branch < released
    assert "Setelah bebas: dari semua peserta, bersertifikat atau tidak" in table
    assert 'data-testid="funnel-branch-note"' in page

    content = report_2022(world.users[Role.ADMIN], agreement=delivered["mou"])
    participants = _section(content, "participants")
    with translation.override("en"):
        assert str(dashboards.FUNNEL_BRANCH_NOTE) in participants.text
    stages = [str(row[0]) for row in participants.tables[0].rows]
    assert "Released (of everyone enrolled)" in stages and "Released" not in stages
