"""Server-side charts as inline SVG: the one renderer for pages and PDFs (dashboards, the joint report,
the impact pages).

Built on matplotlib's object API (`matplotlib.figure.Figure` drawn by the SVG backend's `FigureCanvasSVG`),
never `pyplot`, so no global figure state is shared between requests. Each function returns SVG text
without the XML declaration or DOCTYPE, ready to embed in HTML (a `SafeString`: every label is escaped by
matplotlib or here). The `<svg>` element gets `role="img"`, a `<title>` and a `<desc>` referenced by
`aria-labelledby`; text stays text (`svg.fonttype = none`), so it is searchable and scales with the page.
Every chart is a `Chart`: the SVG text (a `SafeString`) that also carries its title, axis labels and the
table alternative (`header`, `rows`), with the figures as printed, suppressed cells included. Callers show
that table (or their own with the same figures) next to the chart.

Suppression: a value the viewer may not see comes in as None (shown as `hidden`, "<5" by default) or as
the text to show instead ("<5", "×"). It is drawn as an empty bar with that text, never at its height,
and never written as a number in the SVG, its description or its table.

Output is deterministic for the same input (a fixed hash salt and no date in the metadata), which keeps
snapshots and PDFs byte-stable. So a chart is drawn once per input and language: the last `CACHE_SIZE`
charts of the process are kept and a repeated call (the same dashboard viewed again) returns a copy
instead of drawing again, which is what a dashboard spent most of its time on (about 0.1–0.4 s a chart).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import re
import textwrap
import threading
from collections import OrderedDict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any
from xml.sax.saxutils import escape

from django.utils import translation
from django.utils.formats import date_format, get_format, number_format
from django.utils.functional import Promise
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import pgettext

if TYPE_CHECKING:
    from matplotlib.figure import Figure

# matplotlib is imported by the functions that draw: this module is imported with the views (the URLconf),
# and matplotlib would add to the start of every process that loads them (docs/performance.md, issue 14).

Number = int | float | Decimal
#: A chart value: a number, None (suppressed, shown as `hidden`) or the text shown instead of it.
Value = Number | str | None
HIDDEN = "<5"

#: Colour-blind-safe colours (Okabe–Ito): blue, orange, bluish green, vermillion, sky blue, purple.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#D55E00", "#56B4E9", "#CC79A7")
WIDTH, HEIGHT = 6.4, 3.2  # inches at 100 dpi: 640 × 320 user units, scaled by the page

# rcParams are process-wide; the SVG settings are applied under a lock for the few ms of a render.
_LOCK = threading.Lock()
_RC = {
    "svg.fonttype": "none",
    "svg.hashsalt": "sinergi",
    "font.size": 9,
    "axes.spines.top": False,
    "axes.spines.right": False,
    # Labels are names users type (programs, units): "Kelas $A$" is text, never matplotlib's mathtext (a
    # "$\\frac$" in a program's name made the chart, and the page, fail).
    "text.parse_math": False,
}


def _figure(width: float, height: float) -> Figure:
    from matplotlib.figure import Figure

    return Figure(figsize=(width, height), dpi=100, layout="constrained")


def _svg(figure: Figure, *, title: str, desc: str) -> SafeString:
    from matplotlib.backends.backend_svg import FigureCanvasSVG

    buffer = io.StringIO()
    FigureCanvasSVG(figure).print_svg(buffer, metadata={"Date": None, "Creator": None})
    text = buffer.getvalue()
    start = text.find("<svg")
    text = text[start:]
    key = hashlib.sha256(f"{title}\n{desc}\n{text}".encode()).hexdigest()[:10]
    # Ids unique per chart, so several charts can share a page.
    text = re.sub(r'\sid="([^"]+)"', lambda m: f' id="c{key}-{m.group(1)}"', text)
    text = re.sub(r"url\(#([^)]+)\)", lambda m: f"url(#c{key}-{m.group(1)})", text)
    text = re.sub(r'href="#([^"]+)"', lambda m: f'href="#c{key}-{m.group(1)}"', text)
    title_id, desc_id = f"chart-{key}-title", f"chart-{key}-desc"
    # Drop the fixed size so the chart scales with its container (the viewBox keeps the proportions).
    opening_end = text.find(">")
    opening = text[:opening_end]
    opening = re.sub(r'\s(width|height)="[^"]*"', "", opening)
    opening += f' width="100%" role="img" aria-labelledby="{title_id} {desc_id}" class="chart"'
    accessible = f'<title id="{title_id}">{escape(title)}</title><desc id="{desc_id}">{escape(desc)}</desc>'
    text = opening + ">" + accessible + text[opening_end + 1 :]
    text = re.sub(r"<metadata>.*?</metadata>", "", text, flags=re.DOTALL)
    text = _without_css(text)
    return mark_safe(text.strip())  # noqa: S308  (matplotlib escapes its text; ours is escaped above)


_STYLE_ATTRIBUTE = re.compile(r'\sstyle="([^"]*)"')
_STYLE_ELEMENT = re.compile(r"<style[^>]*>(.*?)</style>", re.DOTALL)


def _declarations(css: str) -> str:
    attributes = []
    for declaration in css.split(";"):
        name, _colon, value = declaration.partition(":")
        name, value = name.strip(), value.strip()
        if name and value:
            attributes.append(f'{name}="{value.replace(chr(34), "&quot;")}"')
    return (" " + " ".join(attributes)) if attributes else ""


def _without_css(text: str) -> str:
    """Turn CSS (`style` attributes and the `<style>` element) into SVG presentation attributes, which a
    Content-Security-Policy without 'unsafe-inline' styles still applies."""
    root: list[str] = []
    for block in _STYLE_ELEMENT.findall(text):
        # matplotlib writes one rule for every element: `*{stroke-linejoin: round; stroke-linecap: butt}`.
        root.extend(re.findall(r"\{([^}]*)\}", block))
    text = _STYLE_ELEMENT.sub("", text)
    text = _STYLE_ATTRIBUTE.sub(lambda m: _declarations(m.group(1)), text)
    if root:
        end = text.find(">")
        text = text[:end] + _declarations(";".join(root)) + text[end:]
    return text


class Chart(SafeString):
    """A chart's SVG (safe to embed) with its title (`heading`), axis labels and table alternative."""

    heading: str
    x_label: str
    y_label: str
    header: list[str]
    rows: list[list[str]]

    @property
    def table(self) -> tuple[list[str], list[list[str]]]:
        return self.header, self.rows


