"""The one SVG chart renderer (sinergi.core.charts): bars (single, grouped, suppressed), lines, tornado."""

from __future__ import annotations

import re
import xml.dom.minidom
from decimal import Decimal as D

import pytest

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


def test_a_dollar_sign_in_a_label_is_text_not_mathtext() -> None:
    """Labels are names users type: "$\\frac$" made matplotlib's mathtext parser raise ValueError (the page
    then failed); "Kelas $A$ dan $B$" is written as it is."""
    for label in ("Kelas Las $\\frac$", "Kelas $A$ dan $B$"):
        svg = charts.bar_chart(title="Program", labels=[label, "Lain"], values=[7, 9], y_label="Orang")
        assert label in _texts(svg)


def _texts(svg: str) -> list[str]:
    """Every text the SVG shows (svg.fonttype none keeps text as <text> elements)."""
    document = xml.dom.minidom.parseString(svg)  # noqa: S318  (our own output)
    return [_node_text(node) for node in document.getElementsByTagName("text")]


def _node_text(node) -> str:
    if node.nodeType == node.TEXT_NODE:
        return node.data
    return "".join(_node_text(child) for child in node.childNodes)


def test_every_chart_has_a_title_axis_labels_and_a_table_alternative() -> None:
    from django.utils import translation

    with translation.override("en"):
        bar, line = _bar_and_line()
    for chart, x_label, y_label in ((bar, "Sex", "People"), (line, "Month", "%")):
        texts = _texts(chart)
        assert chart.heading in texts  # drawn above the plot, and in <title>
        assert x_label in texts and y_label in texts
        assert chart.x_label == x_label and chart.y_label == y_label
        assert "<title" in chart and "<desc" in chart
    assert bar.table == (["Sex", "People"], [["Pria", "12"], ["Wanita", "7"]])
    assert line.rows == [["Jan", "80"], ["Feb", "90.5"]]
    assert "Pria: 12; Wanita: 7" in bar  # the description reads the table


def _bar_and_line() -> tuple[charts.Chart, charts.Chart]:
    bar = charts.bar_chart(
        title="People reached", labels=["Pria", "Wanita"], values=[12, 7], x_label="Sex", y_label="People"
    )
    line = charts.line_chart(
        title="Attendance", x=["Jan", "Feb"], series={"Rate": [80, 90.5]}, x_label="Month", y_label="%"
    )
    return bar, line


def test_grouped_bars_draw_one_bar_per_series_with_a_legend() -> None:
    chart = charts.bar_chart(
        title="Budget",
        labels=["A", "B", "C"],
        series={"Budget": [100, 200, 300], "Realisation": [50, 250, 0]},
        x_label="Program",
        y_label="Rp",
    )
    assert chart.header == ["Program", "Budget", "Realisation"]
    assert chart.rows[1] == ["B", "200", "250"]
    texts = _texts(chart)
    assert "Budget" in texts and "Realisation" in texts  # the legend
    # Six bars (three per series) in two colours.
    assert (
        len(re.findall(r'fill="#0072b2"', chart, re.I)) >= 3
        and len(re.findall(r'fill="#e69f00"', chart, re.I)) >= 3
    )


def test_suppressed_cells_are_marked_and_never_drawn_as_numbers() -> None:
    chart = charts.bar_chart(
        title="People reached by district",
        labels=["Kota A", "Kota B", "Kota C"],
        values=[37, None, "×"],
        x_label="District",
        y_label="People",
        horizontal=True,
    )
    texts = _texts(chart)
    assert " <5" in texts and " ×" in texts
    assert chart.rows == [["Kota A", "37"], ["Kota B", "<5"], ["Kota C", "×"]]
    assert "Kota B: &lt;5" in chart and "Kota C: ×" in chart  # the <desc>
    # The true counts behind the marks (say 3 and 6) appear nowhere: not as text, not as a bar's length.
    hidden_true = charts.bar_chart(
        title="People reached by district",
        labels=["Kota A", "Kota B", "Kota C"],
        values=[37, 0, 0],
        x_label="District",
        y_label="People",
        horizontal=True,
    )
    bars = re.compile(r'<path d="([^"]+)"[^>]*fill="#0072b2"', re.IGNORECASE)
    assert len(bars.findall(chart)) == 3
    assert bars.findall(chart) == bars.findall(hidden_true)  # drawn at zero, as if empty
    # A line leaves a gap for a suppressed value and prints its mark in the table.
    line = charts.line_chart(title="T", x=["Jan", "Feb"], series={"n": [7, None]}, hidden="—")
    assert line.rows == [["Jan", "7"], ["Feb", "—"]]


