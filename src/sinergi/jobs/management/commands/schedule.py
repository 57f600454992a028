"""`sinergi schedule`: start the daily jobs that have not run today (the worker also does this by itself)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from sinergi.jobs.schedule import schedule_due


class Command(BaseCommand):
    help = "Start today's scheduled jobs (expiry warnings, ...) that have not run yet. Safe to run often."

    def handle(self, *args: Any, **options: Any) -> None:
        started = schedule_due()
        self.stdout.write(
            "Dimulai: " + ", ".join(started) if started else "Tidak ada jadwal yang jatuh tempo."
        )
