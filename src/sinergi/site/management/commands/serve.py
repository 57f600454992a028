"""`sinergi serve`: the web server (gunicorn) together with the job worker, until Ctrl+C."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from typing import Any

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Serve the app with gunicorn and run the job worker beside it."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--addr", default="127.0.0.1:8000", help="host:port to bind (default 127.0.0.1:8000)."
        )
        parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes.")
        parser.add_argument("--no-worker", action="store_true", help="Do not start the job worker.")

    def handle(self, *args: Any, addr: str, workers: int, no_worker: bool = False, **options: Any) -> None:
        web = [
            sys.executable,
            "-m",
            "gunicorn",
            "sinergi.config.wsgi:application",
            "--bind",
            addr,
            "--workers",
            str(workers),
            "--threads",
            "4",
            "--access-logfile",
            "-",
            "--graceful-timeout",
            "10",
            "--no-control-socket",
        ]
        children = [subprocess.Popen(web)]  # noqa: S603
        if not no_worker:
            children.append(subprocess.Popen([sys.executable, "-m", "sinergi", "worker"]))  # noqa: S603
        self.stdout.write(f"Sinergi berjalan di http://{addr}/  (hentikan dengan Ctrl+C)")

        def stop(*_: Any) -> None:
            for child in children:
                if child.poll() is None:
                    child.terminate()

        signal.signal(signal.SIGTERM, stop)
        try:
            while all(child.poll() is None for child in children):
                time.sleep(0.5)
        except KeyboardInterrupt:
            pass
        finally:
            stop()
            for child in children:
                child.wait(timeout=15)
