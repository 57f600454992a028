import datetime as dt

from django.utils import translation

from sinergi.core.templatetags.sinergi import angka, mask_nik, rupiah, tanggal


def test_dates_read_in_indonesian_by_default() -> None:
    with translation.override("id"):
        assert tanggal(dt.date(2021, 6, 9)) == "9 Juni 2021"


def test_dates_read_in_english_when_english_is_chosen() -> None:
    with translation.override("en"):
        assert tanggal(dt.date(2021, 6, 9)) == "9 June 2021"


def test_money_reads_as_rupiah_with_dots() -> None:
    assert rupiah(1234567) == "Rp 1.234.567"
    assert rupiah("2500000.50") == "Rp 2.500.001"
    assert rupiah(-5000) == "-Rp 5.000"
    assert rupiah(None) == "–"


def test_counts_use_dots_between_thousands() -> None:
    assert angka(83762) == "83.762"


def test_nik_is_masked_except_the_last_four_digits() -> None:
    assert mask_nik("1671010101900001") == "************0001"
