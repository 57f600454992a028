"""Unit tests for matching free-text place names against official region names."""

from __future__ import annotations

import string

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sinergi.regions.domain import PlaceIndex, PlaceKey, PlaceMatch, normalize_place


def key(name: str) -> str:
    return normalize_place(name).key


# --- normalize_place -------------------------------------------------------------------------------


def test_roman_and_arabic_numerals_are_equal() -> None:
    assert key("Banyuasin 1") == key("BANYUASIN I") == key("banyuasin-i") == "banyuasin1"


def test_number_words_equal_roman_numerals() -> None:
    assert key("Seberang Ulu I") == key("Seberang Ulu Satu") == key("Seberang Ulu 1")
    assert key("Kec. Banyuasin Satu") == key("Banyuasin I")
    assert key("Ilir Barat II") == key("Ilir Barat Dua") == key("Ilir Barat 2")


def test_roman_numerals_up_to_twenty_are_converted() -> None:
    assert key("Blok IV") == key("Blok 4")
    assert key("Blok XIX") == key("Blok 19")
    assert key("Blok XX") == key("Blok 20")


def test_invalid_or_larger_roman_numerals_stay_words() -> None:
    assert key("Blok XXI") == "blokxxi"
    assert key("Blok IIII") == "blokiiii"
    assert key("Blok IC") == "blokic"


def test_leading_zeros_of_arabic_numerals_are_dropped() -> None:
    assert key("Blok 01") == key("Blok 1") == "blok1"
    assert key("007 Ulu") == "7ulu"


def test_multi_word_number_is_read_as_one_number() -> None:
    assert key("Desa Blok Dua Belas") == key("Blok XII") == key("Blok 12") == "blok12"
    assert key("Blok Sepuluh") == key("Blok X") == "blok10"
    assert key("Blok Sebelas") == key("Blok XI") == "blok11"
    assert key("Blok Dua Puluh") == key("Blok XX") == "blok20"


def test_first_token_number_words_stay_words() -> None:
    assert key("Tiga Dihaji") == "tigadihaji"
    assert key("Lima Puluh") == "limapuluh"
    assert key("Kec. Tiga Dihaji") == "tigadihaji"
    assert key("Kabupaten Lima Puluh Kota") == "limapuluhkota"


def test_first_token_roman_lookalikes_stay_words() -> None:
    assert key("Ix Lama") == "ixlama"
    assert key("Vi Baru") == "vibaru"
    assert key("I") == "i"


def test_district_and_village_prefixes_are_ignored() -> None:
    assert key("Kec. Plaju") == key("Kecamatan Plaju") == key("PLAJU") == "plaju"
    assert key("Kel. Bagus Kuning") == key("Kelurahan Bagus Kuning") == "baguskuning"
    assert key("Desa Merah Mata") == key("Merah Mata") == "merahmata"


def test_regency_and_province_prefixes_are_ignored() -> None:
    assert key("Kab. Banyuasin") == key("Kabupaten Banyuasin") == key("Banyuasin") == "banyuasin"
    assert key("Kota Palembang") == key("Palembang")
    assert key("Prov. Sumatera Selatan") == key("Provinsi Sumatera Selatan") == key("Sumatera Selatan")


def test_administrative_city_prefix_is_ignored_after_kota_or_kabupaten() -> None:
    assert key("Kota Adm. Jakarta Pusat") == key("Kota Administrasi Jakarta Pusat") == "jakartapusat"
    assert key("Kabupaten Administrasi Kepulauan Seribu") == "kepulauanseribu"


def test_administrative_word_is_kept_without_a_city_prefix() -> None:
    assert key("Administrasi Jaya") == "administrasijaya"
    assert key("Kec. Adm Jaya") == "admjaya"


def test_prefix_is_kept_when_it_is_the_whole_name() -> None:
    assert normalize_place("Kota") == PlaceKey(key="kota", kind_hint=None)
    assert normalize_place("Kelurahan") == PlaceKey(key="kelurahan", kind_hint=None)
    assert key("Kota Adm.") == "adm"


def test_prefix_gives_a_kind_hint() -> None:
    assert normalize_place("Kab. Bekasi").kind_hint == "kabupaten"
    assert normalize_place("Kabupaten Bekasi").kind_hint == "kabupaten"
    assert normalize_place("Kota Bekasi").kind_hint == "kota"
    assert normalize_place("Kota Adm. Jakarta Pusat").kind_hint == "kota"
    assert normalize_place("Kel. Plaju Ulu").kind_hint == "kelurahan"
    assert normalize_place("Desa Merah Mata").kind_hint == "desa"
    assert normalize_place("Kec. Plaju").kind_hint is None
    assert normalize_place("Bekasi").kind_hint is None


def test_spaces_punctuation_and_case_are_ignored() -> None:
    assert key("Bagus Kuning") == key("Baguskuning") == key("bagus-kuning") == key(" BAGUS  KUNING. ")


def test_accents_are_ignored() -> None:
    assert key("Bagus Kuníng") == key("Bagus Kuning")


def test_blank_name_gives_an_empty_key() -> None:
    assert normalize_place("   ") == PlaceKey(key="", kind_hint=None)
    assert key("") == ""


@given(st.text(alphabet=string.ascii_letters + "ÀÁÄÇÈÉËÍÏÑÓÖÚÜàáäçèéëíïñóöúüß ", max_size=40))
def test_case_and_surrounding_spaces_never_change_the_key(name: str) -> None:
    assert key(name) == key(name.upper()) == key("  " + name + " ")


# --- PlaceIndex ------------------------------------------------------------------------------------

SUMSEL = "16"
JABAR = "32"
BANYUASIN = "16.07"
PALEMBANG = "16.71"
BANYUASIN_I = "16.07.01"
PLAJU = "16.71.14"


