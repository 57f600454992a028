"""The joint periodic report: PDF and XLSX opened and checked, one page rendered, the CLI, rights."""

from __future__ import annotations

import io
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from openpyxl import load_workbook

from sinergi.accounts.choices import Role
from sinergi.audit.models import AuditEvent
from sinergi.core.errors import ApplicationError, ForbiddenError, NotFoundError
from sinergi.reports import joint, services
from sinergi.reports.models import JointReport
from tests.authz import World
from tests.reports.conftest import report_2022

pytestmark = pytest.mark.django_db

START, END = "2022-01-01", "2022-12-31"


def _pdf_text(path: Path) -> str:
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    return subprocess.run(  # noqa: S603 - fixed arguments
        ["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True, text=True
    ).stdout


def test_the_pdf_has_every_section_and_the_figures(delivered: dict[str, Any], tmp_path: Path) -> None:
    output = tmp_path / "laporan.pdf"
    out = io.StringIO()
    call_command(
        "report",
        agreement=delivered["mou"].pk,
        start=START,
        end=END,
        fmt="pdf",
        lang="en",
        output=str(output),
        stdout=out,
    )
    assert output.read_bytes().startswith(b"%PDF-")
    assert "SHA-256" in out.getvalue()
    text = _pdf_text(output)
    for title in (
        "The agreement",
        "Programs, pillar and SDGs",
        "Participants and the funnel",
        "Delivery",
        "Certificates",
        "Releases and aftercare",
        "Outcomes and the independence index",
        "Recidivism",
        "Finance",
        "SROI with sensitivity",
        "Community satisfaction index",
        "Notes",
        "Signatures",
    ):
        assert title in text, title
    assert "MOU-PROG" in text and "Economic" in text
    assert "Enrolled" in text and "Menjahit" in text
    assert "No budget recorded for these programs." in text
    assert AuditEvent.objects.filter(action="report.generate").exists()


def test_one_pdf_page_rendered_to_png_is_not_blank(delivered: dict[str, Any], tmp_path: Path) -> None:
    if shutil.which("pdftoppm") is None:
        pytest.skip("pdftoppm (poppler-utils) is not installed")
    from PIL import Image

    output = tmp_path / "laporan.pdf"
    call_command(
        "report", program=delivered["program"].pk, start=START, end=END, fmt="pdf", output=str(output)
    )
    subprocess.run(  # noqa: S603 - fixed arguments
        ["pdftoppm", "-png", "-r", "40", "-f", "1", "-l", "1", str(output), str(tmp_path / "page")],
        check=True,
    )
    page = next(tmp_path.glob("page*.png"))
    image = Image.open(page).convert("L")
    dark = sum(image.histogram()[:200])  # pixels darker than 200 of 255
    assert dark > 0.01 * image.width * image.height


def test_the_indonesian_pdf_is_in_indonesian(delivered: dict[str, Any], tmp_path: Path) -> None:
    output = tmp_path / "laporan.pdf"
    call_command("report", agreement=delivered["mou"].pk, start=START, end=END, fmt="pdf", output=str(output))
    text = _pdf_text(output)
    assert "Laporan Pelaksanaan Kerja Sama" in text
    assert "Tanda tangan" in text


def test_the_xlsx_has_one_sheet_per_section_and_a_pseudonymised_data_sheet(
    delivered: dict[str, Any], tmp_path: Path
) -> None:
    output = tmp_path / "laporan.xlsx"
    call_command(
        "report",
        agreement=delivered["mou"].pk,
        start=START,
        end=END,
        fmt="xlsx",
        lang="en",
        output=str(output),
    )
    book = load_workbook(output, read_only=True)
    names = book.sheetnames
    assert len(names) == 1 + len(joint.SECTION_KEYS) + 1
    assert names[1] == "1. Agreement" and names[-1] == "Data (pseudonymised)"
    funnel = [row for row in book[names[3]].iter_rows(values_only=True)]
    assert ("Enrolled", 3) in [(r[0], r[1]) for r in funnel if r and len(r) > 1]
    data = list(book[names[-1]].iter_rows(values_only=True))
    assert data[0][0] == "Pseudonym" and len(data) == 4
    assert all(str(row[0]).startswith("P-") for row in data[1:])
    flat = " ".join(str(v) for row in data for v in row)
    assert "Peserta 0" not in flat


def test_an_empty_period_is_a_report_that_says_so(delivered: dict[str, Any], tmp_path: Path) -> None:
    output = tmp_path / "kosong.pdf"
    call_command(
        "report",
        agreement=delivered["mou"].pk,
        start="2030-01-01",
        end="2030-02-01",
        fmt="pdf",
        lang="en",
        output=str(output),
    )
    text = _pdf_text(output)
    assert "No participants in this period." in text
    assert "No sessions held in this period." in text


def test_the_command_refuses_a_reversed_period_and_a_missing_agreement(
    delivered: dict[str, Any], tmp_path: Path
) -> None:
    output = tmp_path / "x.pdf"
    with pytest.raises(CommandError, match="swap the two dates|tukar"):
        call_command(
            "report", agreement=delivered["mou"].pk, start=END, end=START, fmt="pdf", output=str(output)
        )
    with pytest.raises(CommandError, match="999999"):
        call_command("report", agreement=999999, start=START, end=END, fmt="pdf", output=str(output))
    with pytest.raises(CommandError, match="bukan tanggal: tulis sebagai TTTT-BB-HH"):
        call_command("report", agreement=1, start="1/1/2022", end=END, fmt="pdf", output=str(output))
    assert not output.exists()


def test_a_missing_pango_gives_a_clear_message(delivered: dict[str, Any], monkeypatch: Any) -> None:
    import builtins

    real_import = builtins.__import__

    def failing(name: str, *args: Any, **kwargs: Any) -> Any:
        if name == "weasyprint":
            raise OSError("cannot load library 'libpango-1.0-0'")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", failing)
    content = report_2022(None, agreement=delivered["mou"])
    with pytest.raises(ApplicationError, match="libpango-1.0-0 libpangoft2-1.0-0"):
        joint.render_pdf(content)


def test_the_web_report_runs_as_a_job_and_is_kept_with_its_checksum(
    delivered: dict[str, Any], world: World, django_capture_on_commit_callbacks: Any
) -> None:
    client = Client()
    client.force_login(world.users[Role.CSR_OFFICER])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/laporan/kerja-sama/baru/",
            {"agreement": delivered["mou"].pk, "start": START, "end": END, "fmt": "xlsx", "language": "id"},
        )
    assert response.status_code == 302
    report = JointReport.objects.get()
    assert report.params["format"] == "xlsx" and report.job is not None
    report.refresh_from_db()
    report.job.refresh_from_db()
    assert report.job.status == "succeeded", report.job.error
    assert len(report.checksum) == 64 and report.size > 0
    detail = client.get(f"/laporan/kerja-sama/{report.pk}/")
    assert report.checksum in detail.content.decode()
    download = client.get(f"/laporan/kerja-sama/{report.pk}/unduh/")
    body = b"".join(download.streaming_content)
    import hashlib

    assert hashlib.sha256(body).hexdigest() == report.checksum
    book = load_workbook(io.BytesIO(body), read_only=True)
    funnel = list(book[book.sheetnames[3]].iter_rows(values_only=True))
    assert ("Terdaftar", "<5") in [(r[0], r[1]) for r in funnel if r and len(r) > 1]  # suppressed for TJSL
    # Finding (rfix 5b): the download is audited with the data sheet's rows (a row per participant), not 1.
    # Here the TJSL officer's report counts 3 participants, so its data sheet has only the note that says
    # why it has no rows (tests/reports/test_joint_data_sheet.py): 0 rows disclosed.
    data_sheet = list(book[book.sheetnames[-1]].iter_rows(values_only=True))
    event = AuditEvent.objects.filter(action="report.export").latest("seq")
    assert len(data_sheet) == 2 and event.changes["count"] == 0
    assert "data_rows" not in event.changes["filters"]
    # Someone else's report is not found; a reversed period is refused on the form.
    other = Client()
    other.force_login(world.users[Role.KANWIL_OFFICER])
    assert other.get(f"/laporan/kerja-sama/{report.pk}/").status_code == 404
    refused = client.post(
        "/laporan/kerja-sama/baru/",
        {"agreement": delivered["mou"].pk, "start": END, "end": START, "fmt": "pdf", "language": "en"},
    )
    assert refused.status_code == 200 and JointReport.objects.count() == 1


