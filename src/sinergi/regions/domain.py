"""Match free-text Indonesian place names against the official Kemendagri region names."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

MatchStatus = Literal["found", "not_found", "ambiguous", "empty"]

# Administrative prefixes that carry no identity, with the kind of place they announce.
_PREFIX_KIND: dict[str, str | None] = {
    "kec": None,
    "kecamatan": None,
    "kab": "kabupaten",
    "kabupaten": "kabupaten",
    "kota": "kota",
    "kel": "kelurahan",
    "kelurahan": "kelurahan",
    "desa": "desa",
    "provinsi": None,
    "prov": None,
}
# "Adm." / "Administrasi" is only a prefix inside "Kota Adm. ..." or "Kabupaten Administrasi ...".
_ADMINISTRATIVE = frozenset({"adm", "administrasi"})
_REGENCY_PREFIXES = frozenset({"kota", "kab", "kabupaten"})

_ROMAN_NUMERALS: dict[str, int] = {
    roman: value
    for value, roman in enumerate(
        (
            "i", "ii", "iii", "iv", "v", "vi", "vii", "viii", "ix", "x",
            "xi", "xii", "xiii", "xiv", "xv", "xvi", "xvii", "xviii", "xix", "xx",
        ),
        start=1,
    )
}  # fmt: skip
_UNIT_WORDS: dict[str, int] = {
    "satu": 1,
    "dua": 2,
    "tiga": 3,
    "empat": 4,
    "lima": 5,
    "enam": 6,
    "tujuh": 7,
    "delapan": 8,
    "sembilan": 9,
}
_SE_WORDS: dict[str, int] = {"sepuluh": 10, "sebelas": 11}


@dataclass(frozen=True, slots=True)
class PlaceKey:
    """A place name reduced to a comparison key, with the kind its prefix announced."""

    key: str
    kind_hint: str | None


@dataclass(frozen=True, slots=True)
class PlaceMatch:
    """The outcome of looking a free-text place name up in a PlaceIndex."""

    status: MatchStatus
    code: str | None
    candidates: tuple[str, ...]


def _tokenize(name: str) -> list[str]:
    # casefold (not lower) so that "ß" and "SS" meet; accents are dropped after NFKD.
    decomposed = unicodedata.normalize("NFKD", name.casefold())
    chars = (ch if ch.isalnum() else " " for ch in decomposed if not unicodedata.combining(ch))
    return "".join(chars).split()


def _strip_prefixes(tokens: list[str]) -> tuple[list[str], str | None]:
    kind_hint: str | None = None
    previous: str | None = None
    start = 0
    while len(tokens) - start > 1:
        token = tokens[start]
        if token in _PREFIX_KIND:
            if kind_hint is None:
                kind_hint = _PREFIX_KIND[token]
        elif not (token in _ADMINISTRATIVE and previous in _REGENCY_PREFIXES):
            break
        previous = token
        start += 1
    return tokens[start:], kind_hint


def _read_number_words(tokens: list[str], position: int) -> tuple[int, int] | None:
    """Return (value, tokens consumed) for an Indonesian number word at position, if any."""
    token = tokens[position]
    if token in _SE_WORDS:
        return _SE_WORDS[token], 1
    unit = _UNIT_WORDS.get(token)
    if unit is None:
        return None
    following = tokens[position + 1] if position + 1 < len(tokens) else None
    if unit >= 2 and following == "belas":
        return 10 + unit, 2
    if unit >= 2 and following == "puluh":
        after = tokens[position + 2] if position + 2 < len(tokens) else None
        extra = _UNIT_WORDS.get(after) if after is not None else None
        if extra is not None:
            return 10 * unit + extra, 3
        return 10 * unit, 2
    return unit, 1


def _canonical_numbers(tokens: list[str]) -> list[str]:
    # The first token stays a word: "Tiga Dihaji", "Lima Puluh" and "Vi ..." are names, not numbers.
    result: list[str] = []
    position = 0
    while position < len(tokens):
        token = tokens[position]
        if token.isascii() and token.isdigit():
            result.append(str(int(token)))
            position += 1
            continue
        if position > 0:
            if token in _ROMAN_NUMERALS:
                result.append(str(_ROMAN_NUMERALS[token]))
                position += 1
                continue
            number = _read_number_words(tokens, position)
            if number is not None:
                value, consumed = number
                result.append(str(value))
                position += consumed
                continue
        result.append(token)
        position += 1
    return result


def normalize_place(name: str) -> PlaceKey:
    """Reduce a place name to a key that ignores case, accents, spacing, prefixes and numeral style."""
    tokens, kind_hint = _strip_prefixes(_tokenize(name))
    return PlaceKey(key="".join(_canonical_numbers(tokens)), kind_hint=kind_hint)


def _literal_key(name: str) -> str:
    # Like normalize_place but keeps prefixes: tells district "Manna" from district "Kota Manna".
    return "".join(_canonical_numbers(_tokenize(name)))


_Entry = tuple[str, str | None, str]  # (code, kind, literal key)


class PlaceIndex:
    """An in-memory index of official regions for constant-time name lookups."""

    def __init__(self, rows: Iterable[tuple[str, str | None, str, str | None]]) -> None:
        """Index (code, parent_code, name, kind) rows; a missing kind falls back to the name's prefix."""
        self._names: dict[str, str] = {}
        self._by_parent: dict[tuple[str | None, str], list[_Entry]] = {}
        self._by_key: dict[str, list[_Entry]] = {}
        for code, parent_code, name, kind in rows:
            if code in self._names:
                raise ValueError(f"Duplicate region code: {code}")
            self._names[code] = name
            place = normalize_place(name)
            entry = (code, kind.strip().lower() if kind else place.kind_hint, _literal_key(name))
            self._by_parent.setdefault((parent_code, place.key), []).append(entry)
            self._by_key.setdefault(place.key, []).append(entry)

    def __len__(self) -> int:
        """Return the number of indexed regions."""
        return len(self._names)

    def name_of(self, code: str) -> str:
        """Return the official name of a region code; raise KeyError if it is unknown."""
        return self._names[code]

    def match(self, name: str, parent_code: str | None) -> PlaceMatch:
        """Find the region a free-text name means, within parent_code or everywhere when it is None."""
        place = normalize_place(name)
        if not place.key:
            return PlaceMatch(status="empty", code=None, candidates=())
        if parent_code is None:
            entries = self._by_key.get(place.key, [])
        else:
            entries = self._by_parent.get((parent_code, place.key), [])
        if not entries:
            return PlaceMatch(status="not_found", code=None, candidates=())
        if len(entries) == 1:
            return PlaceMatch(status="found", code=entries[0][0], candidates=(entries[0][0],))
        if place.kind_hint is not None:
            same_kind = [entry for entry in entries if entry[1] == place.kind_hint]
            if len(same_kind) == 1:
                return PlaceMatch(status="found", code=same_kind[0][0], candidates=(same_kind[0][0],))
            if same_kind:
                entries = same_kind
        literal = _literal_key(name)
        same_spelling = [entry for entry in entries if entry[2] == literal]
        if len(same_spelling) == 1:
            return PlaceMatch(status="found", code=same_spelling[0][0], candidates=(same_spelling[0][0],))
        return PlaceMatch(status="ambiguous", code=None, candidates=tuple(entry[0] for entry in entries))