def _render(
    draw: Any,
    title: str,
    desc: str,
    size: tuple[float, float],
    axis_labels: tuple[str, str],
    table: tuple[Sequence[str], Sequence[Sequence[str]]],
) -> Chart:
    import matplotlib

    (width, height), (x_label, y_label), (header, rows) = size, axis_labels, table
    with _LOCK, matplotlib.rc_context(_RC):  # type: ignore[arg-type]
        figure = _figure(width, height)
        draw(figure)
        chart = Chart(_svg(figure, title=title, desc=desc or _describe(header, rows)))
    chart.heading, chart.x_label, chart.y_label = title, x_label, y_label
    chart.header, chart.rows = [str(h) for h in header], [[str(c) for c in row] for row in rows]
    return chart


CACHE_SIZE = 128
_CACHE: OrderedDict[Any, Chart] = OrderedDict()
_CACHE_LOCK = threading.Lock()


_VALUE_TYPES = (str, int, float, bool, Decimal, dt.date, dt.datetime)


def _frozen(value: Any) -> Any:
    """A hashable key for a chart argument: its type and repr, so that values that compare equal stay apart
    (1, 1.0 and Decimal("1"); Decimal("1.0") and Decimal("1.00"); 0.0 and -0.0; one instant in two time
    zones)."""
    if isinstance(value, Promise):
        value = str(value)
    if isinstance(value, Mapping):
        return ("map", tuple((_frozen(k), _frozen(v)) for k, v in value.items()))
    if isinstance(value, list | tuple):
        return ("seq", tuple(_frozen(v) for v in value))
    if isinstance(value, TornadoBar):
        return ("bar", _frozen(value.label), _frozen(value.low), _frozen(value.high))
    if value is None or type(value) in _VALUE_TYPES:
        return (type(value).__qualname__, repr(value))
    # Anything else (an iterator, an object hashed by identity) could give a stale chart: not kept.
    raise TypeError(type(value).__qualname__)


