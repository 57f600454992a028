"""Impact charts shared by the impact pages and the joint report, drawn by the one renderer (core.charts)."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sinergi.core import charts
from sinergi.impact import domain, selectors

FIELD_LABELS = {
    "quantity": gettext_lazy("Quantity"),
    "proxy": gettext_lazy("Proxy"),
    "duration": gettext_lazy("Duration (years)"),
    "drop_off": gettext_lazy("Drop-off"),
    "deadweight": gettext_lazy("Deadweight"),
    "displacement": gettext_lazy("Displacement"),
    "attribution": gettext_lazy("Attribution"),
    "discount_rate": gettext_lazy("Discount rate"),
    "inputs": gettext_lazy("Inputs"),
}


TORNADO_ROWS = 12


def sensitivity_chart(numbers: selectors.ValueMapNumbers, step_percent: int) -> charts.Chart | None:
    """The sensitivity as a tornado chart (SVG); the sensitivity table beside it is the text alternative.
    The value-map page and the joint report show this same chart."""
    result = numbers.result
    if result is None or not numbers.sensitivity:
        return None
    rows = numbers.sensitivity[:TORNADO_ROWS]

    def label(row: domain.SensitivityRow) -> str:
        name = str(FIELD_LABELS.get(row.field, row.field))
        return f"{name} ({row.outcome_name})" if row.outcome_name else name

    widest = rows[0]
    return charts.tornado_chart(
        title=_("SROI ratio with each assumption ±%(step)s%%") % {"step": step_percent},
        bars=[charts.TornadoBar(label(r), r.ratio_low, r.ratio_high) for r in rows],
        base=result.ratio,
        x_label=_("SROI ratio (value per rupiah of inputs)"),
        low_label=_("assumption −%(step)s%%") % {"step": step_percent},
        high_label=_("assumption +%(step)s%%") % {"step": step_percent},
        reference=1,
        reference_label=_("1 : 1 (value equals inputs)"),
        desc=_(
            "The ratio now is %(ratio)s : 1. The widest swing comes from %(label)s: %(low)s with it lower, "
            "%(high)s with it higher. The table below lists every assumption."
        )
        % {
            "ratio": f"{result.ratio:.2f}",
            "label": label(widest),
            "low": f"{widest.ratio_low:.2f}",
            "high": f"{widest.ratio_high:.2f}",
        },
    )
