"""Journey: every role, in Indonesian and in English, opens every page of its menu at 1280 px.

Fails on any console error (a CSP violation shows up as one) or uncaught script error, when the main
menu wraps to a second row or the user menu drops below it, and, in English, when a page shows an
Indonesian phrase from our catalogues (something left untranslated or hard-coded).
"""

from __future__ import annotations

from typing import Any

import pytest

from sinergi.accounts.demo import demo_accounts

pytestmark = pytest.mark.e2e

LAYOUT = """() => {
  const items = [...document.querySelectorAll('[data-testid=main-menu] > li')];
  const tops = new Set(items.map((item) => Math.round(item.getBoundingClientRect().top)));
  const right = document.querySelector('#nav-main > ul.navbar-nav:last-child');
  const menuTop = items.length ? Math.round(items[0].getBoundingClientRect().top) : 0;
  return {
    rows: tops.size,
    rightTop: right ? Math.round(right.getBoundingClientRect().top) : menuTop,
    menuTop,
    height: Math.round(document.querySelector('nav.navbar').getBoundingClientRect().height),
  };
}"""
LINKS = """() => [...document.querySelectorAll('[data-testid=main-menu] a[href]')]
  .map((a) => a.getAttribute('href')).filter((href) => href && href !== '#')"""


def _indonesian_phrases() -> set[str]:
    """Indonesian translations from our catalogues that must never show on an English page: phrases of
    three words or more that are not also English text somewhere (a msgid)."""
    from pathlib import Path

    import polib

    import sinergi

    entries = [
        entry
        for path in Path(sinergi.__file__).parent.glob("**/locale/id/LC_MESSAGES/django.po")
        for entry in polib.pofile(str(path))
    ]
    english = {entry.msgid.casefold() for entry in entries}
    return {
        entry.msgstr
        for entry in entries
        if entry.msgstr
        and "%" not in entry.msgstr
        and "{" not in entry.msgstr
        and "<" not in entry.msgstr
        and len(entry.msgstr.split()) >= 3
        and entry.msgstr.casefold() not in english
    }


@pytest.mark.parametrize("language", ["id", "en"])
def test_every_menu_page_for_every_role_has_no_console_errors_and_one_menu_row(
    live_server: Any, reference_data: None, browser: Any, language: str
) -> None:
    accounts = demo_accounts(reset_passwords=True)
    failures: list[str] = []
    indonesian = _indonesian_phrases() if language == "en" else set()
    for account in accounts:
        context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="id-ID")
        context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
        page = context.new_page()
        errors: list[str] = []
        page.on(
            "console",
            lambda message, errors=errors: errors.append(message.text) if message.type == "error" else None,
        )
        page.on("pageerror", lambda error, errors=errors: errors.append(str(error)))
        page.goto(f"{live_server.url}/masuk/")
        page.locator("#id_username").fill(account.username)
        page.locator("#id_password").fill(account.password or "")
        page.locator("form button[type=submit]").first.click()
        page.get_by_test_id("main-menu").wait_for()
        links = page.evaluate(LINKS)
        assert links, account.username
        for href in ["/", *links, "/akun/"]:
            errors.clear()
            response = page.goto(f"{live_server.url}{href}")
            status = response.status if response else 0
            if status >= 400:
                failures.append(f"{account.role}/{language} {href}: HTTP {status}")
            page.wait_for_load_state("load")
            layout = page.evaluate(LAYOUT)
            if layout["rows"] != 1 or abs(layout["rightTop"] - layout["menuTop"]) > 8:
                failures.append(f"{account.role}/{language} {href}: menu wraps {layout}")
            if errors:
                failures.append(f"{account.role}/{language} {href}: console {errors}")
            if indonesian:
                text = " ".join(page.evaluate("document.body.innerText").split())
                found = sorted(phrase for phrase in indonesian if phrase in text)
                if found:
                    failures.append(f"{account.role}/en {href}: Indonesian on an English page {found[:3]}")
            html_lang = page.evaluate("document.documentElement.lang")
            if html_lang != language:
                failures.append(f"{account.role}/{language} {href}: page language {html_lang}")
        context.close()
    assert not failures, "\n".join(failures)
