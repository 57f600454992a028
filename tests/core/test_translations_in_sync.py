"""The Indonesian catalogue covers every translatable string in the source (needs GNU gettext's xgettext)."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest

SOURCE = Path(__file__).resolve().parents[2] / "src" / "sinergi"
CATALOGUE = SOURCE / "locale" / "id" / "LC_MESSAGES" / "django.po"


@pytest.mark.skipif(shutil.which("xgettext") is None, reason="GNU gettext (xgettext) is not installed")
def test_every_source_string_is_in_the_indonesian_catalogue(tmp_path: Path) -> None:
    copy = tmp_path / "sinergi"
    shutil.copytree(SOURCE, copy, ignore=shutil.ignore_patterns("__pycache__", "*.mo"))
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DJANGO_ALLOW_ASYNC_UNSAFE")}
    env["SINERGI_VAR_DIR"] = str(tmp_path / "var")
    result = subprocess.run(
        [sys.executable, "-m", "sinergi", "makemessages", "-l", "id", "--no-location", "--no-obsolete"],
        cwd=copy,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    fresh = polib.pofile(str(copy / "locale" / "id" / "LC_MESSAGES" / "django.po"))
    shipped = {entry.msgid for entry in polib.pofile(str(CATALOGUE)) if not entry.obsolete}
    missing = sorted(entry.msgid for entry in fresh if entry.msgid not in shipped)
    assert not missing, "Run `make messages` and translate these in django.po:\n" + "\n".join(missing)