def test_indonesian_tables_use_indonesian_number_formats() -> None:
    from django.utils import translation

    with translation.override("id"):
        chart = charts.bar_chart(title="Rp", labels=["A"], values=[1500000], y_label="Rp")
    assert chart.rows == [["A", "1.500.000"]]


@pytest.fixture
def drawn(monkeypatch) -> list[str]:
    """What the charts drawn during the test (not taken from the cache) were: the cache starts empty."""
    titles: list[str] = []
    render = charts._render

    def counting(*args, **kwargs):
        titles.append(args[1])
        return render(*args, **kwargs)

    monkeypatch.setattr(charts, "_render", counting)
    charts._CACHE.clear()
    return titles


def test_a_chart_is_drawn_once_per_input_and_language(drawn: list[str]) -> None:
    from django.utils import translation

    with translation.override("en"):
        first = charts.bar_chart(title="Kept", labels=["a", "b"], values=[D("1.5"), None])
        again = charts.bar_chart(title="Kept", labels=["a", "b"], values=[D("1.5"), None])
        other = charts.bar_chart(title="Kept", labels=["a", "b"], values=[D("1.5"), 2])
    with translation.override("id"):
        indonesian = charts.bar_chart(title="Kept", labels=["a", "b"], values=[D("1.5"), None])
    assert len(drawn) == 3  # the same input again is not drawn; other values and another language are
    assert again == first and again is not first and again.rows == first.rows and again.heading == "Kept"
    assert other != first and "1,5" in indonesian
    again.rows.append(["changed"])
    with translation.override("en"):
        kept = charts.bar_chart(title="Kept", labels=["a", "b"], values=[D("1.5"), None])
    assert kept.rows == first.rows == [["a", "1.5"], ["b", "<5"]]

    # An argument that is not a plain value is drawn every time.
    class Label(str):
        pass

    charts.bar_chart(title="Kept", labels=[Label("a")], values=[1])
    charts.bar_chart(title="Kept", labels=[Label("a")], values=[1])
    assert len(drawn) == 5


def test_values_that_compare_equal_are_kept_apart(drawn: list[str]) -> None:
    """1 == 1.0 == Decimal(1), Decimal("1.0") == Decimal("1.00"), 0.0 == -0.0 and one instant in two time
    zones: each is its own chart, never another's kept SVG."""
    import datetime as dt
    import zoneinfo

    instant = dt.datetime(2022, 1, 1, 12, tzinfo=dt.UTC)
    alike = [
        [1, 1.0, D(1), True],
        [D("1.0"), D("1.00")],
        [0.0, -0.0],
        [instant, instant.astimezone(zoneinfo.ZoneInfo("Asia/Jakarta"))],
    ]
    for values in alike:
        assert len({charts._frozen(v) for v in values}) == len(values), values
        assert len({hash(charts._frozen(v)) for v in values}) == len(values), values

    for value in (1, 1.0, D(1), D("1.0"), D("1.00"), 1):
        charts.bar_chart(title="Sama", labels=["a"], values=[value])
    assert len(drawn) == 5  # only the repeated int 1 comes from the cache


@pytest.mark.parametrize(
    ("language", "value", "text"),
    [
        ("id", 250_000_000, "250 jt"),
        ("id", 1_500_000_000, "1,5 M"),
        ("id", 0, "0"),
        ("id", 750_000, "750.000"),
        ("en", 250_000_000, "250M"),
        ("en", 1_500_000_000, "1.5B"),
        ("en", 750_000, "750,000"),
    ],
)
def test_money_ticks_are_short_and_in_the_language(language: str, value: int, text: str) -> None:
    """Budget charts labelled their axis "3e+08", "2,5e+08": rupiah ticks are written as people say them."""
    from django.utils import translation

    with translation.override(language):
        assert charts.money_tick(value) == text