def test_no_rights_and_no_agreement_are_refused(delivered: dict[str, Any], world: World) -> None:
    import datetime as dt

    start, end = dt.date(2022, 1, 1), dt.date(2022, 12, 31)
    with pytest.raises(ForbiddenError):
        services.report_request(
            actor=world.others[Role.CSR_OFFICER],
            agreement_id=delivered["mou"].pk,
            start=start,
            end=end,
            fmt="pdf",
            language="id",
        )
    with pytest.raises(NotFoundError):
        services.report_request(
            actor=world.users[Role.ADMIN], agreement_id=987654, start=start, end=end, fmt="pdf", language="id"
        )
    with pytest.raises(ApplicationError, match="swap|tukar"):
        services.report_request(
            actor=world.users[Role.ADMIN],
            agreement_id=delivered["mou"].pk,
            start=end,
            end=start,
            fmt="pdf",
            language="id",
        )


@pytest.mark.parametrize("subject", ["agreement", "program"])
def test_a_missing_subject_is_refused_as_someone_elses(
    subject: str, delivered: dict[str, Any], world: World
) -> None:
    """Finding (rfix 5c): a missing agreement or program gave 404 "does not exist" and someone else's 403,
    so a user without rights could tell which ids exist. Both now give the same 403."""
    others = {"agreement": delivered["mou"].pk, "program": delivered["program"].pk}
    client = Client()
    client.force_login(world.others[Role.KANWIL_OFFICER])
    form = {"start": START, "end": END, "fmt": "pdf", "language": "id"}
    theirs = client.post("/laporan/kerja-sama/baru/", form | {subject: others[subject]})
    missing = client.post("/laporan/kerja-sama/baru/", form | {subject: 987654})
    assert theirs.status_code == missing.status_code == 403
    assert b"987654" not in missing.content
    assert missing.content.count(b"Kanwil") == theirs.content.count(b"Kanwil") > 0  # the same NO_RIGHTS text


