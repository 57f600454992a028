"""`sinergi worker`: run queued background jobs, from the database queue or from Redis (RQ).

The backend is the one `SINERGI_TASK_BACKEND` chooses (settings.TASKS). Every worker also delivers the
outbox's domain events and starts the daily scheduled jobs; several workers, on one host or many, never
run the same job twice (SKIP LOCKED on PostgreSQL, RQ's atomic dequeue on Redis). Every worker also marks
failed the jobs whose worker died (no heartbeat for settings.JOB_LEASE_SECONDS), so they can be retried.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from sinergi.events.services import events_dispatch
from sinergi.jobs.schedule import schedule_due
from sinergi.jobs.services import jobs_fail_stale

logger = logging.getLogger(__name__)
SCHEDULE_SECONDS = 300
OUTBOX_SECONDS = 2.0
STALE_CHECK_SECONDS = 10.0


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
        parser.add_argument("--burst", action="store_true", help="Exit as soon as the queues are empty.")
        parser.add_argument(
            "--queue",
            action="append",
            dest="queues",
            default=None,
            help="Take jobs only from this queue (repeat for several; default: every queue).",
        )

    def handle(
        self,
        *args: Any,
        interval: float,
        max_tasks: int | None = None,
        no_schedule: bool = False,
        queues: list[str] | None = None,
        burst: bool = False,
        **options: Any,
    ) -> None:
        queues = queues or list(settings.TASK_QUEUES)
        unknown = sorted(set(queues) - set(settings.TASK_QUEUES))
        if unknown:
            raise CommandError(
                f"Antrean tidak dikenal: {', '.join(unknown)} (ada: {', '.join(settings.TASK_QUEUES)})."
            )
        once = burst or max_tasks is not None
        if not no_schedule and not once:
            threading.Thread(target=_scheduler, name="sinergi-schedule", daemon=True).start()
        if not once:
            threading.Thread(target=_outbox, name="sinergi-outbox", daemon=True).start()
            threading.Thread(target=_stale_jobs, name="sinergi-stale-jobs", daemon=True).start()
        if uses_redis():
            # Jobs run in the worker's own process, as on the database queue (RQ's SimpleWorker: no fork per
            # job, so database connections are reused). A burst worker stops when its queues are empty.
            extra: dict[str, Any] = {
                "job_class": "django_tasks_rq.Job",
                "worker_class": "rq.SimpleWorker",
                "burst": once,
            }
            if max_tasks is not None:
                extra["max_jobs"] = max_tasks
            # RQ's command by its class: its app (django_rq) is installed only when Redis is the configured
            # queue (settings.RQ_APPS), and a test may switch the backend after start-up.
            from django_rq.management.commands.rqworker import Command as RQWorker

            call_command(RQWorker(), *queues, **extra)
            return
        db_extra: dict[str, Any] = {
            "interval": interval,
            "no_startup_delay": True,
            "queue_name": ",".join(queues),
        }
        if max_tasks is not None:
            db_extra["max_tasks"] = max_tasks
        if burst:
            db_extra["batch"] = True
        call_command("db_worker", **db_extra)


def uses_redis() -> bool:
    """Whether the configured task backend is the Redis (RQ) queue."""
    return str(settings.TASKS["default"]["BACKEND"]).endswith("RQBackend")


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


def _stale_jobs() -> None:
    """Mark failed, every few seconds, the running jobs whose worker stopped giving signs of life."""
    while True:
        try:
            jobs_fail_stale()
        except Exception:
            logger.exception("Stale jobs could not be checked")
        finally:
            connection.close()
        time.sleep(STALE_CHECK_SECONDS)
