"""The Indonesian catalogues (one per app, plus the project's): complete, not fuzzy, placeholders intact,
compiled from the current .po, and agreeing with each other where two hold the same message."""

import re
from pathlib import Path

import polib
import pytest
from django.utils import translation

import sinergi
from sinergi.core.errors import CONFLICT_MESSAGE

PACKAGE = Path(sinergi.__file__).resolve().parent
CATALOGS = sorted(PACKAGE.glob("**/locale/id/LC_MESSAGES/django.po"))
FIX_HINT = (
    "Run `make messages`, translate every entry in the app's locale/id/LC_MESSAGES/django.po "
    "(no empty or fuzzy msgstr), then run `make messages` again to compile django.mo."
)
by_catalog = pytest.mark.parametrize(
    "po_path", CATALOGS, ids=[str(p.relative_to(PACKAGE).parents[3]) for p in CATALOGS]
)

# %(name)s style (also %(n)d, %(x).2f ...) and bare %s / %d; a doubled %% is a literal percent sign.
PYTHON_PLACEHOLDER = re.compile(r"%%|%\(\w+\)[#0 +\-]*\d*(?:\.\d+)?[a-zA-Z]|%[#0 +\-]*\d*(?:\.\d+)?[sdifr]")
# {{ name }} left in a msgid by a template, and {name} used by str.format.
TEMPLATE_PLACEHOLDER = re.compile(r"\{\{\s*[\w.|:\"' ]+?\s*\}\}|\{\w*\}")
INLINE_CODE = re.compile(r"`[^`]+`")

Key = tuple[str | None, str]
Translation = str | tuple[str, ...]


def _po(po_path: Path) -> polib.POFile:
    assert po_path.is_file(), f"{po_path} is missing. {FIX_HINT}"
    return polib.pofile(str(po_path))


def _live_entries(catalog: polib.POFile) -> list[polib.POEntry]:
    return [entry for entry in catalog if not entry.obsolete and entry.msgid]


def _python_placeholders(text: str) -> list[str]:
    return sorted(match for match in PYTHON_PLACEHOLDER.findall(text) if match != "%%")


def _template_placeholders(text: str) -> list[str]:
    return sorted(re.sub(r"\s+", "", match) for match in TEMPLATE_PLACEHOLDER.findall(text))


def _pairs(entry: polib.POEntry) -> list[tuple[str, str]]:
    """Each translation next to the source text it must match; plural forms follow msgid_plural."""
    if entry.msgid_plural:
        return [(entry.msgid_plural, form) for _, form in sorted(entry.msgstr_plural.items())]
    return [(entry.msgid, entry.msgstr)]


def _translation(entry: polib.POEntry | polib.MOEntry) -> Translation:
    if entry.msgid_plural:
        return tuple(form for _, form in sorted(entry.msgstr_plural.items()))
    return entry.msgstr


def _listing(msgids: list[str]) -> str:
    return "\n".join(f"  - {msgid!r}" for msgid in msgids)


@by_catalog
def test_the_catalog_header_declares_indonesian_with_one_plural_form(po_path: Path) -> None:
    metadata = _po(po_path).metadata
    assert metadata.get("Language") == "id"
    assert "charset=UTF-8" in metadata.get("Content-Type", "")
    assert metadata.get("Plural-Forms", "").replace(" ", "") == "nplurals=1;plural=0;"


@by_catalog
def test_every_message_has_an_indonesian_translation(po_path: Path) -> None:
    untranslated = [
        entry.msgid
        for entry in _live_entries(_po(po_path))
        if not all(translated.strip() for _, translated in _pairs(entry))
    ]
    assert not untranslated, f"Untranslated messages:\n{_listing(untranslated)}\n{FIX_HINT}"


