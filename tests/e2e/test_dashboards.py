"""Journey: each demo role logs in through the real login page and sees its own dashboard."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from sinergi.accounts.choices import Role
from sinergi.accounts.demo import demo_accounts

pytestmark = pytest.mark.e2e

HEADINGS = {
    Role.ADMIN: "Administrasi sistem",
    Role.KANWIL_OFFICER: "Ringkasan Kanwil",
    Role.UNIT_OFFICER: "Ringkasan UPT",
    Role.BAPAS_OFFICER: "Ringkasan pembimbingan",
    Role.CSR_OFFICER: "Kemitraan TJSL",
    Role.FACILITATOR: "Ringkasan fasilitator",
    Role.MONITOR: "Ringkasan pemantauan",
}


def test_each_demo_role_logs_in_and_sees_its_dashboard(
    live_server: Any, reference_data: None, page: Any
) -> None:
    accounts = demo_accounts(reset_passwords=True)
    assert {a.role for a in accounts} == set(Role.values)
    for account in accounts:
        page.goto(f"{live_server.url}/masuk/")
        page.get_by_label("Nama pengguna").fill(account.username)
        page.get_by_label("Kata sandi").fill(account.password)
        page.get_by_role("button", name="Masuk").click()
        title = page.get_by_test_id("dashboard-title")
        title.wait_for()
        heading = title.inner_text()
        assert HEADINGS[account.role].lower() in heading.lower(), (account.username, heading)
        # The title can be parsed before the rest of a large dashboard has arrived: wait for the content too.
        expect(page.get_by_text("Mulai dari sini").or_(page.locator(".card")).first).to_be_visible()
        page.get_by_test_id("user-menu").click()
        page.get_by_role("button", name="Keluar").click()
        page.wait_for_url("**/masuk/")


def test_a_phone_sized_screen_shows_the_menu_behind_a_button(
    live_server: Any, reference_data: None, browser: Any
) -> None:
    account = next(a for a in demo_accounts(reset_passwords=True) if a.role == Role.ADMIN)
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="id-ID")
    phone = context.new_page()
    phone.goto(f"{live_server.url}/masuk/")
    phone.get_by_label("Nama pengguna").fill(account.username)
    phone.get_by_label("Kata sandi").fill(account.password)
    phone.get_by_role("button", name="Masuk").click()
    phone.get_by_test_id("dashboard-title").wait_for()
    # The title is parsed before the scripts at the end of the page have run; the menu button does nothing
    # until Bootstrap is there.
    phone.wait_for_load_state("load")
    menu_link = phone.locator("#nav-main").get_by_role("link", name="Jejak audit")
    assert not menu_link.is_visible()
    phone.get_by_role("button", name="Buka menu").click()
    phone.locator("#nav-main.collapse.show").wait_for()  # the opening animation has finished
    phone.get_by_test_id("menu-more").click()  # administration sits in the "Lainnya" dropdown
    menu_link.wait_for(state="visible")
    with phone.expect_navigation(url="**/audit/"):
        menu_link.click()
    context.close()
