"""The repository is self-contained: no tracked file reads or mentions a path outside it.

A plain clone with nothing beside it must build, test and read the same. So no file may point at a
sibling directory of the checkout (the team's shared folder) or at the machine's absolute work
directory. The patterns are assembled from pieces so that this file does not match itself.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

SHARED = "sha" + "red"
OUTSIDE = re.compile(
    "|".join(
        [
            r"\.\./" + SHARED + r"\b",  # a relative path up and into the team's folder
            r"/w" + r"ork/",  # the machine's absolute work directory
            r"parents\[\d+\]\s*/\s*[\"']" + SHARED + r"[\"']",  # the same, built with pathlib
        ]
    )
)


def _tracked_files() -> list[Path]:
    git = shutil.which("git")
    if git is None or not (ROOT / ".git").exists():
        pytest.skip("not a git checkout")
    listed = subprocess.run(
        [git, "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True, text=True
    ).stdout
    return [ROOT / name for name in listed.split("\0") if name]


def test_the_pattern_catches_what_it_should() -> None:
    up = "../" + SHARED + "/samples/x.csv"
    absolute = "/" + "work/" + SHARED + "/DESIGN.md"
    built = 'parents[3] / "' + SHARED + '" / "samples"'
    for text in (up, absolute, built):
        assert OUTSIDE.search(text), text
    assert not OUTSIDE.search("docs/samples/wbp_contoh.csv")
    assert not OUTSIDE.search("a " + SHARED + " filter set")


def test_no_tracked_file_points_outside_the_repository() -> None:
    found = []
    for path in _tracked_files():
        if not path.is_file():
            continue  # deleted in the working tree but still in the index
        data = path.read_bytes()
        if b"\0" in data[:8192]:
            continue  # binary
        text = data.decode("utf-8", errors="replace")
        for number, line in enumerate(text.splitlines(), start=1):
            if OUTSIDE.search(line):
                found.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()[:120]}")
    assert not found, "paths outside the repository:\n" + "\n".join(found)


CATALOGUES = sorted((ROOT / "src" / "sinergi").glob("**/locale/*/LC_MESSAGES/django.po"))


@pytest.mark.skipif(shutil.which("msgcat") is None, reason="GNU gettext (msgcat) is not installed")
def test_every_catalogue_is_wrapped_as_make_messages_writes_it() -> None:
    """A .po saved by another tool (polib, an editor) is rewrapped by the next `make messages`, in whatever
    change runs it next: catch it here instead. GNU gettext's msgcat writes a catalogue the way makemessages'
    msgmerge does (79 columns). Each .mo is checked against its .po in tests/core/test_translations.py.
    """
    assert len(CATALOGUES) > 10
    rewrapped = []
    for po in CATALOGUES:
        canonical = subprocess.run(["msgcat", str(po)], capture_output=True, check=True, text=True).stdout
        if canonical != po.read_text(encoding="utf-8"):
            rewrapped.append(str(po.relative_to(ROOT)))
    assert not rewrapped, "Run `make messages` (it rewraps these catalogues):\n" + "\n".join(rewrapped)
