"""The PDF printing setup (reports.printing): a Latin subset of the report font made once per process, and
the charts as SVG images; text outside the subset still prints with the system font."""

from __future__ import annotations

import re
import zlib

import pytest

from sinergi.core.charts import bar_chart
from sinergi.reports import printing

pytest.importorskip("weasyprint")


def _fonts(pdf: bytes) -> set[str]:
    """The base font names in a PDF, from its objects and its (deflated) object streams."""
    text = pdf
    for match in re.finditer(rb"stream\r?\n(.*?)\r?\nendstream", pdf, re.DOTALL):
        try:
            text += zlib.decompress(match.group(1))
        except zlib.error:
            continue
    return {name.decode().split("+", 1)[-1] for name in re.findall(rb"/BaseFont\s*/([A-Za-z+\-]+)", text)}


def _page(body: str) -> str:
    return (
        '<html><head><style>body { font-family: "Sinergi Report Sans", "DejaVu Sans", sans-serif; }'
        "</style></head><body>" + body + "</body></html>"
    )


def test_the_subsets_are_made_once_and_latin_text_prints_with_them() -> None:
    first = printing.faces()
    assert set(first) == {"normal", "bold"} and printing.faces() is first
    pdf = printing.write_pdf(_page("<p>Laporan Pelaksanaan Kerja Sama – Rp 1.500.000 “uji”</p><b>Tebal</b>"))
    assert _fonts(pdf) == {"Sinergi-Report-Sans", "Sinergi-Report-Sans-Bold"}


def test_text_outside_the_subset_falls_back_to_the_system_font() -> None:
    pdf = printing.write_pdf(_page("<p>Latin and Кириллица</p>"))
    assert {"Sinergi-Report-Sans", "DejaVu-Sans"} <= _fonts(pdf)


def test_charts_print_as_svg_images_with_their_title_and_the_report_font() -> None:
    chart = bar_chart(title="Alur & peserta", labels=["a", "b"], values=[3, 4])
    html = printing.charts_as_images(_page(str(chart)))
    assert "<svg" not in html and '<img class="chart" alt="Alur &amp; peserta"' in html
    assert _fonts(printing.write_pdf(_page(str(chart)))) == {"Sinergi-Report-Sans"}
