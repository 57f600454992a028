"""Server-side charts as inline SVG: one renderer for pages and PDFs.

Built on matplotlib's object API (`matplotlib.figure.Figure` drawn by the SVG backend's `FigureCanvasSVG`),
never `pyplot`, so no global figure state is shared between requests. Each function returns SVG text
without the XML declaration or DOCTYPE, ready to embed in HTML (a `SafeString`: every label is escaped by
matplotlib or here). The `<svg>` element gets `role="img"`, a `<title>` and a `<desc>` referenced by
`aria-labelledby`; text stays text (`svg.fonttype = none`), so it is searchable and scales with the page.
Callers must still show the same figures as a table next to the chart (the accessible alternative).

Output is deterministic for the same input (a fixed hash salt and no date in the metadata), which keeps
snapshots and PDFs byte-stable.
"""

from __future__ import annotations

import hashlib
import io
import re
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from xml.sax.saxutils import escape

import matplotlib
from django.utils.formats import get_format
from django.utils.safestring import SafeString, mark_safe
from matplotlib.backends.backend_svg import FigureCanvasSVG
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

Number = int | float | Decimal

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
}


def _figure(width: float, height: float) -> Figure:
    return Figure(figsize=(width, height), dpi=100, layout="constrained")


def _svg(figure: Figure, *, title: str, desc: str) -> SafeString:
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


def _render(draw: Any, *, title: str, desc: str, width: float, height: float) -> SafeString:
    with _LOCK, matplotlib.rc_context(_RC):  # type: ignore[arg-type]
        figure = _figure(width, height)
        draw(figure)
        return _svg(figure, title=title, desc=desc)


def _localise(axis: Any) -> None:
    """Tick labels with the active language's decimal separator (1,5 in Indonesian)."""
    separator = str(get_format("DECIMAL_SEPARATOR"))
    axis.set_major_formatter(FuncFormatter(lambda value, pos: f"{round(value, 6):g}".replace(".", separator)))


def _float(value: Number | None) -> float:
    return 0.0 if value is None else float(value)


def bar_chart(
    *,
    title: str,
    labels: Sequence[str],
    values: Sequence[Number | None],
    x_label: str = "",
    y_label: str = "",
    desc: str = "",
    horizontal: bool = False,
    reference: Number | None = None,
    reference_label: str = "",
    width: float = WIDTH,
    height: float = HEIGHT,
) -> SafeString:
    """Bars, one per label (vertical by default). `reference` draws a dashed line (a target, say)."""

    def draw(figure: Figure) -> None:
        axes = figure.add_subplot()
        numbers = [_float(v) for v in values]
        positions = range(len(numbers))
        if horizontal:
            axes.barh(positions, numbers, color=PALETTE[0])
            axes.set_yticks(list(positions), list(labels))
            axes.invert_yaxis()
            if reference is not None:
                axes.axvline(
                    float(reference), color="#333333", linestyle="--", linewidth=1, label=reference_label
                )
        else:
            axes.bar(positions, numbers, color=PALETTE[0])
            axes.set_xticks(list(positions), list(labels))
            if reference is not None:
                axes.axhline(
                    float(reference), color="#333333", linestyle="--", linewidth=1, label=reference_label
                )
        _localise(axes.xaxis if horizontal else axes.yaxis)
        if reference is not None and reference_label:
            axes.legend(loc="best", frameon=False)
        axes.set_title(title)
        axes.set_xlabel(x_label)
        axes.set_ylabel(y_label)

    return _render(draw, title=title, desc=desc or title, width=width, height=height)


def line_chart(
    *,
    title: str,
    x: Sequence[Any],
    series: Mapping[str, Sequence[Number | None]],
    x_label: str = "",
    y_label: str = "",
    desc: str = "",
    width: float = WIDTH,
    height: float = HEIGHT,
) -> SafeString:
    """One line per series over the same x values (labels or numbers); None leaves a gap."""

    def draw(figure: Figure) -> None:
        axes = figure.add_subplot()
        positions = list(range(len(x)))
        for index, (name, values) in enumerate(series.items()):
            points = [float("nan") if v is None else float(v) for v in values]
            axes.plot(positions, points, marker="o", color=PALETTE[index % len(PALETTE)], label=name)
        axes.set_xticks(positions, [str(v) for v in x])
        _localise(axes.yaxis)
        if len(series) > 1:
            axes.legend(loc="best", frameon=False)
        axes.set_title(title)
        axes.set_xlabel(x_label)
        axes.set_ylabel(y_label)

    return _render(draw, title=title, desc=desc or title, width=width, height=height)


@dataclass(frozen=True)
class TornadoBar:
    """One assumption: its label and the result with the assumption moved down and up."""

    label: str
    low: Number
    high: Number


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
) -> SafeString:
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
        axes.set_yticks(positions, [b.label for b in bars])
        axes.invert_yaxis()
        axes.set_title(title)
        axes.set_xlabel(x_label)
        _localise(axes.xaxis)
        figure.legend(loc="outside lower center", ncols=3, frameon=False, fontsize=8)

    return _render(draw, title=title, desc=desc or title, width=width, height=height)