def test_a_money_axis_has_no_scientific_notation() -> None:
    """The budget chart labelled its axis "3e+08", "2,5e+08"."""
    from django.utils import translation

    with translation.override("en"):
        svg = charts.bar_chart(
            title="Budget",
            labels=["A", "B"],
            series={"Budget": [300_000_000, 300_000_000], "Realisation": [200_000_000, 100_000_000]},
            horizontal=True,
            money=True,
        )
    assert "e+0" not in svg and ">300M<" in svg.replace(" ", "").replace("\n", "")


# --- Month axes (issue 13): a real time axis with sparse ticks, gaps visible; wrapped tornado labels --------


def _months(count: int, start: tuple[int, int] = (2023, 1)) -> list:
    import datetime as dt

    year, month = start
    out = []
    for _ in range(count):
        out.append(dt.date(year, month, 1))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return out


def _tick_labels(svg: str) -> list[str]:
    """The x tick labels of a chart: matplotlib writes each tick in a `<g id="xtick_N">` group."""
    labels = []
    for group in re.split(r'<g id="[^"]*xtick_\d+">', svg)[1:]:
        text = re.search(r"<text[^>]*>([^<]*)</text>", group)
        labels.append(text.group(1).strip() if text else "")
    return labels


@pytest.mark.parametrize("kind", ["bar", "line"])
def test_a_30_month_series_gets_few_localised_ticks_and_the_table_is_unchanged(kind: str) -> None:
    from django.utils import translation

    months = _months(30)
    labels = [f"m{i}" for i in range(30)]
    with translation.override("id"):
        if kind == "bar":
            chart = charts.bar_chart(title="Sesi", labels=labels, values=list(range(30)), months=months)
        else:
            chart = charts.line_chart(title="Hadir", x=labels, series={"r": [50.0] * 30}, months=months)
    ticks = _tick_labels(chart)
    assert 2 <= len(ticks) <= charts.MAX_MONTH_TICKS, ticks
    assert [row[0] for row in chart.rows] == labels  # the table alternative lists every month, as given


def test_month_ticks_are_monthly_for_a_short_span_and_indonesian() -> None:
    from django.utils import translation

    months = _months(5, start=(2024, 6))
    with translation.override("id"):
        chart = charts.bar_chart(title="Sesi", labels=["a"] * 5, values=[1] * 5, months=months)
    assert _tick_labels(chart) == ["Jun 2024", "Jul 2024", "Agu 2024", "Sep 2024", "Okt 2024"]


@pytest.mark.parametrize("kind", ["bar", "line"])
def test_gap_months_stay_on_the_axis(kind: str) -> None:
    """Jan 2023 and Mar 2025 were drawn side by side; on a time axis the years between show."""
    import datetime as dt

    months = [dt.date(2023, 1, 1), dt.date(2025, 3, 1)]
    if kind == "bar":
        chart = charts.bar_chart(title="S", labels=["Jan 2023", "Mar 2025"], values=[3, 4], months=months)
    else:
        chart = charts.line_chart(title="A", x=["Jan 2023", "Mar 2025"], series={"r": [1, 2]}, months=months)
    ticks = _tick_labels(chart)
    assert "Jan 2024" in ticks and "Jul 2024" in ticks, ticks  # the months between are on the axis
    assert len(ticks) <= charts.MAX_MONTH_TICKS
    assert charts.month_ticks(months)[0] == dt.date(2023, 1, 1)
    assert charts.month_ticks(months)[-1] == dt.date(2025, 1, 1)


def test_tornado_labels_are_wrapped() -> None:
    long = "Deadweight (Peserta bekerja di perusahaan mitra selama setahun)"
    chart = charts.tornado_chart(title="T", bars=[charts.TornadoBar(long, 1, 2)], base=D("1.5"))
    texts = [t.strip() for t in re.findall(r"<text[^>]*>([^<]*)</text>", chart)]
    assert long not in texts  # not on one line
    pieces = [t for t in texts if t and t in long]
    assert len(pieces) >= 2 and all(len(p) <= 24 for p in pieces), texts
