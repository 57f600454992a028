"""`sinergi worker`: run queued background jobs (the django-tasks database queue)."""

from __future__ import annotations

from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = (
        "Run background jobs from the database queue. Run one per machine, or several: they do not collide."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--interval", type=float, default=1.0, help="Seconds between polls when idle.")
        parser.add_argument(
            "--max-tasks", type=int, default=None, help="Exit after this many jobs (for tests)."
        )

    def handle(self, *args: Any, interval: float, max_tasks: int | None = None, **options: Any) -> None:
        extra: dict[str, Any] = {"interval": interval, "no_startup_delay": True}
        if max_tasks is not None:
            extra["max_tasks"] = max_tasks
        call_command("db_worker", **extra)
