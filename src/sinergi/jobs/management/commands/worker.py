"""`sinergi worker`: run queued background jobs (the django-tasks database queue)."""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import connection

from sinergi.events.services import events_dispatch
from sinergi.jobs.schedule import schedule_due

logger = logging.getLogger(__name__)
SCHEDULE_SECONDS = 300
OUTBOX_SECONDS = 2.0


class Command(BaseCommand):
    help = (
        "Run background jobs from the database queue. Run one per machine, or several: they do not collide."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--interval", type=float, default=1.0, help="Seconds between polls when idle.")
        parser.add_argument(
            "--max-tasks", type=int, default=None, help="Exit after this many jobs (for tests)."
        )

        parser.add_argument(
            "--no-schedule", action="store_true", help="Do not start the daily scheduled jobs."
        )

    def handle(
        self,
        *args: Any,
        interval: float,
        max_tasks: int | None = None,
        no_schedule: bool = False,
        **options: Any,
    ) -> None:
        extra: dict[str, Any] = {"interval": interval, "no_startup_delay": True}
        if max_tasks is not None:
            extra["max_tasks"] = max_tasks
        if not no_schedule and max_tasks is None:
            threading.Thread(target=_scheduler, name="sinergi-schedule", daemon=True).start()
        if max_tasks is None:
            threading.Thread(target=_outbox, name="sinergi-outbox", daemon=True).start()
        call_command("db_worker", **extra)


def _scheduler() -> None:
    """Check for due daily jobs at start and then every five minutes."""
    while True:
        try:
            schedule_due()
        except Exception:
            logger.exception("Scheduled jobs could not be started")
        finally:
            connection.close()
        time.sleep(SCHEDULE_SECONDS)


def _outbox() -> None:
    """Deliver domain events every few seconds, even if the dispatch job queued at commit was lost."""
    while True:
        try:
            events_dispatch()
        except Exception:
            logger.exception("Domain events could not be delivered")
        finally:
            connection.close()
        time.sleep(OUTBOX_SECONDS)
