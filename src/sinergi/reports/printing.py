"""What the PDFs print with, prepared once per process instead of once per PDF.

WeasyPrint embeds each font face it uses as a subset, made with fontTools from the whole font file on every
PDF. DejaVu Sans covers Latin, Greek, Cyrillic, Arabic and more, and fontTools reads all of its OpenType
layout tables (kerning, ligatures for every script) before it keeps the few glyphs a report uses: the
largest single cost of printing a report. The reports are in Indonesian or English, so the fonts named
first are a Latin subset of DejaVu Sans (regular and bold, from matplotlib's copy, which is always
installed), cut once per process into a temporary directory. Text outside that subset (a name in another
script) falls back to the system's DejaVu Sans and the other families the template names, as before.

Charts go into the PDF as SVG images (`<img src="data:image/svg+xml;...">`) rather than inline SVG: the
same drawing, but WeasyPrint then does not run the HTML cascade and layout over every element of every
chart. The page keeps the inline SVG (accessible title and description); the PDF's image carries the
chart's title as its alternative text.
"""

from __future__ import annotations

import base64
import logging
import re
import tempfile
import threading
from pathlib import Path
from typing import Any

logger = logging.getLogger(__name__)

FAMILY = "Sinergi Report Sans"
# Basic Latin, Latin-1, Latin Extended-A and -B, general punctuation (dashes, quotes, bullet, ellipsis),
# the rupiah's and euro's neighbours, arrows, the minus sign and the comparison signs.
UNICODES = "U+0020-007E,U+00A0-024F,U+2000-206F,U+20A0-20CF,U+2190-2193,U+2212,U+2264-2265"

_LOCK = threading.Lock()
_FACES: dict[str, str] | None = None


def _subset(source: str, target: Path) -> None:
    from fontTools import subset

    options = subset.Options()
    options.layout_features = ["*"]  # keep kerning and ligatures for the glyphs kept
    options.name_IDs = ["*"]
    options.notdef_outline = True
    font = subset.load_font(source, options)
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=subset.parse_unicodes(UNICODES))
    subsetter.subset(font)
    subset.save_font(font, str(target), options)


def faces() -> dict[str, str]:
    """{"normal": path, "bold": path} of the Latin subsets, made on the first call; {} if that failed."""
    global _FACES
    with _LOCK:
        if _FACES is None:
            try:
                from matplotlib import font_manager

                directory = Path(tempfile.mkdtemp(prefix="sinergi-fonts-"))
                made = {}
                for weight in ("normal", "bold"):
                    face = font_manager.FontProperties(family="DejaVu Sans", weight=weight)
                    source = font_manager.findfont(face, fallback_to_default=False)
                    target = directory / f"report-sans-{weight}.ttf"
                    _subset(source, target)
                    made[weight] = str(target)
                _FACES = made
            except Exception:  # the report still prints, with the whole system fonts
                logger.exception("Could not prepare the report fonts; printing with the system fonts")
                _FACES = {}
        return _FACES


def font_css() -> str:
    """@font-face rules for FAMILY (empty when the subsets could not be made)."""
    return "\n".join(
        f'@font-face {{ font-family: "{FAMILY}"; font-weight: {weight}; src: url("{Path(path).as_uri()}"); }}'
        for weight, path in faces().items()
    )


_SVG = re.compile(r"<svg\b.*?</svg>", re.DOTALL)
_CHART_FONT = "font-family=\"'DejaVu Sans'"
_REPORT_FONT = f"font-family=\"'{FAMILY}', 'DejaVu Sans'"
_TITLE = re.compile(r"<title[^>]*>(.*?)</title>", re.DOTALL)


def _as_image(match: re.Match[str]) -> str:
    # The charts' text asks for DejaVu Sans (matplotlib's font) first: the report's subset of it comes first.
    svg = match.group(0).replace(_CHART_FONT, _REPORT_FONT)
    title = _TITLE.search(svg)
    alt = title.group(1) if title else ""  # already escaped in the SVG
    data = base64.b64encode(svg.encode()).decode("ascii")
    return f'<img class="chart" alt="{alt}" src="data:image/svg+xml;base64,{data}">'


def charts_as_images(html: str) -> str:
    """Every inline `<svg>` of the HTML as an `<img>` of the same SVG."""
    return _SVG.sub(_as_image, html)


def write_pdf(html: str) -> Any:
    """HTML to PDF bytes with WeasyPrint, the report fonts and the charts as images."""
    from weasyprint import CSS, HTML
    from weasyprint.text.fonts import FontConfiguration

    font_config = FontConfiguration()
    rules = font_css()
    stylesheets = [CSS(string=rules, font_config=font_config)] if rules else []
    return HTML(string=charts_as_images(html)).write_pdf(stylesheets=stylesheets, font_config=font_config)