@pytest.fixture
def index() -> PlaceIndex:
    return PlaceIndex(
        [
            (SUMSEL, None, "Sumatera Selatan", None),
            (JABAR, None, "Jawa Barat", None),
            (BANYUASIN, SUMSEL, "Kabupaten Banyuasin", "kabupaten"),
            (PALEMBANG, SUMSEL, "Kota Palembang", "kota"),
            ("32.16", JABAR, "Kabupaten Bekasi", "kabupaten"),
            ("32.75", JABAR, "Kota Bekasi", "kota"),
            (BANYUASIN_I, BANYUASIN, "Banyuasin I", None),
            (PLAJU, PALEMBANG, "Plaju", None),
            ("16.71.09", PALEMBANG, "Seberang Ulu I", None),
            ("16.07.01.2003", BANYUASIN_I, "Merah Mata", "desa"),
            ("16.07.01.2002", BANYUASIN_I, "Sungai Gerong", "desa"),
            ("16.71.14.1004", PLAJU, "Bagus Kuning", "kelurahan"),
            # The same village name under two districts.
            ("16.07.01.2010", BANYUASIN_I, "Sungai Rebo", "desa"),
            ("16.71.14.1099", PLAJU, "Sungai Rebo", "kelurahan"),
        ]
    )


def test_matching_name_under_its_parent_is_found(index: PlaceIndex) -> None:
    assert index.match("BANYUASIN 1", BANYUASIN) == PlaceMatch(
        status="found", code=BANYUASIN_I, candidates=(BANYUASIN_I,)
    )
    assert index.match("Kec. Seberang Ulu Satu", PALEMBANG).code == "16.71.09"
    assert index.match("Baguskuning", PLAJU).code == "16.71.14.1004"


def test_matching_without_parent_searches_every_row(index: PlaceIndex) -> None:
    assert index.match("Kota Palembang", None).code == PALEMBANG
    assert index.match("palembang", None).code == PALEMBANG
    assert index.match("merah-mata", None).code == "16.07.01.2003"


def test_name_without_prefix_is_ambiguous_between_kabupaten_and_kota(index: PlaceIndex) -> None:
    result = index.match("Bekasi", JABAR)
    assert result.status == "ambiguous"
    assert result.code is None
    assert set(result.candidates) == {"32.16", "32.75"}


def test_prefix_resolves_kabupaten_and_kota_with_the_same_name(index: PlaceIndex) -> None:
    assert index.match("Kota Bekasi", JABAR) == PlaceMatch(
        status="found", code="32.75", candidates=("32.75",)
    )
    assert index.match("Kab. Bekasi", JABAR).code == "32.16"
    assert index.match("Kabupaten Bekasi", None).code == "32.16"


def test_same_name_under_different_parents_is_resolved_by_the_parent(index: PlaceIndex) -> None:
    assert index.match("Sungai Rebo", BANYUASIN_I).code == "16.07.01.2010"
    assert index.match("Sungai Rebo", PLAJU).code == "16.71.14.1099"
    assert index.match("Sungai Rebo", None).status == "ambiguous"


def test_kind_hint_resolves_same_name_without_parent(index: PlaceIndex) -> None:
    assert index.match("Kel. Sungai Rebo", None).code == "16.71.14.1099"
    assert index.match("Desa Sungai Rebo", None).code == "16.07.01.2010"


def test_kind_hint_that_fits_no_candidate_stays_ambiguous(index: PlaceIndex) -> None:
    result = index.match("Kota Sungai Rebo", None)
    assert result.status == "ambiguous"
    assert set(result.candidates) == {"16.07.01.2010", "16.71.14.1099"}


def test_exact_spelling_breaks_a_tie_left_by_prefix_stripping() -> None:
    # Real districts of Kabupaten Bengkulu Selatan: "Manna" and "Kota Manna".
    index = PlaceIndex([("17.01.04", "17.01", "Manna", None), ("17.01.05", "17.01", "Kota Manna", None)])
    assert index.match("MANNA", "17.01").code == "17.01.04"
    assert index.match("Kota Manna", "17.01").code == "17.01.05"


def test_name_under_the_wrong_parent_is_not_found(index: PlaceIndex) -> None:
    assert index.match("Plaju", BANYUASIN) == PlaceMatch(status="not_found", code=None, candidates=())


def test_unknown_name_is_not_found(index: PlaceIndex) -> None:
    assert index.match("Atlantis", None).status == "not_found"
    assert index.match("Atlantis", SUMSEL).status == "not_found"


def test_blank_name_is_empty(index: PlaceIndex) -> None:
    assert index.match("", None) == PlaceMatch(status="empty", code=None, candidates=())
    assert index.match("   ", PLAJU).status == "empty"
    assert index.match(" - ", PLAJU).status == "empty"


def test_name_of_returns_the_official_name(index: PlaceIndex) -> None:
    assert index.name_of(BANYUASIN_I) == "Banyuasin I"
    assert index.name_of("32.75") == "Kota Bekasi"
    with pytest.raises(KeyError):
        index.name_of("99.99")


def test_duplicate_codes_are_refused() -> None:
    with pytest.raises(ValueError, match="16.71"):
        PlaceIndex([("16.71", "16", "Kota Palembang", "kota"), ("16.71", "16", "Palembang", "kota")])


def test_kind_falls_back_to_the_prefix_of_the_official_name() -> None:
    index = PlaceIndex([("32.16", "32", "Kabupaten Bekasi", None), ("32.75", "32", "Kota Bekasi", None)])
    assert index.match("Kota Bekasi", "32").code == "32.75"
    assert index.match("Kab Bekasi", "32").code == "32.16"
