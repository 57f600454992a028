"""`sinergi sentence`: expiry, 1/2 and 2/3 dates and the PB/CB time conditions for one sentence."""

from __future__ import annotations

import argparse
import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from sinergi.beneficiaries.domain import (
    Ruleset,
    SentenceDates,
    format_date_long,
    parse_date,
    parse_sentence_length,
    ruleset_for,
    sentence_dates,
)

REMISSION_NOT_A_NUMBER = "Remisi harus berupa jumlah hari (bilangan bulat), misalnya 90."


def _rulesets() -> list[Ruleset]:
    """The stored rulesets; none (so the default) when the database cannot be read, because the arithmetic
    must work without it."""
    from django.db import DatabaseError

    try:
        from sinergi.beneficiaries.selectors import ruleset_list

        return ruleset_list()
    except (DatabaseError, RuntimeError):  # no database, or one not yet migrated
        return []


def _compute(start: str, length: str, remission_days: int) -> SentenceDates:
    """The same computation as domain.episode_dates, under the ruleset in force on the start date."""
    begin = parse_date(start)
    return sentence_dates(
        start=begin,
        length=parse_sentence_length(length),
        remission_days=remission_days,
        ruleset=ruleset_for(begin, _rulesets()),
    )


def _iso(value: object) -> str | None:
    return value.isoformat() if value is not None else None  # type: ignore[attr-defined]


def sentence_payload(start: str, length: str, remission_days: int) -> dict[str, object]:
    """The machine-readable result: expiry, half, two_thirds (YYYY-MM-DD), the two eligibility flags, the
    dates from which PB and CB may be recorded (null when not eligible by time) and the ruleset version.

    Raises ValueError with the Indonesian message when the start, length or remission cannot be used.
    """
    dates = _compute(start, length, remission_days)
    return {
        "expiry": dates.expiry.isoformat(),
        "half": dates.half.isoformat(),
        "two_thirds": dates.two_thirds.isoformat(),
        "parole_eligible": dates.parole_eligible,
        "conditional_leave_eligible": dates.conditional_leave_eligible,
        "parole_eligible_from": _iso(dates.parole_eligible_from),
        "conditional_leave_eligible_from": _iso(dates.conditional_leave_eligible_from),
        "ruleset": dates.ruleset_version,
    }


def sentence_text(start: str, length: str, remission_days: int) -> list[str]:
    """The same result as lines of Indonesian text for a person to read.

    Raises ValueError with the Indonesian message when the start, length or remission cannot be used.
    """
    dates = _compute(start, length, remission_days)

    def met(flag: bool) -> str:
        return "terpenuhi" if flag else "tidak terpenuhi"

    return [
        f"Mulai pidana: {format_date_long(parse_date(start))}",
        f"Lama pidana: {parse_sentence_length(length)}",
        f"Remisi: {remission_days} hari",
        f"Masa pidana setelah remisi: {dates.net_days} hari",
        f"Ekspirasi (bebas murni): {format_date_long(dates.expiry)}",
        f"1/2 masa pidana (asimilasi): {format_date_long(dates.half)}",
        f"2/3 masa pidana (PB/CB/CMB): {format_date_long(dates.two_thirds)}",
        f"Syarat waktu pembebasan bersyarat (PB): {met(dates.parole_eligible)}",
        f"Syarat waktu cuti bersyarat (CB): {met(dates.conditional_leave_eligible)}",
        f"Aturan: {dates.ruleset_version}",
    ]


def _whole_number(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(REMISSION_NOT_A_NUMBER) from None


class Command(BaseCommand):
    help = (
        "Compute a sentence's expiry, 1/2 and 2/3 dates and PB/CB time eligibility, e.g. "
        '--start 2021-01-01 --length "5 tahun 6 bulan" --remission-days 90 --format json.'
    )
    # Pure arithmetic: it must work even when the database or another app's checks are not ready.
    requires_system_checks = []

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--start", required=True, help="Day detention began, e.g. 2021-01-01.")
        parser.add_argument("--length", required=True, help='Sentence length, e.g. "5 tahun 6 bulan".')
        parser.add_argument("--remission-days", type=_whole_number, default=0, help="Remission in days.")
        parser.add_argument("--format", choices=["text", "json"], default="text")

    def handle(
        self,
        *args: Any,
        start: str,
        length: str,
        remission_days: int = 0,
        format: str = "text",
        **options: Any,
    ) -> None:
        try:
            if format == "json":
                self.stdout.write(json.dumps(sentence_payload(start, length, remission_days)))
            else:
                self.stdout.write("\n".join(sentence_text(start, length, remission_days)))
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