@by_catalog
def test_no_message_is_left_marked_fuzzy(po_path: Path) -> None:
    catalog = _po(po_path)
    fuzzy = [entry.msgid for entry in _live_entries(catalog) if "fuzzy" in entry.flags]
    assert not catalog.metadata_is_fuzzy, f"The catalog header is marked fuzzy. {FIX_HINT}"
    assert not fuzzy, (
        f"Fuzzy (guessed) translations:\n{_listing(fuzzy)}\n"
        f"Check each one, correct it and remove its `#, fuzzy` line. {FIX_HINT}"
    )


@by_catalog
def test_every_translation_keeps_the_placeholders_of_its_message(po_path: Path) -> None:
    broken = []
    for entry in _live_entries(_po(po_path)):
        for source, translated in _pairs(entry):
            if _python_placeholders(source) != _python_placeholders(translated):
                broken.append(
                    f"{entry.msgid!r}: {_python_placeholders(translated)} "
                    f"instead of {_python_placeholders(source)}"
                )
            if _template_placeholders(source) != _template_placeholders(translated):
                broken.append(
                    f"{entry.msgid!r}: {_template_placeholders(translated)} "
                    f"instead of {_template_placeholders(source)}"
                )
    assert not broken, "Placeholders changed in translation:\n" + "\n".join(broken) + f"\n{FIX_HINT}"


@by_catalog
def test_commands_in_backticks_are_left_untranslated(po_path: Path) -> None:
    changed = [
        entry.msgid
        for entry in _live_entries(_po(po_path))
        for source, translated in _pairs(entry)
        if sorted(INLINE_CODE.findall(source)) != sorted(INLINE_CODE.findall(translated))
    ]
    assert not changed, f"Text in `backticks` must stay as it is:\n{_listing(changed)}\n{FIX_HINT}"


@by_catalog
def test_the_compiled_catalog_holds_exactly_the_translations_in_the_po_file(po_path: Path) -> None:
    mo_path = po_path.with_suffix(".mo")
    assert mo_path.is_file(), f"{mo_path} is missing. {FIX_HINT}"
    expected: dict[Key, Translation] = {
        (entry.msgctxt, entry.msgid): _translation(entry)
        for entry in _live_entries(_po(po_path))
        if entry.translated() and "fuzzy" not in entry.flags
    }
    compiled: dict[Key, Translation] = {
        (entry.msgctxt, entry.msgid): _translation(entry)
        for entry in polib.mofile(str(mo_path))
        if entry.msgid
    }
    stale = sorted(key[1] for key, value in expected.items() if compiled.get(key) != value)
    extra = sorted(msgid for (_, msgid) in compiled.keys() - expected.keys())
    assert not stale and not extra, (
        f"django.mo is out of date with django.po.\nMissing or different in django.mo:\n{_listing(stale)}\n"
        f"Only in django.mo:\n{_listing(extra)}\n{FIX_HINT}"
    )


def test_a_message_held_by_two_catalogs_reads_the_same_in_both() -> None:
    seen: dict[Key, tuple[Path, Translation]] = {}
    differing = []
    for po_path in CATALOGS:
        for entry in _live_entries(_po(po_path)):
            key = (entry.msgctxt, entry.msgid)
            if key in seen and seen[key][1] != _translation(entry):
                differing.append(f"{entry.msgid!r}: {seen[key][0]} and {po_path}")
            seen.setdefault(key, (po_path, _translation(entry)))
    assert not differing, "Translated differently in two catalogues:\n" + "\n".join(differing)


@pytest.mark.parametrize(
    ("english", "indonesian"),
    [
        ("Page not found", "Halaman tidak ditemukan"),
        ("You do not have access to this page", "Anda tidak memiliki akses ke halaman ini"),
        ("Dashboard", "Dasbor"),
        ("Log in", "Masuk"),
    ],
)
def test_key_messages_read_as_agreed_in_indonesian(english: str, indonesian: str) -> None:
    with translation.override("id"):
        assert translation.gettext(english) == indonesian


def test_an_edit_conflict_is_explained_in_indonesian() -> None:
    with translation.override("id"):
        assert str(CONFLICT_MESSAGE).startswith("Data ini telah diubah oleh pengguna lain")
