"""Journey: an administrator opens the dashboard, filters it, follows a number to the list it counts, and
generates the joint report (PDF) in the background. With SINERGI_SCREENSHOTS=1 it also refreshes the
README's screenshots in docs/screenshots/."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from sinergi.accounts.choices import Role
from sinergi.reports.models import JointReport
from tests.authz import World
from tests.reports.conftest import delivered as delivered  # noqa: F401  (fixtures)
from tests.reports.conftest import setting as setting  # noqa: F401

pytestmark = pytest.mark.e2e

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
PASSWORD = "Laporan-uji-2022!"


def _shoot(page: Any, name: str) -> None:
    if os.environ.get("SINERGI_SCREENSHOTS") == "1":
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / name), full_page=True)


def test_dashboard_filter_number_to_list_and_joint_report(
    live_server: Any, reference_data: None, world: World, delivered: dict[str, Any], page: Any, tmp_path: Path
) -> None:
    admin = world.users[Role.ADMIN]
    admin.set_password(PASSWORD)
    admin.save()
    page.goto(f"{live_server.url}/masuk/")
    page.get_by_label("Nama pengguna").fill(admin.username)
    page.get_by_label("Kata sandi").fill(PASSWORD)
    page.get_by_role("button", name="Masuk").click()
    page.get_by_test_id("figures").wait_for()
    assert page.locator("svg.chart").count() >= 3

    # Filter: the program, and a period around its cohort.
    form = page.get_by_test_id("figure-filter")
    form.get_by_label("Program").select_option(label="Program Uji")
    form.get_by_label("Periode dari").fill("2022-01-01")
    form.get_by_label("Periode sampai").fill("2022-12-31")
    form.get_by_role("button", name="Terapkan").click()
    page.wait_for_url(re.compile(r".*program=\d+.*"))
    assert page.get_by_test_id("reached-total").inner_text().strip() == "3"
    _shoot(page, "reports-dashboard.png")

    # Follow a number to the list it counts.
    funnel = page.get_by_test_id("funnel")
    enrolled = funnel.locator("tr", has_text="Terdaftar").get_by_test_id("figure-link")
    assert enrolled.inner_text().strip() == "3"
    enrolled.click()
    page.get_by_test_id("figure-list").wait_for()
    assert page.get_by_test_id("list-count").inner_text().strip() == "3"
    assert page.get_by_test_id("figure-list").locator("tbody tr").count() == 3

    # And a ring district's number (people reached by ring area) to its list.
    page.go_back()
    page.get_by_test_id("figures").wait_for()
    plaju = page.get_by_test_id("reached-ring").locator("tr", has_text="Plaju").get_by_test_id("figure-link")
    assert plaju.inner_text().strip() == "3"
    plaju.click()
    page.get_by_test_id("figure-list").wait_for()
    assert page.get_by_test_id("list-count").inner_text().strip() == "3"

    # Generate the joint report.
    page.goto(f"{live_server.url}/")
    page.get_by_role("link", name="Laporan bersama").click()
    report_form = page.get_by_test_id("report-form")
    report_form.get_by_test_id("report-agreement").select_option(str(delivered["mou"].pk))
    report_form.get_by_test_id("report-start").fill("2022-01-01")
    report_form.get_by_test_id("report-end").fill("2022-12-31")
    report_form.get_by_test_id("report-fmt").select_option("pdf")
    report_form.get_by_test_id("report-submit").click()
    download = page.get_by_test_id("report-download")
    download.wait_for(timeout=60000)
    report = JointReport.objects.get()
    assert report.checksum in page.get_by_test_id("report-status").inner_text()
    with page.expect_download() as info:
        download.click()
    saved = tmp_path / "laporan.pdf"
    info.value.save_as(saved)
    assert saved.read_bytes().startswith(b"%PDF-")
    if os.environ.get("SINERGI_SCREENSHOTS") == "1" and shutil.which("pdftoppm"):
        subprocess.run(  # noqa: S603 - fixed arguments
            [
                "pdftoppm",
                "-png",
                "-r",
                "70",
                "-f",
                "1",
                "-l",
                "2",
                str(saved),
                str(SCREENSHOTS / "joint-report"),
            ],
            check=True,
        )
