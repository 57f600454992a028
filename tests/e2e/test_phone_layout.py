"""On a phone (390 × 844), the dashboard and a list fit the screen, and a list's rows, shown as cards, label
each value with its column's heading (issue 13)."""

from __future__ import annotations

from typing import Any

import pytest

from sinergi.accounts.choices import Role
from tests.authz import World
from tests.reports.conftest import delivered as delivered  # noqa: F401  (fixtures)
from tests.reports.conftest import setting as setting  # noqa: F401

pytestmark = pytest.mark.e2e

PASSWORD = "Ponsel-uji-2022!"

# Every element wider than the screen, or a table wider than the box around it (cut off or scrolled).
TOO_WIDE = """() => {
  const width = document.documentElement.clientWidth;
  const out = [];
  for (const el of document.body.querySelectorAll("*")) {
    const box = el.getBoundingClientRect();
    // Off screen by design (the skip link until it has the focus) or visually hidden (a caption).
    if (box.width <= 1 || box.right <= 0 || el.closest(".visually-hidden")) continue;
    // Inside a chart, the parts' boxes ignore the chart's clipping: the <svg> itself is checked.
    if (el.ownerSVGElement) continue;
    if (box.right > width + 1 || box.left < -1) out.push(el.tagName + "." + el.className + " " + box.width);
  }
  for (const table of document.querySelectorAll("table")) {
    const parent = table.parentElement;
    if (table.scrollWidth > parent.clientWidth + 1)
      out.push("table " + (table.dataset.testid || table.className) + " " + table.scrollWidth
               + ">" + parent.clientWidth);
  }
  return out;
}"""


def _phone(browser: Any, live_server: Any, user: Any) -> Any:
    user.set_password(PASSWORD)
    user.save()
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="id-ID")
    phone = context.new_page()
    phone.set_default_timeout(15000)
    phone.goto(f"{live_server.url}/masuk/")
    phone.get_by_label("Nama pengguna").fill(user.username)
    phone.get_by_label("Kata sandi").fill(PASSWORD)
    phone.get_by_role("button", name="Masuk").click()
    phone.get_by_test_id("dashboard-title").wait_for()
    phone.wait_for_load_state("load")
    return phone


def test_the_dashboard_and_a_list_fit_a_phone_and_cards_label_their_values(
    live_server: Any, reference_data: None, world: World, delivered: dict[str, Any], browser: Any
) -> None:
    phone = _phone(browser, live_server, world.users[Role.KANWIL_OFFICER])
    phone.get_by_test_id("figures").wait_for()
    too_wide = phone.evaluate(TOO_WIDE)
    assert too_wide == [], too_wide
    phone.goto(f"{live_server.url}/laporan/daftar/enrolled/")
    phone.get_by_test_id("figure-list").wait_for()
    phone.wait_for_load_state("load")
    assert phone.evaluate(TOO_WIDE) == []
    labels = phone.evaluate(
        """() => Array.from(document.querySelectorAll('[data-testid="figure-list"] tbody td'))
          .filter(td => td.getBoundingClientRect().height > 0)
          .map(td => getComputedStyle(td, '::before').content)"""
    )
    assert labels and all(label not in ("none", "normal", '""') for label in labels), labels
    heading = phone.evaluate(
        """() => document.querySelector('[data-testid="figure-list"] thead th').textContent.trim()"""
    )
    assert heading in labels[0]
    phone.context.close()
