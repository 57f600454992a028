"""Journeys (issue 15): each role logs in through the real login page and reaches its main task.

A failed journey leaves a full-page screenshot in `$E2E_ARTIFACTS` (default `var/e2e-artifacts`), which CI
keeps as an artefact. The monitor's journey runs on a phone-sized screen.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from sinergi.accounts.choices import Role
from sinergi.accounts.demo import demo_accounts

pytestmark = pytest.mark.e2e

ARTIFACTS = Path(
    os.environ.get("E2E_ARTIFACTS", Path(__file__).resolve().parents[2] / "var" / "e2e-artifacts")
)
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}

# role -> (where the main task lives, text that page must show, viewport)
JOURNEYS: dict[str, tuple[str, str, dict[str, int]]] = {
    Role.ADMIN: ("/pengguna/", "demo.admin", DESKTOP),
    Role.KANWIL_OFFICER: ("/kerja-sama/", "Kerja sama", DESKTOP),
    Role.UNIT_OFFICER: ("/wbp/", "WBP", DESKTOP),
    Role.BAPAS_OFFICER: ("/pembimbingan/klien-saya/", "Klien saya", DESKTOP),
    Role.CSR_OFFICER: ("/", "Kemitraan TJSL", DESKTOP),
    Role.FACILITATOR: ("/program/", "Program", DESKTOP),
    Role.MONITOR: ("/", "Ringkasan pemantauan", PHONE),
}


@pytest.fixture
def journey_page(browser: Any, request: Any) -> Iterator[Any]:
    callspec = getattr(request.node, "callspec", None)
    viewport = JOURNEYS[callspec.params["role"]][2] if callspec else DESKTOP
    context = browser.new_context(locale="id-ID", viewport=viewport)
    page = context.new_page()
    page.set_default_timeout(15000)
    yield page
    report = getattr(request.node, "rep_call", None)
    if report is not None and report.failed:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"{request.node.name}.png"), full_page=True)
    context.close()


@pytest.mark.parametrize("role", list(JOURNEYS))
def test_a_role_logs_in_and_reaches_its_main_task(
    live_server: Any, reference_data: None, journey_page: Any, role: str
) -> None:
    page = journey_page
    account = next(a for a in demo_accounts(reset_passwords=True) if a.role == role)
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(f"{live_server.url}/masuk/")
    page.get_by_label("Nama pengguna").fill(account.username)
    page.get_by_label("Kata sandi").fill(account.password)
    page.get_by_role("button", name="Masuk").click()
    page.get_by_test_id("dashboard-title").wait_for()
    path, expected, _ = JOURNEYS[role]
    response = page.goto(f"{live_server.url}{path}")
    assert response is not None and response.status == 200, (path, response and response.status)
    page.locator("main").get_by_text(expected).first.wait_for()  # not the (collapsed) menu
    assert page.locator("h1").first.is_visible()
    assert errors == []


def _login(page: Any, base: str, role: str) -> None:
    account = next(a for a in demo_accounts(reset_passwords=True) if a.role == role)
    page.goto(f"{base}/masuk/")
    page.get_by_label("Nama pengguna").fill(account.username)
    page.get_by_label("Kata sandi").fill(account.password)
    page.get_by_role("button", name="Masuk").click()
    page.get_by_test_id("dashboard-title").wait_for()


def test_on_the_demo_a_unit_officer_opens_a_person_from_the_registry_list(
    live_server: Any, reference_data: None, journey_page: Any
) -> None:
    from sinergi.accounts.models import User
    from sinergi.beneficiaries.models import CustodyEpisode
    from sinergi.site.demo import demo_seed

    demo_seed()
    page = journey_page
    _login(page, live_server.url, Role.UNIT_OFFICER)
    officer = User.objects.get(username="demo.upt")
    episode = CustodyEpisode.objects.filter(unit_id=officer.organisation_id).order_by("pk").first()
    assert episode is not None
    person = episode.person
    page.goto(f"{live_server.url}/wbp/?q={person.full_name}")
    page.get_by_role("link", name=person.full_name, exact=True).first.click()
    page.wait_for_url(f"**/wbp/{person.pk}/")
    page.get_by_text(person.full_name).first.wait_for()


@pytest.mark.parametrize("viewport", ["desktop", "phone"])
def test_a_facilitator_opens_todays_session_from_the_dashboard_and_records_attendance(
    live_server: Any, reference_data: None, browser: Any, request: Any, viewport: str
) -> None:
    """The facilitator's main task, end to end: log in, find today's session of their cohort on the
    dashboard, open it, mark two participants, see it saved, and find the marks still there after a
    reload. On a desk and on a phone (touch, no sideways scrolling)."""
    import datetime as dt
    import re

    from django.utils import timezone

    from sinergi.accounts.models import User
    from sinergi.programs.choices import SessionStatus, Stage
    from sinergi.programs.models import Attendance, Cohort, Session
    from sinergi.site.demo import demo_seed

    demo_seed()
    today = timezone.localdate()
    account = next(a for a in demo_accounts(reset_passwords=True) if a.role == Role.FACILITATOR)
    facilitator = User.objects.get(username=account.username)
    cohort = (
        Cohort.objects.filter(
            facilitators=facilitator,
            enrollments__stage__in=(Stage.ENROLLED, Stage.ACTIVE),
            start_date__lte=today,
            end_date__gte=today,
        )
        .distinct()
        .order_by("pk")
        .first()
    )
    assert cohort is not None, "the demo gives the facilitator a running cohort with participants"
    # The demo meets on Mondays and Thursdays; the journey needs a session today, whatever day it runs.
    session = Session.objects.filter(cohort=cohort, date=today, status=SessionStatus.SCHEDULED).first()
    if session is None:
        session = Session.objects.create(
            cohort=cohort, date=today, start_time=dt.time(9, 0), end_time=dt.time(11, 0)
        )

    phone = viewport == "phone"
    context = browser.new_context(
        locale="id-ID",
        viewport=PHONE if phone else DESKTOP,
        is_mobile=phone,
        has_touch=phone,
        device_scale_factor=3 if phone else 1,
    )
    page = context.new_page()
    page.set_default_timeout(15000)
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    try:
        _login(page, live_server.url, Role.FACILITATOR)
        today_list = page.get_by_test_id("today-sessions")
        link = today_list.locator(f"a[href='/program/sesi/{session.pk}/presensi/']")
        assert cohort.name in link.inner_text(), link.inner_text()
        link.tap() if phone else link.click()
        page.wait_for_url(re.compile(rf"/program/sesi/{session.pk}/presensi/$"))
        if phone:
            width = page.evaluate("document.documentElement.scrollWidth")
            assert width <= PHONE["width"], f"the attendance page scrolls sideways on a phone ({width}px)"

        rows = page.locator("[data-testid^='row-']")
        assert rows.count() >= 2, "the cohort's participants are listed"
        first, second = (int(rows.nth(i).get_attribute("data-testid").split("-")[1]) for i in (0, 1))
        for enrollment_id, mark in ((first, "present"), (second, "excused")):
            swapped = page.locator("#attendance-rows").element_handle()
            label = page.locator(f"label[for='m-{enrollment_id}-{mark}']")
            label.tap() if phone else label.click()
            page.wait_for_function("el => !el.isConnected", arg=swapped)
            saved = page.get_by_test_id("attendance-saved")
            saved.wait_for()
            assert "alert-success" in (saved.get_attribute("class") or ""), saved.inner_text()
            assert "Tersimpan" in saved.inner_text(), saved.inner_text()

        marks = dict(Attendance.objects.filter(session=session).values_list("enrollment_id", "mark"))
        assert (marks.get(first), marks.get(second)) == ("present", "excused"), marks
        page.reload()
        assert page.locator(f"#m-{first}-present").is_checked()
        assert page.locator(f"#m-{second}-excused").is_checked()
        assert errors == []
    except Exception:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"{request.node.name}.png"), full_page=True)
        raise
    finally:
        context.close()
