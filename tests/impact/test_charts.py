"""The shared SVG chart renderer (sinergi.core.charts) and the tornado chart on the value-map page."""

from __future__ import annotations

import re
import xml.dom.minidom
from decimal import Decimal as D

from sinergi.core import charts


def tornado(**kw):
    return charts.tornado_chart(
        title=kw.pop("title", "Sensitivity <SROI> & more"),
        bars=[charts.TornadoBar("Quantity", D("1.2"), D("2.5")), charts.TornadoBar("Proxy", 1.5, 2.2)],
        base=D("1.85"),
        x_label="SROI ratio",
        reference=1,
        reference_label="1 : 1",
        desc="Widest swing: quantity.",
        **kw,
    )


def test_svg_is_embeddable_accessible_and_free_of_inline_css() -> None:
    svg = tornado()
    assert svg.startswith("<svg") and "<?xml" not in svg and "DOCTYPE" not in svg
    assert "<metadata" not in svg
    document = xml.dom.minidom.parseString(svg)  # noqa: S318  (our own output)
    root = document.documentElement
    assert root.getAttribute("role") == "img"
    title_id, desc_id = root.getAttribute("aria-labelledby").split()
    titles = document.getElementsByTagName("title")
    assert titles[0].getAttribute("id") == title_id
    assert titles[0].firstChild.data == "Sensitivity <SROI> & more"  # escaped in the text, read back
    assert document.getElementsByTagName("desc")[0].getAttribute("id") == desc_id
    # A CSP without 'unsafe-inline' styles would drop these, so there are none.
    assert " style=" not in svg and "<style" not in svg
    assert 'fill="#0072B2"' in svg or 'fill="#0072b2"' in svg
    assert "SROI ratio" in svg and "Quantity" in svg
    assert hasattr(svg, "__html__")  # safe to embed


def test_output_is_deterministic_and_ids_differ_between_charts() -> None:
    assert tornado() == tornado()
    other = tornado(title="Another")
    ids = set(re.findall(r' id="([^"]+)"', tornado()))
    assert ids and not ids & set(re.findall(r' id="([^"]+)"', other))


def test_indonesian_ticks_use_a_decimal_comma(settings) -> None:
    from django.utils import translation

    with translation.override("id"):
        svg = tornado()
    assert re.search(r">1,[2468]<", svg)


def test_bar_and_line_charts() -> None:
    bar = charts.bar_chart(
        title="Realisation", labels=["2021", "2022"], values=[10, None], y_label="Rupiah", reference=8
    )
    line = charts.line_chart(title="Attendance", x=["Jan", "Feb"], series={"A": [1, 2], "B": [None, 3]})
    for svg in (bar, line):
        xml.dom.minidom.parseString(svg)  # noqa: S318  (our own output)
        assert svg.startswith("<svg") and 'role="img"' in svg
