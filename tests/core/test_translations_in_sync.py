"""Each Indonesian catalogue covers every translatable string of its app (needs GNU gettext's xgettext)."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest

SOURCE = Path(__file__).resolve().parents[2] / "src" / "sinergi"
APPS = sorted(path.parent.name for path in SOURCE.glob("*/apps.py"))


def _makemessages(cwd: Path, env: dict[str, str], *extra: str) -> None:
    result = subprocess.run(
        [
            str(Path(sys.executable).parent / "sinergi"),
            "makemessages",
            "-l",
            "id",
            "--no-location",
            "--no-obsolete",
            *extra,
        ],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr


@pytest.mark.skipif(shutil.which("xgettext") is None, reason="GNU gettext (xgettext) is not installed")
def test_every_source_string_is_in_its_indonesian_catalogue(tmp_path: Path) -> None:
    copy = tmp_path / "sinergi"
    shutil.copytree(SOURCE, copy, ignore=shutil.ignore_patterns("__pycache__", "*.mo"))
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DATABASE_URL", "DJANGO_ALLOW_ASYNC_UNSAFE", "PYTHONPATH")
    }
    env["SINERGI_VAR_DIR"] = str(tmp_path / "var")
    for app in APPS:
        (copy / app / "locale").mkdir(exist_ok=True)
        _makemessages(copy / app, env)
    _makemessages(copy, env, *(f"--ignore={app}/*" for app in APPS))
    missing = []
    for fresh_path in sorted(copy.glob("**/locale/id/LC_MESSAGES/django.po")):
        relative = fresh_path.relative_to(copy)
        shipped_path = SOURCE / relative
        shipped = (
            {entry.msgid for entry in polib.pofile(str(shipped_path)) if not entry.obsolete}
            if shipped_path.is_file()
            else set()
        )
        missing += [
            f"{relative}: {entry.msgid}"
            for entry in polib.pofile(str(fresh_path))
            if entry.msgid not in shipped
        ]
    assert not missing, "Run `make messages` and translate these:\n" + "\n".join(missing)
