"""What starting a process imports (issue 14: the `sinergi` command's start-up), checked without timing it.

Every `sinergi` command pays for what `django.setup()` imports. The API (ninja, pydantic), the Redis queue
(django_rq, rq, redis), the document and chart libraries and the apps' services are imported when they are
used, not at start-up; these tests fail when an installed app, a settings entry or a ready() hook brings one
of them back. Each runs a fresh interpreter (this test process has long imported everything).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from django.core.management import get_commands, load_command_class

REPOSITORY = Path(__file__).resolve().parents[2]

# Imported at start-up by none of the apps; each only by what uses it.
NOT_AT_START_UP = (
    "ninja",
    "pydantic",
    "pydantic_core",
    "redis",
    "rq",
    "django_rq",
    "django_tasks_rq",
    "weasyprint",
    "matplotlib",
    "openpyxl",
    "hypothesis",
    "sinergi.config.urls",
    "sinergi.config.api",
    "sinergi.accounts.services",
    "sinergi.audit.services",
    "sinergi.beneficiaries.services",
    "sinergi.programs.services",
    "sinergi.programs.selectors",
    "sinergi.partnerships.selectors",
)


def _python(code: str, **env: str) -> str:
    """Run `code` in a new interpreter with the test settings; return what it printed."""
    inherited = ("SINERGI_TASK_BACKEND", "DJANGO_SETTINGS_MODULE")
    base = {k: v for k, v in os.environ.items() if k not in inherited}
    result = subprocess.run(
        [sys.executable, "-c", code],
        env=base | {"DJANGO_SETTINGS_MODULE": "sinergi.config.settings", "PYTHONPATH": str(REPOSITORY)} | env,
        cwd=REPOSITORY,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def _imported_by(statements: str, **env: str) -> set[str]:
    names = json.dumps(NOT_AT_START_UP)
    listing = f"print(json.dumps([m for m in {names} if m in sys.modules]))"
    code = f"import django, json, sys\n{statements}\n{listing}"
    return set(json.loads(_python(code, **env).splitlines()[-1]))


def test_django_setup_imports_neither_the_api_nor_the_queue_nor_the_services() -> None:
    assert _imported_by("django.setup()") == set()


def test_the_url_configuration_imports_the_api_when_it_loads() -> None:
    imported = _imported_by("django.setup()\nimport sinergi.config.urls")
    assert {"ninja", "pydantic", "sinergi.config.api"} <= imported
    # The views import no chart, PDF or spreadsheet library before they draw, print or read one.
    assert not imported & {"redis", "rq", "django_rq", "matplotlib", "weasyprint", "openpyxl"}


def test_the_redis_queue_installs_rqs_apps_and_passes_the_checks() -> None:
    code = (
        "import django\ndjango.setup()\n"
        "from django.apps import apps\nfrom django.core.management import call_command\n"
        "call_command('check')\n"
        "print(apps.is_installed('django_rq'), apps.is_installed('django_tasks_rq'))"
    )
    assert _python(code, SINERGI_TASK_BACKEND="redis").splitlines()[-1] == "True True"
    assert _python(code, SINERGI_TASK_BACKEND="database").splitlines()[-1] == "False False"


def test_ninjas_command_is_still_there() -> None:
    command = load_command_class(get_commands()["export_openapi_schema"], "export_openapi_schema")
    assert command.help == "Exports Open API schema"


def test_the_sinergi_command_freezes_what_start_up_made_and_collects_garbage_during_the_command() -> None:
    code = (
        "import gc, sys\nfrom sinergi.cli import main\n"
        "sys.argv = ['sinergi', '--help']\nmain()\n"
        "print(gc.isenabled(), gc.get_freeze_count() > 10000)"
    )
    assert _python(code).splitlines()[-1] == "True True"


def test_the_sinergi_command_called_with_arguments_leaves_the_collector_alone() -> None:
    code = (
        "import gc, sys\nfrom sinergi.cli import main\n"
        "main(['sinergi', '--help'])\n"
        "print(gc.isenabled(), gc.get_freeze_count())"
    )
    assert _python(code).splitlines()[-1] == "True 0"
