"""Charts drawn on the server as SVG with matplotlib (object API and the SVG backend; pyplot is never used).

The same SVG goes into the page and into the PDF report. Each chart carries an accessible title and
description (`<title>` and `<desc>` inside the SVG, `role="img"` and `aria-labelledby`); the page and the
report also print the numbers as a table next to it. Values that the viewer may not see (small cells)
come in as None: they are drawn as empty bars and labelled "<5", never at their true height.

This is the small local renderer until `sinergi.core.charts` lands; the two share the idea.
"""

from __future__ import annotations

import io
import re
import uuid
from collections.abc import Sequence

from django.utils.html import escape
from matplotlib.backends.backend_svg import FigureCanvasSVG
from matplotlib.figure import Figure

COLOURS = ("#0d6efd", "#fd7e14", "#198754", "#6f42c1")
WIDTH, HEIGHT = 6.4, 3.0


def _style_to_attributes(match: re.Match[str]) -> str:
    """`style="fill: #fff; stroke-width: 0.8"` → `fill="#fff" stroke-width="0.8"`: the page's CSP forbids
    inline style attributes, presentation attributes are allowed and mean the same in SVG."""
    pairs = [part.split(":", 1) for part in match.group(1).split(";") if ":" in part]
    return " ".join(f'{name.strip()}="{value.strip()}"' for name, value in pairs)


def _svg(figure: Figure, *, title: str, description: str) -> str:
    """The figure as an inline SVG element with its title and description."""
    FigureCanvasSVG(figure)
    buffer = io.StringIO()
    figure.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None})
    text = buffer.getvalue()
    text = text[text.index("<svg") :]
    text = re.sub(r"<style[^>]*>.*?</style>", "", text, flags=re.S)
    text = re.sub(r'style="([^"]*)"', _style_to_attributes, text)
    # Ids in matplotlib's SVG repeat between figures; prefix them so several charts on one page never clash.
    ident = f"c{uuid.uuid4().hex[:8]}"
    text = re.sub(r'id="([^"]+)"', rf'id="{ident}-\1"', text)
    text = re.sub(r"url\(#([^)]+)\)", rf"url(#{ident}-\1)", text)
    text = re.sub(r'xlink:href="#([^"]+)"', rf'xlink:href="#{ident}-\1"', text)
    opening = re.search(r"<svg\b[^>]*>", text)
    if opening is None:  # pragma: no cover - matplotlib always writes one
        return text
    head = (
        opening.group(0)[:-1]
        + f' role="img" aria-labelledby="{ident}-t {ident}-d" class="chart">'
        + f'<title id="{ident}-t">{escape(title)}</title><desc id="{ident}-d">{escape(description)}</desc>'
    )
    return text[: opening.start()] + head + text[opening.end() :]


def _describe(labels: Sequence[str], series: dict[str, Sequence[float | None]], hidden: str) -> str:
    parts = []
    for index, label in enumerate(labels):
        values = []
        for name, data in series.items():
            value = data[index]
            shown = hidden if value is None else f"{value:g}"
            values.append(f"{name} {shown}" if len(series) > 1 else shown)
        parts.append(f"{label}: {', '.join(values)}")
    return "; ".join(parts)


def bar_chart(
    *,
    title: str,
    labels: Sequence[str],
    series: dict[str, Sequence[float | None]],
    xlabel: str = "",
    ylabel: str = "",
    hidden: str = "<5",
    horizontal: bool = False,
) -> str:
    """Grouped bars, one group per label and one bar per series. None values are drawn empty and marked."""
    figure = Figure(figsize=(WIDTH, max(HEIGHT, 0.35 * len(labels) + 1) if horizontal else HEIGHT))
    axes = figure.add_subplot()
    count = max(len(series), 1)
    width = 0.8 / count
    positions = list(range(len(labels)))
    for number, (name, data) in enumerate(series.items()):
        offsets = [p - 0.4 + width * (number + 0.5) for p in positions]
        heights = [0 if v is None else v for v in data]
        draw = axes.barh if horizontal else axes.bar
        draw(offsets, heights, width, label=name, color=COLOURS[number % len(COLOURS)])
        for offset, value in zip(offsets, data, strict=True):
            if value is None:
                if horizontal:
                    axes.text(0, offset, f" {hidden}", va="center", fontsize=8)
                else:
                    axes.text(offset, 0, hidden, ha="center", va="bottom", fontsize=8)
    if horizontal:
        axes.set_yticks(positions, labels, fontsize=8)
        axes.invert_yaxis()
        axes.set_xlabel(ylabel)
        axes.set_ylabel(xlabel)
    else:
        axes.set_xticks(positions, labels, fontsize=8, rotation=30 if len(labels) > 5 else 0, ha="right")
        axes.set_xlabel(xlabel)
        axes.set_ylabel(ylabel)
    axes.set_title(title, fontsize=10)
    if len(series) > 1:
        axes.legend(fontsize=8)
    axes.spines[["top", "right"]].set_visible(False)
    figure.tight_layout()
    return _svg(figure, title=title, description=_describe(labels, series, hidden))


def line_chart(
    *,
    title: str,
    labels: Sequence[str],
    series: dict[str, Sequence[float | None]],
    xlabel: str = "",
    ylabel: str = "",
    hidden: str = "<5",
) -> str:
    """One line per series over the labels (periods); None leaves a gap."""
    figure = Figure(figsize=(WIDTH, HEIGHT))
    axes = figure.add_subplot()
    positions = list(range(len(labels)))
    for number, (name, data) in enumerate(series.items()):
        values = [float("nan") if v is None else v for v in data]
        axes.plot(positions, values, marker="o", label=name, color=COLOURS[number % len(COLOURS)])
    axes.set_xticks(positions, labels, fontsize=8, rotation=30 if len(labels) > 6 else 0, ha="right")
    axes.set_xlabel(xlabel)
    axes.set_ylabel(ylabel)
    axes.set_title(title, fontsize=10)
    if len(series) > 1:
        axes.legend(fontsize=8)
    axes.spines[["top", "right"]].set_visible(False)
    figure.tight_layout()
    return _svg(figure, title=title, description=_describe(labels, series, hidden))