def test_the_same_chart_is_on_the_page_and_in_the_pdf(delivered: dict[str, Any], world: World) -> None:
    """One renderer: the dashboard's funnel and the report's are the same SVG for the same selection, and
    the report's HTML (what WeasyPrint prints) carries it as it is. Small cells stay suppressed in both.
    (A TJSL officer's report draws only the steps that count its agreement, not the whole scope's; their
    dashboard filtered to the agreement and period leaves out the same steps, which they may not list,
    tests/reports/test_cross_view.py.)"""

    officer = world.users[Role.CSR_OFFICER]
    mou = delivered["mou"]
    client = Client()
    client.force_login(officer)
    page = client.get("/", {"agreement": mou.pk, "start": START, "end": END}, HTTP_ACCEPT_LANGUAGE="id")
    assert page.status_code == 200
    on_page = page.context["charts"]["funnel"]
    content = report_2022(officer, agreement=mou, language=page.context["LANGUAGE_CODE"])
    participants = next(s for s in content.sections if s.key == "participants")
    in_report = participants.charts[0]
    assert in_report == on_page and in_report.startswith("<svg")
    assert str(on_page) in page.content.decode() and str(in_report) in joint.render_html(content)
    # Three enrolled people: shown as "<5" to a TJSL officer, never as 3.
    assert ["Terdaftar", "<5"] in in_report.rows and "&lt;5" in in_report
    assert not any(row[1] == "3" for row in in_report.rows)


@pytest.mark.parametrize(("language", "separator"), [("id", ","), ("en", ".")])
def test_the_attendance_rates_are_written_in_the_reports_language(
    delivered: dict[str, Any], world: World, language: str, separator: str
) -> None:
    """The delivery table wrote "89.9%" in an Indonesian report (seen in the demo's report): a rate is
    written with the report language's decimal separator, as the recidivism rates are."""

    content = report_2022(world.users[Role.KANWIL_OFFICER], agreement=delivered["mou"], language=language)
    delivery = next(s for s in content.sections if s.key == "delivery")
    rates = [row[2] for row in delivery.tables[0].rows if row[2] != "—"]
    assert rates
    for rate in rates:
        assert rate.endswith("%") and separator in rate, rate
        assert ("." if separator == "," else ",") not in rate, rate


def test_writing_a_pdf_prints_no_font_warnings(
    delivered: dict[str, Any], tmp_path: Path, caplog: Any
) -> None:
    """`sinergi report --format pdf` printed "WARNING fontTools.subset: FFTM NOT subset" lines, nothing a
    user can act on; the font library's warnings are not logged."""
    import logging

    with caplog.at_level(logging.WARNING):
        call_command(
            "report",
            agreement=delivered["mou"].pk,
            start=START,
            end=END,
            fmt="pdf",
            output=str(tmp_path / "r.pdf"),
        )
    assert not [r.getMessage() for r in caplog.records if r.name.startswith("fontTools")]


def test_the_realisation_percentage_is_rounded_on_the_dashboard_and_in_the_report(
    delivered: dict[str, Any], world: World
) -> None:
    """A third of the budget spent showed as 33,33333333333333333333333333333333333333 on the dashboard and in
    the report (seen in the demo's report): one decimal, the language's separator."""

    from tests.impact.conftest import line, spend

    setting = delivered | {"tjsl": world.users[Role.CSR_OFFICER]}
    budget_line = line(setting, amount=3_000_000)
    spend(setting, budget_line, 1_000_000, actor=None)
    admin = world.users[Role.ADMIN]
    client = Client()
    client.force_login(admin)
    page = client.get("/", HTTP_ACCEPT_LANGUAGE="id").content.decode()
    assert "33,3%" in page and "33333" not in page
    content = report_2022(admin, agreement=delivered["mou"], language="id")
    finance = next(s for s in content.sections if s.key == "finance")
    assert finance.tables[0].rows[0][3] == "33,3%"
    assert "e+0" not in finance.charts[0]  # the money axis: "1 jt", not matplotlib's "1e+06"
    assert " jt<" in finance.charts[0] or " jt</text>" in finance.charts[0]