def _copy(chart: Chart) -> Chart:
    copy = Chart(chart)
    copy.heading, copy.x_label, copy.y_label = chart.heading, chart.x_label, chart.y_label
    copy.header, copy.rows = list(chart.header), [list(row) for row in chart.rows]
    return copy


def _memoised(function: Callable[..., Chart]) -> Callable[..., Chart]:
    """Keep the charts `function` drew, by its (keyword) arguments, the active language and its number
    format; return a copy of a kept one instead of drawing it again."""

    def wrapper(**kwargs: Any) -> Chart:
        try:
            key = (
                function.__name__,
                translation.get_language(),
                str(get_format("DECIMAL_SEPARATOR")),
                str(get_format("THOUSAND_SEPARATOR")),
                _frozen(kwargs),
            )
            hash(key)
        except TypeError:  # an argument that cannot be a key: draw it
            return function(**kwargs)
        with _CACHE_LOCK:
            kept = _CACHE.get(key)
            if kept is not None:
                _CACHE.move_to_end(key)
        if kept is None:
            kept = function(**kwargs)
            with _CACHE_LOCK:
                _CACHE[key] = kept
                while len(_CACHE) > CACHE_SIZE:
                    _CACHE.popitem(last=False)
        return _copy(kept)

    wrapper.__name__, wrapper.__doc__ = function.__name__, function.__doc__
    wrapper.__wrapped__ = function  # type: ignore[attr-defined]
    return wrapper


def _localise(axis: Any) -> None:
    """Tick labels with the active language's decimal separator (1,5 in Indonesian)."""
    from matplotlib.ticker import FuncFormatter

    separator = str(get_format("DECIMAL_SEPARATOR"))
    axis.set_major_formatter(FuncFormatter(lambda value, pos: f"{round(value, 6):g}".replace(".", separator)))


def money_tick(value: float) -> str:
    """A money axis tick, short and in the active language: "250 jt" and "1,5 M" (juta, miliar) in
    Indonesian, "250M" and "1.5B" in English; below a million the whole amount with its grouping. matplotlib's
    own labels for such amounts were "3e+08" and "2,5e+08"."""
    separator = str(get_format("DECIMAL_SEPARATOR"))
    for size, unit in (
        (1e9, pgettext("money axis, billions", "%(n)sB")),
        (1e6, pgettext("money axis, millions", "%(n)sM")),
    ):
        if abs(value) >= size:
            return unit % {"n": f"{round(value / size, 3):g}".replace(".", separator)}
    return str(number_format(int(round(value)), force_grouping=True))


def _hidden(value: Value) -> bool:
    return value is None or isinstance(value, str)


def _float(value: Value) -> float:
    return 0.0 if _hidden(value) else float(value)  # type: ignore[arg-type]


def _text(value: Value, hidden: str) -> str:
    """A value as printed in the description and the table: localised, or the suppression mark."""
    if value is None:
        return hidden
    if isinstance(value, str):
        return value
    number = float(value)
    if number.is_integer():
        return str(number_format(int(number), force_grouping=True))
    return str(number_format(round(number, 2), force_grouping=True))


