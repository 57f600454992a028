"""Audit entries read as sentences, and pages and messages use one date format ("9 Juni 2021")."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

from django.utils import translation

from sinergi.audit.labels import change_lines, event_sentence
from sinergi.core.dates import long_date


def test_changes_read_as_phrases_not_raw_keys() -> None:
    with translation.override("id"):
        lines = change_lines(
            {
                "title": ["Lama", "Baru"],
                "start_date": ["2021-06-09", "2021-07-01"],
                "parties": [{"organisation": 1}, {"organisation": 2}],
                "is_active": [True, False],
            }
        )
    assert lines[0] == "Judul: Lama → Baru"
    assert lines[1].endswith("9 Juni 2021 → 1 Juli 2021")
    assert "2 " in lines[2] and "{" not in lines[2]
    assert lines[3].endswith("ya → tidak")


def test_an_event_is_one_sentence() -> None:
    event = SimpleNamespace(
        actor_label="demo.admin", action="token.revoke", target_label="Budi", changes={"token": "ab12cd34"}
    )
    with translation.override("en"):
        assert event_sentence(event) == "demo.admin: API token revoked, Budi (Token: ab12cd34)."


def test_one_long_date_format_in_both_languages() -> None:
    day = dt.date(2021, 6, 9)
    with translation.override("id"):
        assert long_date(day) == "9 Juni 2021"
        assert long_date("2021-06-09") == "9 Juni 2021"
    with translation.override("en"):
        assert long_date(day) == "9 June 2021"