def _describe(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """The table alternative in one line, for `<desc>`: "label: value; label: a 1, b 2"."""
    parts = []
    for row in rows:
        if len(row) == 2:
            parts.append(f"{row[0]}: {row[1]}")
        else:
            parts.append(
                f"{row[0]}: " + ", ".join(f"{h} {v}" for h, v in zip(header[1:], row[1:], strict=False))
            )
    return "; ".join(parts)


def _table(
    x_label: str, categories: Sequence[Any], data: Mapping[str, Sequence[Value]], hidden: str
) -> tuple[list[str], list[list[str]]]:
    """The table alternative: one row per category, one column per series, as printed."""
    header = [x_label, *data.keys()]
    rows = [
        [str(c), *[_text(values[i], hidden) for values in data.values()]] for i, c in enumerate(categories)
    ]
    return header, rows


def _series(
    values: Sequence[Value] | None, series: Mapping[str, Sequence[Value]] | None, name: str
) -> dict[str, Sequence[Value]]:
    if series is not None:
        return dict(series)
    return {name: list(values or [])}


# --- Time axis: months as dates, so a gap between two months shows as a gap --------------------------------

#: At most this many ticks on a month axis, whatever the span (a 30-month series gets yearly ticks).
MAX_MONTH_TICKS = 6
#: Tick steps in months, smallest first: monthly, quarterly, half-yearly, yearly, every two and five years.
_MONTH_STEPS = (1, 3, 6, 12, 24, 60)


def _month_index(day: dt.date) -> int:
    return day.year * 12 + day.month - 1


def _from_index(index: int) -> dt.date:
    return dt.date(index // 12, index % 12 + 1, 1)


def month_ticks(months: Sequence[dt.date]) -> list[dt.date]:
    """The first days of the months to tick on an axis from the first to the last of `months`: every month
    of a short span, else every quarter, half year, year… (at most `MAX_MONTH_TICKS`), aligned on January
    so that ticks fall on the same months whatever the data."""
    if not months:
        return []
    first, last = _month_index(min(months)), _month_index(max(months))
    for step in _MONTH_STEPS:
        start = -(-first // step) * step  # the first multiple of step at or after the first month
        ticks = list(range(start, last + 1, step))
        if len(ticks) <= MAX_MONTH_TICKS:
            return [_from_index(i) for i in (ticks or [first])]
    return [_from_index(first), _from_index(last)]


def month_tick_label(day: dt.date, yearly: bool) -> str:
    """A month tick in the active language ("Jan 2024", "Agu 2024" in Indonesian), or the year alone
    when the ticks are a year or more apart."""
    return str(date_format(day, "Y" if yearly else "M Y"))


def _month_axis(axes: Any, months: Sequence[dt.date]) -> None:
    """A real time axis for `months` (first days of months): positions are dates, so months without data
    leave their room; sparse ticks (`month_ticks`) labelled with localised month names."""
    from matplotlib import dates as mdates
    from matplotlib.ticker import FixedLocator, FuncFormatter

    ticks = month_ticks(months)
    yearly = len(ticks) > 1 and _month_index(ticks[1]) - _month_index(ticks[0]) >= 12
    axes.xaxis.set_major_locator(FixedLocator([mdates.date2num(t) for t in ticks]))
    labels = {round(mdates.date2num(t)): month_tick_label(t, yearly) for t in ticks}
    axes.xaxis.set_major_formatter(FuncFormatter(lambda value, pos: labels.get(round(value), "")))
    if months:
        first, last = min(months), max(months)
        axes.set_xlim(mdates.date2num(first) - 20, mdates.date2num(last) + 20)


def _month_positions(months: Sequence[dt.date]) -> list[float]:
    """Each month's position on the time axis: the middle of the month (its 15th)."""
    from matplotlib import dates as mdates

    return [float(mdates.date2num(m.replace(day=15))) for m in months]


def _wrapped(label: str, width: int = 24) -> str:
    """A long category label on up to three lines, so it takes less of the chart's width."""
    lines = textwrap.wrap(str(label), width=width, break_long_words=False) or [""]
    if len(lines) > 3:
        lines = [*lines[:2], textwrap.shorten(" ".join(lines[2:]), width=width, placeholder="…")]
    return "\n".join(lines)


@_memoised
def bar_chart(
    *,
    title: str,
    labels: Sequence[str],
    values: Sequence[Value] | None = None,
    series: Mapping[str, Sequence[Value]] | None = None,
    x_label: str = "",
    y_label: str = "",
    desc: str = "",
    horizontal: bool = False,
    reference: Number | None = None,
    reference_label: str = "",
    hidden: str = HIDDEN,
    width: float = WIDTH,
    height: float | None = None,
    money: bool = False,
    months: Sequence[dt.date] | None = None,
) -> Chart:
    """Bars, one per label (vertical by default), or grouped: one bar per series within each label.

    Give `values` (one series) or `series` ({name: values}). A suppressed value (None, or the text to show
    instead) is drawn as an empty bar marked with that text. `x_label` names the categories, `y_label` the
    quantity, whichever way the bars run. `reference` draws a dashed line (a target, say). `money`: the
    quantity axis in rupiah, its ticks shortened (`money_tick`). Several series get their legend under the
    chart, where it covers no bar. `months` (vertical bars only: the first day of each label's month) puts
    the bars on a time axis: a month without data stays empty, ticks are sparse (`month_ticks`); the table
    alternative still lists `labels`."""
    data = _series(values, series, y_label or title)
    count = max(len(data), 1)
    if height is None:
        height = max(HEIGHT, 0.3 * len(labels) * (1 + 0.5 * (count - 1)) + 1.2) if horizontal else HEIGHT

    def draw(figure: Figure) -> None:
        axes = figure.add_subplot()
        timed = months is not None and not horizontal
        thickness = (0.8 if not timed else 24.0) / count
        positions = _month_positions(months) if timed and months is not None else list(range(len(labels)))
        for number, (name, numbers) in enumerate(data.items()):
            offsets = [p - thickness * count / 2 + thickness * (number + 0.5) for p in positions]
            heights = [_float(v) for v in numbers]
            colour = PALETTE[number % len(PALETTE)]
            if horizontal:
                axes.barh(offsets, heights, thickness, color=colour, label=name)
            else:
                axes.bar(offsets, heights, thickness, color=colour, label=name)
            for offset, value in zip(offsets, numbers, strict=True):
                if _hidden(value):
                    mark = _text(value, hidden)
                    if horizontal:
                        axes.text(0, offset, f" {mark}", va="center", fontsize=8)
                    else:
                        axes.text(offset, 0, mark, ha="center", va="bottom", fontsize=8)
        if horizontal:
            axes.set_yticks(positions, list(labels))
            axes.invert_yaxis()
            axes.set_xlabel(y_label)
            axes.set_ylabel(x_label)
        elif timed and months is not None:
            _month_axis(axes, months)
            axes.set_xlabel(x_label)
            axes.set_ylabel(y_label)
        else:
            rotate = len(labels) > 5
            axes.set_xticks(
                positions, list(labels), rotation=30 if rotate else 0, ha="right" if rotate else "center"
            )
            axes.set_xlabel(x_label)
            axes.set_ylabel(y_label)
        if reference is not None:
            line = axes.axvline if horizontal else axes.axhline
            line(
                float(reference), color="#333333", linestyle="--", linewidth=1, label=reference_label or None
            )
        quantity = axes.xaxis if horizontal else axes.yaxis
        if money:
            from matplotlib.ticker import FuncFormatter

            quantity.set_major_formatter(FuncFormatter(lambda value, pos: money_tick(value)))
        else:
            _localise(quantity)
        if len(data) > 1:
            figure.legend(
                loc="outside lower center", ncols=min(len(data) + (reference is not None), 4), frameon=False
            )
        elif reference is not None and reference_label:
            axes.legend(loc="best", frameon=False)
        axes.set_title(title)

    return _render(
        draw, title, desc, (width, height), (x_label, y_label), _table(x_label, labels, data, hidden)
    )


@_memoised
def line_chart(
    *,
    title: str,
    x: Sequence[Any],
    series: Mapping[str, Sequence[Value]],
    x_label: str = "",
    y_label: str = "",
    desc: str = "",
    hidden: str = HIDDEN,
    width: float = WIDTH,
    height: float = HEIGHT,
    months: Sequence[dt.date] | None = None,
) -> Chart:
    """One line per series over the same x values (labels or numbers); a suppressed value leaves a gap.
    `months` (the first day of each x value's month) puts the points on a time axis: months without data
    stay empty and the line breaks there, ticks are sparse (`month_ticks`); the table still lists `x`."""

    def draw(figure: Figure) -> None:
        axes = figure.add_subplot()
        positions: list[float] = _month_positions(months) if months is not None else list(range(len(x)))
        breaks = set()
        if months is not None:
            breaks = {
                i for i in range(1, len(months)) if _month_index(months[i]) - _month_index(months[i - 1]) > 1
            }
        for index, (name, values) in enumerate(series.items()):
            xs: list[float] = []
            points: list[float] = []
            for i, (position, v) in enumerate(zip(positions, values, strict=True)):
                if i in breaks:  # no line across months without data
                    xs.append((positions[i - 1] + position) / 2)
                    points.append(float("nan"))
                xs.append(position)
                points.append(float("nan") if _hidden(v) else float(v))  # type: ignore[arg-type]
            axes.plot(xs, points, marker="o", color=PALETTE[index % len(PALETTE)], label=name)
        if months is not None:
            _month_axis(axes, months)
        else:
            rotate = len(x) > 6
            axes.set_xticks(
                positions,
                [str(v) for v in x],
                rotation=30 if rotate else 0,
                ha="right" if rotate else "center",
            )
        _localise(axes.yaxis)
        if len(series) > 1:
            axes.legend(loc="best", frameon=False)
        axes.set_title(title)
        axes.set_xlabel(x_label)
        axes.set_ylabel(y_label)

    return _render(draw, title, desc, (width, height), (x_label, y_label), _table(x_label, x, series, hidden))


@dataclass(frozen=True)
class TornadoBar:
    """One assumption: its label and the result with the assumption moved down and up."""

    label: str
    low: Number
    high: Number


@_memoised
def tornado_chart(
    *,
    title: str,
    bars: Sequence[TornadoBar],
    base: Number,
    x_label: str = "",
    low_label: str = "lower",
    high_label: str = "higher",
    desc: str = "",
    reference: Number | None = None,
    reference_label: str = "",
    width: float = WIDTH,
    height: float | None = None,
) -> Chart:
    """A tornado: for each assumption (widest first, as given) a bar from the base result to the result
    with the assumption lower and one to the result with it higher. `reference` draws a dashed line (for
    SROI, the ratio 1 : 1 where value equals inputs)."""
    height = height if height is not None else max(2.2, 1.0 + 0.32 * len(bars))

    def draw(figure: Figure) -> None:
        axes = figure.add_subplot()
        centre = float(base)
        positions = list(range(len(bars)))
        lows = [float(b.low) - centre for b in bars]
        highs = [float(b.high) - centre for b in bars]
        axes.barh(positions, lows, left=centre, color=PALETTE[0], label=low_label, height=0.6)
        axes.barh(positions, highs, left=centre, color=PALETTE[1], label=high_label, height=0.6)
        axes.axvline(centre, color="#333333", linewidth=1)
        if reference is not None:
            axes.axvline(
                float(reference), color="#D55E00", linestyle="--", linewidth=1, label=reference_label or None
            )
        axes.set_yticks(positions, [_wrapped(b.label) for b in bars], fontsize=8)
        axes.invert_yaxis()
        axes.set_title(title)
        axes.set_xlabel(x_label)
        _localise(axes.xaxis)
        figure.legend(loc="outside lower center", ncols=3, frameon=False, fontsize=8)

    series = {low_label: [b.low for b in bars], high_label: [b.high for b in bars]}
    return _render(
        draw, title, desc, (width, height), (x_label, ""), _table("", [b.label for b in bars], series, HIDDEN)
    )
