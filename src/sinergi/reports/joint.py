"""The joint periodic report (Laporan Pelaksanaan Kerja Sama): its content, then PDF and XLSX from it.

`build(...)` gathers the sections once, in the language asked, from the same selectors as the dashboard;
`render_pdf` (WeasyPrint, imported only here and only when called) and `render_xlsx` (openpyxl, one sheet
per section and a pseudonymised data sheet) write the same content. A section without data says so.
"""

from __future__ import annotations

import datetime as dt
import io
import itertools
from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any

from django.db.models import Count, QuerySet
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from sinergi.accounts.choices import Role
from sinergi.aftercare.models import AftercareCase
from sinergi.aftercare.selectors import latest_scores, partner_consent
from sinergi.core.errors import ApplicationError
from sinergi.core.suppression import Group, Unresolvable, masked, nested_groups
from sinergi.impact import access as impact_access
from sinergi.impact import domain as impact_domain
from sinergi.impact import figures as impact_figures
from sinergi.impact import selectors as impact_selectors
from sinergi.impact.models import SatisfactionSurvey, ValueMap
from sinergi.impact.templatetags.impact import decimal as decimal_text
from sinergi.partnerships.models import Agreement
from sinergi.programs.models import Certificate, Program
from sinergi.reports import access, dashboards, drilldown, exports, ring, selectors

WHOLE_SCOPE = gettext_lazy(
    "For your role this section counts everyone in your whole scope (every agreement and program you see, "
    "from their start) as of %(as_of)s, whatever agreement, program or period the report is for, so that "
    "two reports, or a report and the dashboard, cannot be subtracted to reveal a few people."
)
PARTLY_WHOLE = gettext_lazy(
    "For your role the participants by sex and age band, the funnel's screening steps (screened, eligible) "
    "and its steps from release on count everyone in your whole scope (every agreement and program you see, "
    "from their start) as of %(as_of)s, whatever agreement, program or period the report is for, and the "
    "ring areas are shown without their districts, so that two reports, or a report and the dashboard, "
    "cannot be subtracted to reveal a few people."
)
PANGO_MISSING = gettext_lazy(
    "PDF reports need the Pango libraries, which are not installed on this server. Install them with "
    "`apt-get install -y libpango-1.0-0 libpangoft2-1.0-0` (Debian or Ubuntu), then try again. The XLSX "
    "report works without them."
)
# Which version of the report this is (item of the new user's review): a TJSL officer's report masks small
# counts, counts some sections over their whole scope and aftercare over consent only, so it is never the one
# the parties sign. The cover says so, every page's footer repeats it, and its signature section has no
# blocks to sign; the full version (Kanwil officers, administrators, the command line) says it is the one
# both parties sign.
RESTRICTED_COVER = gettext_lazy(
    "Restricted version for the company: counts of fewer than 5 people are masked, some sections count "
    "your whole scope instead of this report's subject, and aftercare figures count only the participants "
    "who agreed to share them with the company, so the report the parties sign is the full version made by "
    "the Kanwil."
)
FULL_COVER = gettext_lazy(
    "Full version: no count is masked and every section counts this report's subject; this is the version "
    "both parties sign."
)
RESTRICTED_FOOTER = gettext_lazy("Restricted version for the company, not the signed report")
FULL_FOOTER = gettext_lazy("Full version, for signature")
RESTRICTED_SIGNATURES = gettext_lazy(
    "This restricted version is not signed: both parties sign the full version of this report, made by the "
    "Kanwil."
)
# Short sheet names for the XLSX (Excel allows 31 characters): whole words, unique, in the report's
# language, numbered as the sections.
SHEET_NAMES = {
    "cover": pgettext_lazy("report sheet", "Report"),
    "agreement": pgettext_lazy("report sheet", "Agreement"),
    "programs": pgettext_lazy("report sheet", "Programs"),
    "participants": pgettext_lazy("report sheet", "Participants"),
    "delivery": pgettext_lazy("report sheet", "Delivery"),
    "certificates": pgettext_lazy("report sheet", "Certificates"),
    "releases": pgettext_lazy("report sheet", "Releases"),
    "outcomes": pgettext_lazy("report sheet", "Outcomes"),
    "recidivism": pgettext_lazy("report sheet", "Recidivism"),
    "finance": pgettext_lazy("report sheet", "Finance"),
    "sroi": pgettext_lazy("report sheet", "SROI"),
    "ikm": pgettext_lazy("report sheet", "IKM"),
    "notes": pgettext_lazy("report sheet", "Notes"),
    "signatures": pgettext_lazy("report sheet", "Signatures"),
    "data": pgettext_lazy("report sheet", "Data (pseudonymised)"),
}
# What a masked cell of the XLSX means, as a note on the cell (the cell stays text).
MARK_NOTES = {
    "<5": gettext_lazy(
        "“<5” means fewer than five people: the exact number is hidden so nobody can be recognised."
    ),
    "×": gettext_lazy(
        "“×” means that this number is hidden too, although it is not small: shown beside the other "
        "figures, it would let anyone work out by subtraction a hidden number of fewer than five."
    ),
}
# The columns of a table whose figures count over an aggregate-only actor's whole scope, not the report's
# subject (`_build`'s `wide`): the count's header says so, and a section counted over it says so in its title.
WIDE_HEADER = gettext_lazy("%(header)s, whole scope")
WIDE_TITLE = gettext_lazy("%(title)s (whole scope)")
PARTLY_WIDE_TITLE = gettext_lazy("%(title)s (partly whole scope)")
# The sections counted over the whole scope with `wide`: wholly (True) or partly (False).
WIDE_SECTIONS = {"participants": False, "releases": True, "outcomes": True, "recidivism": True}
SUBJECT_HEADER = {
    "program": gettext_lazy("%(header)s, this program"),
    "agreement": gettext_lazy("%(header)s, this agreement"),
}
COUNTED_OVER = gettext_lazy("Counted over")
WIDE_OVER = gettext_lazy("whole scope")
SUBJECT_OVER = {"program": gettext_lazy("this program"), "agreement": gettext_lazy("this agreement")}
SECTION_KEYS = (
    "agreement",
    "programs",
    "participants",
    "delivery",
    "certificates",
    "releases",
    "outcomes",
    "recidivism",
    "finance",
    "sroi",
    "ikm",
    "notes",
    "signatures",
)


@dataclass
class Table:
    header: list[str]
    rows: list[list[Any]]


@dataclass
class Section:
    key: str
    title: str
    text: list[str] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    charts: list[str] = field(default_factory=list)
    empty: str = ""


@dataclass
class Signatory:
    organisation: str
    role: str
    name: str
    title: str


@dataclass
class Content:
    title: str
    subject: str
    start: dt.date
    end: dt.date
    language: str
    generated_at: dt.datetime
    sections: list[Section]
    signatories: list[Signatory]
    data_header: list[str]
    data_rows: Iterable[Sequence[Any]]
    suppressed: bool
    #: Why the data sheet has no rows (`DATA_WITHHELD`), written in it instead; not a participant's row.
    data_note: str = ""
    #: The company's restricted version (an aggregate-only actor's), not the one the parties sign.
    restricted: bool = False

    @property
    def version_note(self) -> str:
        """One sentence on the cover, in the report's language: which version this is, which one is signed."""
        with translation.override(self.language):
            return str(RESTRICTED_COVER if self.restricted else FULL_COVER)

    @property
    def version_footer(self) -> str:
        """The same, short, in every page's footer."""
        with translation.override(self.language):
            return str(RESTRICTED_FOOTER if self.restricted else FULL_FOOTER)


class Number(str):
    """A figure that is not a count of people: a fraction shown as a percentage, rupiah, a ratio or a
    decimal. As text (a `str`) it is written in the language active when it was made, the report's; the
    PDF writes `text()` in the report's language, and the XLSX stores `value` with a number format
    (`XLSX_FORMATS`), so that a spreadsheet can add it up."""

    value: Decimal | int
    kind: str  # "percent" (a fraction: 0.25 is 25%), "rupiah", "ratio", "decimal"

    def __new__(cls, value: Decimal | int, kind: str) -> Number:
        number = super().__new__(cls, _number_text(value, kind))
        number.value, number.kind = value, kind
        return number

    def text(self) -> str:
        """The figure written in the active language."""
        return _number_text(self.value, self.kind)

    def __repr__(self) -> str:
        return f"Number({self.value!r}, {self.kind!r})"


def _number_text(value: Decimal | int, kind: str) -> str:
    if kind == "percent":
        return _pct(value)
    if kind == "rupiah":
        return str(_n(int(value)))
    if kind == "ratio":
        return f"{decimal_text(value, 2)} : 1"
    return decimal_text(value, 2)


XLSX_FORMATS = {"percent": "0.0%", "rupiah": '"Rp" #,##0', "ratio": "0.00", "decimal": "0.00"}


def _number(value: Any, kind: str) -> Any:
    """`Number(value, kind)`, or "—" for no value."""
    if value is None or value == "":
        return "—"
    return Number(value if isinstance(value, int) and kind == "rupiah" else Decimal(str(value)), kind)


def _d(value: dt.date | None) -> str:
    return date_format(value, "j F Y") if value else "—"


def _n(value: Any) -> Any:
    if isinstance(value, Number):
        return value.text()
    if isinstance(value, int):
        return f"{value:,}".replace(",", ".") if translation.get_language() == "id" else f"{value:,}"
    return "—" if value is None else value


def build(
    *,
    actor: Any,
    agreement: Agreement | None,
    program: Program | None,
    start: dt.date,
    end: dt.date,
    language: str,
    notes: str = "",
    progress: Callable[[int, int, str], None] | None = None,
    requester: str = "",
) -> Content:
    """Gather the report's sections in `language`. `progress(done, total, message)` after each section.
    `requester`: whose pseudonyms the data sheet holds (`exports.requester_of`; by default the actor's)."""
    with translation.override(language):
        requester = requester or exports.requester_of(actor)
        return _build(actor, agreement, program, start, end, language, notes, progress, requester)


def _build(
    actor: Any,
    agreement: Agreement | None,
    program: Program | None,
    start: dt.date,
    end: dt.date,
    language: str,
    notes: str,
    progress: Callable[[int, int, str], None] | None,
    requester: str,
) -> Content:
    the_agreement = agreement or (program.agreement if program else None)
    filters = selectors.Filters(
        start=start,
        end=end,
        agreement=agreement.pk if agreement else None,
        program=program.pk if program else None,
    )
    scope = selectors.scope_of(actor, filters)
    if program is not None:
        programs = Program.objects.filter(pk=program.pk)
    elif agreement is not None:
        programs = Program.objects.filter(selectors.agreement_q(agreement.pk, "agreement"))
    else:  # pragma: no cover - the service requires one of them
        programs = Program.objects.none()
    programs = programs.select_related("agreement").order_by("start_date", "name")

    # Aggregate-only roles (TJSL officers): the sections about what they may not list person by person
    # (participants by sex and age, releases and aftercare, outcomes and the independence index, recidivism)
    # are counted over the actor's whole scope, the unfiltered dashboard's (`wide`), as of the last quarter
    # end on or before the report's end (today when the report runs to today or later: `wide_as_of`, the
    # as-of dates `impact.access.as_of_problems` allows these roles). So they are the same for every report
    # of the quarter, whatever its agreement, program or period, and the same as the dashboard's on a
    # quarter's last day: two reports, or a report and the dashboard, cannot be subtracted. They count only
    # what was recorded by that day (`Scope.recorded_by`: enrolments, releases, follow-ups, certificates,
    # screening runs, the consent to share as it stood, ages on that day), so reports as of the same quarter
    # end made on different days count the same. Every figure of the report is masked in one call with the
    # totals its tables add up to (`_Figures`).
    guarded = access.aggregates_only(actor)
    as_of = wide_as_of(end, today=timezone.localdate())
    wide = (
        selectors.scope_of(
            actor,
            selectors.Filters() if as_of >= timezone.localdate() else selectors.Filters(end=as_of),
            today=as_of,
            recorded_by=as_of,
        )
        if guarded
        else scope
    )
    wide_note = str(WHOLE_SCOPE % {"as_of": _d(as_of)}) if wide is not scope else ""
    figures = _Figures.gather(actor, scope, wide, programs, start, end, as_of)
    # With `wide`, a table's counts say over what they count: the whole scope, or the report's subject.
    subject_kind = "program" if program is not None else "agreement"

    def over_wide(header: str) -> str:
        return str(WIDE_HEADER % {"header": header}) if wide_note else header

    def over_subject(header: str) -> str:
        return str(SUBJECT_HEADER[subject_kind] % {"header": header}) if wide_note else header

    sections: list[Section] = []
    builders: list[tuple[str, str, Callable[[Section], None]]] = []

    def section(key: str, title: str) -> Callable[[Callable[[Section], None]], Callable[[Section], None]]:
        def register(fn: Callable[[Section], None]) -> Callable[[Section], None]:
            builders.append((key, title, fn))
            return fn

        return register

    @section("agreement", _("The agreement"))
    def _agreement(s: Section) -> None:
        if the_agreement is None:
            s.empty = _("No agreement.")
            return
        a = the_agreement
        s.tables.append(
            Table(
                [_("Item"), _("Value")],
                [
                    [_("Number"), a.number],
                    [_("Title"), a.title],
                    [_("Kind"), a.get_kind_display()],
                    [_("In force"), f"{_d(a.start_date)} – {_d(a.end_date)}"],
                    [_("Signed"), f"{_d(a.signed_on)} {a.signed_place}".strip()],
                ],
            )
        )
        parties = a.parties.select_related("organisation").order_by("pk")
        s.tables.append(
            Table(
                [_("Party"), _("Role"), _("Signatory")],
                [[p.organisation.name, p.get_role_display(), p.signatory_name or "—"] for p in parties],
            )
        )
        districts = list(a.focus_districts.order_by("code").values_list("code", "name"))
        if districts:
            s.text.append(
                _("Ring districts: %(list)s") % {"list": ", ".join(f"{n} ({c})" for c, n in districts)}
            )

    @section("programs", _("Programs, pillar and SDGs"))
    def _programs(s: Section) -> None:
        rows = []
        for p in programs:
            goals = ", ".join(str(g) for g in p.sdg_targets) or "—"
            targets = ", ".join(impact_selectors.sdg_tags(program=p)) or "—"
            rows.append(
                [
                    p.name,
                    p.get_program_type_display(),
                    p.get_pillar_display(),
                    goals,
                    targets,
                    _d(p.start_date),
                    _d(p.end_date),
                ]
            )
        if not rows:
            s.empty = _("No programs under this agreement.")
            return
        s.tables.append(
            Table(
                [
                    _("Program"),
                    _("Type"),
                    _("Pillar"),
                    _("SDG goals"),
                    _("SDG targets"),
                    _("Start"),
                    _("End"),
                ],
                rows,
            )
        )

    @section("participants", _("Participants and the funnel"))
    def _participants(s: Section) -> None:
        stages = figures.funnel
        if not any(st.count for st in stages):
            s.empty = _("No participants in this period.")
            return
        rows = [
            [
                dashboards.funnel_label(st.key, st.label),
                figures.shown("funnel", st.key) if st.count is not None else _("not recorded yet"),
            ]
            for st in stages
        ]
        header = [_("Stage"), _("How many")]
        if wide_note:  # each step says whether it counts the report's subject or the whole scope
            header.append(str(COUNTED_OVER))
            for row, st in zip(rows, stages, strict=True):
                row.append(str(WIDE_OVER if st.key in WIDE_STAGES else SUBJECT_OVER[subject_kind]))
        s.tables.append(Table(header, rows))
        s.text.append(str(dashboards.FUNNEL_BRANCH_NOTE))
        # The chart draws only the steps that count the report's subject (with `wide`, the others count the
        # whole scope: beside the subject's own zeros they would read as its figures).
        funnel = dashboards.funnel_chart(
            [
                dashboards.Figure(
                    dashboards.funnel_label(st.key, st.label), figures.shown("funnel", st.key), key=st.key
                )
                for st in stages
                if not (wide_note and st.key in WIDE_STAGES)
            ]
        )
        if funnel is not None:
            s.charts.append(funnel)
        reached, ring_rows, ring_shown = figures.reached, figures.ring_rows, figures.ring_shown
        if wide_note:  # sex and age, and the funnel's steps from release on: the whole agreement (`wide`)
            s.text.append(str(PARTLY_WHOLE % {"as_of": _d(as_of)}))
        s.tables.append(
            Table([_("Sex"), over_wide(_("People"))], [[label, n] for _k, label, n in reached["sex"]])
        )
        s.tables.append(
            Table([_("Age band"), over_wide(_("People"))], [[label, n] for _k, label, n in reached["age"]])
        )
        s.tables.append(
            Table([_("Unit"), over_subject(_("People"))], [[label, n] for _k, label, n in reached["unit"]])
        )
        # By the agreement's ring areas (reports.ring): each ring district, then outside them.
        ring_rows = [row for row in ring_rows if row[0] in ring_shown]
        s.tables.append(
            Table(
                [_("Ring area"), over_subject(_("People"))],
                [[label, ring_shown[key]] for key, label, _n in ring_rows],
            )
        )
        ring_chart = dashboards.ring_chart(
            [dashboards.Figure(label, ring_shown[key], key=key) for key, label, _n in ring_rows]
        )
        if ring_chart is not None:
            s.charts.append(ring_chart)

    @section("delivery", _("Delivery"))
    def _delivery(s: Section) -> None:
        months = selectors.delivery(scope)
        if not months:
            s.empty = _("No sessions held in this period.")
            return
        s.tables.append(
            Table(
                [_("Month"), _("Sessions held"), _("Attendance rate")],
                [
                    [
                        date_format(m.month, "F Y"),
                        m.sessions,
                        _number(None if m.rate is None else Decimal(m.rate) / 100, "percent"),
                    ]
                    for m in months
                ],
            )
        )
        s.charts.append(dashboards.attendance_chart(months))

    @section("certificates", _("Certificates"))
    def _certificates(s: Section) -> None:
        table = [
            [competency, issuer, figures.shown("cert", index)]
            for index, (competency, issuer, _n) in enumerate(figures.certificates)
        ]
        if not table:
            s.empty = _("No certificates issued in this period.")
            return
        s.tables.append(Table([_("Competency"), _("Issuer"), _("Certificates")], table))

    @section("releases", _("Releases and aftercare"))
    def _releases(s: Section) -> None:
        if wide_note:
            s.text.append(wide_note)
        s.tables.append(
            Table(
                [_("Item"), over_wide(_("How many"))],
                [
                    [_("Participants released"), figures.shown("release", "released")],
                    [_("Participants released within 90 days"), figures.shown("release", "soon")],
                ],
            )
        )
        rows = [[name, figures.shown("bapas", index)] for index, (name, _n) in enumerate(figures.cases)]
        if rows:
            s.tables.append(Table([_("Guiding Bapas"), over_wide(_("Cases opened"))], rows))
        else:
            s.text.append(_("No aftercare cases opened in this period."))

    @section("outcomes", _("Outcomes and the independence index"))
    def _outcomes(s: Section) -> None:
        if wide_note:
            s.text.append(wide_note)
        counts = figures.outcomes
        labels = {
            "participant": _("Participants"),
            "completion": _("Completions"),
            "certificate": _("Certificates"),
            "in_work_6m": _("In work or business at 6 months"),
        }
        counts = {k: v for k, v in counts.items() if k in labels}
        s.tables.append(
            Table(
                [_("Outcome"), over_wide(_("How many"))],
                [
                    [
                        labels.get(k, k),
                        figures.shown("outcome", k) if v is not None else _("not recorded yet"),
                    ]
                    for k, v in counts.items()
                ],
            )
        )
        # The dashboard's rule for the requester (drilldown.independence_rows: the aftercare app's scope,
        # so TJSL officers count only participants who agreed to share), so a figure never differs between
        # the page and the report for the same person; `actor=None` (the system) counts every case.
        scored_by = as_of if wide is not scope else None  # the latest score by the quarter end
        rows = drilldown.independence_rows(wide, as_of=scored_by)
        if rows is None:
            s.text.append(_("The independence index is not shown for your role."))
            return
        shown = dashboards.independence_masked(actor, rows)
        s.tables.append(
            Table(
                [_("Independence index, latest score"), over_wide(_("People"))],
                [[label, shown[key]] for key, label, _n in rows],
            )
        )
        # Only TJSL officers' aftercare scope turns on consent (the others' follow their region or unit).
        if access.role_of(actor) == Role.CSR_OFFICER and latest_scores(as_of=scored_by).filter(
            case__enrollment__in=wide.enrollments.values("pk")
        ).count() > sum(n for _key, _label, n in rows):
            s.text.append(
                _(
                    "The independence index counts only the participants who agreed to share their "
                    "aftercare information with the company."
                )
            )

    @section("recidivism", _("Recidivism"))
    def _recidivism(s: Section) -> None:
        rec = selectors.recidivism(wide, months=12)
        if rec is None:
            s.empty = _("No programs in this period.")
            return
        if wide_note:
            s.text.append(wide_note)
        result = rec.result
        rows = []
        for label, group in (
            (_("Participants"), rec.participants),
            (_("Comparison group"), rec.comparison),
        ):
            if group.suppressed:
                rows.append([label, _("too few to report"), "—", "—", "—", "—"])
            else:
                low, high = (group.interval.low, group.interval.high) if group.interval else (None, None)
                reoffended = group.reoffended if group.reoffended is not None else group.reoffended_mark
                rows.append(
                    [
                        label,
                        group.n,
                        reoffended,
                        _number(group.rate, "percent"),
                        _number(low, "percent"),
                        _number(high, "percent"),
                    ]
                )
        s.text.append(
            _(
                "Released from %(start)s; re-offence within %(months)s months, counted when the window "
                "closed by %(as_of)s."
            )
            % {"start": _d(result.start), "months": result.months, "as_of": _d(result.as_of)}
        )
        s.tables.append(
            Table(
                [
                    _("Group"),
                    over_wide(_("People")),
                    _("Re-offended"),
                    _("Rate"),
                    _("95% CI, low"),
                    _("95% CI, high"),
                ],
                rows,
            )
        )
        if rec.difference is not None and rec.difference_interval is not None:
            s.text.append(
                _("Difference (matched participants − comparison): %(d)s (95%% CI %(low)s – %(high)s)")
                % {
                    "d": _pct(rec.difference),
                    "low": _pct(rec.difference_interval.low),
                    "high": _pct(rec.difference_interval.high),
                }
            )

    @section("finance", _("Finance"))
    def _finance(s: Section) -> None:
        rows = selectors.budget(selectors.scope_of(None, filters)) or []
        if not rows:
            s.empty = _("No budget recorded for these programs.")
            return
        period = impact_selectors.inputs_for(programs=programs, start=start, end=end)
        s.tables.append(
            Table(
                [_("Program"), _("Budget (Rp)"), _("Realisation to date (Rp)"), _("Realisation (%)")],
                [
                    [
                        r.name,
                        _number(r.budget, "rupiah"),
                        _number(r.spent, "rupiah"),
                        _number(None if r.percent is None else Decimal(str(r.percent)) / 100, "percent"),
                    ]
                    for r in rows
                ],
            )
        )
        s.tables.append(
            Table(
                [_("In this period"), _("Rp")],
                [
                    [_("Realisation"), _number(period["realisation"], "rupiah")],
                    [_("In-kind contributions"), _number(period["in_kind"], "rupiah")],
                    [_("Total"), _number(period["total"], "rupiah")],
                ],
            )
        )
        s.charts.append(dashboards.budget_chart(rows))

    @section("sroi", _("SROI with sensitivity"))
    def _sroi(s: Section) -> None:
        maps = ValueMap.objects.filter(
            models_q_program_or_agreement(programs, the_agreement if agreement is not None else None)
        ).order_by("title", "pk")
        found = False
        for value_map in maps:
            numbers = impact_selectors.value_map_numbers(value_map, actor=actor)
            if numbers.result is None:
                s.text.append(
                    _("%(title)s: not computable yet (the value map is incomplete).")
                    % {"title": value_map.title}
                )
                continue
            found = True
            result = numbers.result
            if numbers.reach_note:
                # The inputs, as the live figures, count only the programs the reader reaches whole.
                s.text.append(f"{value_map.title}: {numbers.reach_note}")
            s.tables.append(
                Table(
                    [value_map.title, ""],
                    [
                        [_("Inputs (Rp)"), _number(int(result.inputs), "rupiah")],
                        [_("Present value (Rp)"), _number(int(result.present_value), "rupiah")],
                        [_("SROI ratio"), _number(result.ratio, "ratio")],
                    ],
                )
            )
            rows = [
                [
                    row.outcome_name or "—",
                    str(impact_figures.FIELD_LABELS.get(row.field, row.field)),
                    _number(row.ratio_low, "decimal"),
                    _number(row.ratio_high, "decimal"),
                ]
                for row in numbers.sensitivity[: impact_figures.TORNADO_ROWS]
            ]
            if rows:
                s.tables.append(
                    Table([_("Outcome"), _("Assumption"), _("Ratio, low"), _("Ratio, high")], rows)
                )
                tornado = impact_figures.sensitivity_chart(numbers, int(impact_domain.DEFAULT_STEP * 100))
                if tornado is not None:
                    s.charts.append(tornado)
        if not found and not s.text:
            s.empty = _("No value map for these programs.")

    @section("ikm", _("Community satisfaction index (IKM)"))
    def _ikm(s: Section) -> None:
        surveys = SatisfactionSurvey.objects.filter(program__in=programs).order_by("title", "pk")
        rows = []
        for survey in surveys:
            results = impact_selectors.survey_results(actor=actor, survey=survey)
            if results.result is None or results.result.ikm is None:
                rows.append([survey.title, results.respondents, "—", "—"])
            else:
                band = results.result.band
                rows.append(
                    [
                        survey.title,
                        results.respondents,
                        _number(results.result.ikm, "decimal"),
                        band.grade if band else "—",
                    ]
                )
        if not rows:
            s.empty = _("No IKM survey for these programs.")
            return
        s.tables.append(Table([_("Survey"), _("Respondents"), _("IKM"), _("Grade")], rows))

    @section("notes", _("Notes"))
    def _notes(s: Section) -> None:
        if notes.strip():
            s.text.extend(line for line in notes.strip().splitlines() if line.strip())
        else:
            s.empty = _("No notes.")

    restricted = access.aggregates_only(actor)

    @section("signatures", _("Signatures"))
    def _signatures(s: Section) -> None:
        # The company's restricted version is not the report the parties sign: no blocks invite them to.
        s.text.append(str(RESTRICTED_SIGNATURES) if restricted else _("Approved by both parties:"))

    total = len(builders)
    for done, (key, title, fn) in enumerate(builders, start=1):
        s = Section(key, title)
        fn(s)
        if wide_note and key in WIDE_SECTIONS and s.tables:  # its title says it is not the subject's alone
            s.title = str((WIDE_TITLE if WIDE_SECTIONS[key] else PARTLY_WIDE_TITLE) % {"title": title})
        sections.append(s)
        if progress:
            progress(done, total + 1, title)

    signatories = []
    if the_agreement is not None and not restricted:
        for p in the_agreement.parties.select_related("organisation").order_by("pk"):
            signatories.append(
                Signatory(p.organisation.name, p.get_role_display(), p.signatory_name, p.signatory_title)
            )
    # Pseudonyms of the report's maker (`requester`), as in their list exports of purpose "report". The
    # columns are those every party's lists show by name, whoever makes the report (never sex, age band,
    # domicile or dates): the full version is the one both parties sign, so the company receives the
    # Kanwil's data sheet, and its officer could match those rows to the names on their own lists through
    # program, cohort, unit and stage alone (docs/security.md, "What this does not protect").
    export = exports.ExportRequest(
        purpose="report", fmt="xlsx", identities=False, reason="", requester=requester
    )
    participants = scope.enrollments.filter(stage__in=selectors.PARTICIPANT_STAGES)
    header, rows = exports.participant_table(
        selectors.enrollment_rows(participants), export, attributes=False
    )
    if access.aggregates_only(actor) and access.refuses_small_list(
        actor, participants.order_by().values("person_id").distinct().count()
    ):
        # The rows would count what the report shows as "<5" (its stages, certificates, areas), the list the
        # same officer is refused on the page and in the export (`lists._refuse_small`).
        rows, data_note = iter(()), str(DATA_WITHHELD)
    else:
        data_note = ""
    subject = (
        _("Program %(name)s") % {"name": program.name}
        if program is not None
        else _("Agreement %(number)s") % {"number": the_agreement.number if the_agreement else ""}
    )
    return Content(
        title=_("Partnership implementation report"),
        subject=subject,
        start=start,
        end=end,
        language=language,
        generated_at=timezone.localtime(),
        sections=sections,
        signatories=signatories,
        data_header=[str(h) for h in header],
        data_rows=rows,
        suppressed=access.aggregates_only(actor),
        data_note=data_note,
        restricted=restricted,
    )


def wide_as_of(end: dt.date, *, today: dt.date) -> dt.date:
    """The date an aggregate-only actor's whole-scope sections count up to: today when the report runs to
    today or later, else the last quarter's end on or before `end` (`impact.access.QUARTER_ENDS`)."""
    return impact_access.aggregate_as_of(end, today=today)


DATA_WITHHELD = gettext_lazy(
    "The rows are left out: this report counts fewer than 5 participants, and a row per person would show "
    "the numbers the report hides as “<5”."
)
AFTERCARE_STAGES = ("released", "followed_up", "in_work")
# The funnel's steps counted over `wide` for aggregate-only actors: the screening steps too, which they do
# not list either (screening follows the report's program and period otherwise, and one agreement's report
# minus one program's would give the other program's hidden "<5").
WIDE_STAGES = ("screened", "eligible", *AFTERCARE_STAGES)
# The funnel's nested steps, each chain counted over one scope (`dashboards.FUNNEL_CHAINS`, without the
# link from enrolled to released, which count over different scopes for aggregate-only actors).
NESTED_STAGES = (("screened", "eligible"), ("enrolled", "completed", "certified"), AFTERCARE_STAGES)
OUTCOME_KEYS = ("participant", "completion", "certificate", "in_work_6m")
# The funnel's and the outcomes' counts of the same people (aggregate-only roles count both over the whole
# scope as of the same day), each a subset of the one before it.
OUTCOME_CHAINS = (
    (("funnel", "in_work"), ("outcome", "in_work_6m")),
    (("outcome", "participant"), ("funnel", "released")),
)


@dataclass
class _Figures:
    """The report's person counts, gathered once and, for aggregate-only actors, masked together.

    A table masked on its own gives a hidden cell back when the report shows what it adds up to elsewhere:
    the certificates by competency add up to (at most) the certified of the funnel and the certificates of
    the outcomes; the cases per guiding Bapas to the participants released (table and funnel). So the
    cells of those tables and those totals are one `core.suppression.masked` call with a `Group` per
    relation (a total that exceeds the sum of its parts only makes the masking hide more). The
    people-reached tables are masked by `dashboards.reach_masked`; a total it had to hide is hidden where
    the report shows it too (the funnel's enrolled, the outcomes' participants). `cells` holds every count
    as shown."""

    funnel: list[selectors.FunnelStage]
    certificates: list[tuple[str, str, int]]
    cases: list[tuple[str, int]]
    outcomes: dict[str, int | None]
    reached: dict[str, list[tuple[str, str, Any]]]
    ring_rows: list[tuple[str, str, int]]
    ring_shown: dict[str, Any]
    cells: dict[Hashable, Any]

    def shown(self, table: str, key: Hashable) -> Any:
        return self.cells[(table, key)]

    @classmethod
    def gather(
        cls,
        actor: Any,
        scope: selectors.Scope,
        wide: selectors.Scope,
        programs: QuerySet[Program],
        start: dt.date,
        end: dt.date,
        as_of: dt.date,
    ) -> _Figures:
        guarded = access.aggregates_only(actor)
        stages = selectors.funnel(scope)
        if guarded and wide is not scope:  # screening and the steps from release on: over `wide`
            after = {st.key: st for st in selectors.funnel(wide) if st.key in WIDE_STAGES}
            stages = [after.get(st.key, st) for st in stages]
        certificates = [
            (r["competency"], r["issuer"], r["n"])
            for r in Certificate.objects.counted()
            .filter(enrollment__in=scope.enrollments, issued_on__range=(start, end))
            .values("competency", "issuer")
            .annotate(n=Count("pk"))
            .order_by("competency", "issuer")
        ]
        released = {"released_on__range": (start, end)} if wide is scope else {"released_on__lte": as_of}
        handed_over = AftercareCase.objects.filter(enrollment__in=wide.enrollments, **released)
        if impact_selectors.consent_only_for(actor):
            # As the funnel's steps from release on: a TJSL officer counts only the cases of participants who
            # agreed to share with the company (by `as_of`). A "<5" Bapas row said that a participant who did
            # not was released and handed over to that Bapas, which their domicile names.
            handed_over = handed_over.filter(partner_consent(as_of=as_of))
        cases = [
            (r["bapas__name"], r["n"])
            for r in handed_over.values("bapas__name").annotate(n=Count("pk")).order_by("bapas__name")
        ]
        # Outcomes count every cohort of a program: only programs whose every cohort the reader reaches
        # (`impact.selectors.programs_reached`; attacker review: a program under an addendum of a PKS of the
        # Kanwil's MoU, with a cohort at one of its units, counted another region's cohort exactly).
        outcome_programs = impact_selectors.programs_reached(
            actor,
            Program.objects.filter(pk__in=wide.programs.values("pk"))
            if wide is not scope
            else programs.filter(pk__in=scope.programs.values("pk")),
        )
        consented_only = impact_selectors.consent_only_for(actor)
        counts = (
            # Over `wide`, as recorded by its date, like the other whole-scope sections: reports as of the
            # same quarter end, made on different days, then count the same.
            selectors.outcome_counts_as_of(
                programs=outcome_programs, as_of=as_of, consented_only=consented_only
            )
            if wide is not scope
            else impact_selectors.outcome_counts(programs=outcome_programs, consented_only=consented_only)
        )
        outcomes = {key: counts.get(key) for key in OUTCOME_KEYS if key in counts}
        raw: dict[Hashable, int | None] = {
            **{("funnel", st.key): st.count for st in stages},
            **{("cert", i): n for i, (_c, _i, n) in enumerate(certificates)},
            ("release", "released"): selectors.metric_queryset(wide, "released").count(),
            ("release", "soon"): selectors.releases_soon_count(wide),
            **{("bapas", i): n for i, (_b, n) in enumerate(cases)},
            **{("outcome", key): n for key, n in outcomes.items()},
        }
        reached = selectors.reached(scope)
        ring_rows = ring.reached_by_ring(scope)
        if not guarded:
            _shown, ring_shown = dashboards.reach_masked(actor, reached, ring_rows)
            return cls(stages, certificates, cases, outcomes, reached, ring_rows, ring_shown, dict(raw))
        # Unit and ring areas for the report's programs and period, the ring areas without their districts
        # (a district row of one program's report against the dashboard's would give its other programs'
        # people); sex and age over `wide`.
        ring_rows = [row for row in ring_rows if row[0] in ring.KEYS]
        total = ("total", "")
        here, ring_shown = dashboards.reach_masked(
            actor, {k: v for k, v in reached.items() if k in ("total", "unit")}, ring_rows
        )
        # A monitor's program table hides cells of the report's programs: the report's own counts of them
        # (its people by unit, its funnel) would give those back (a program at one unit: that unit's row is
        # its participants), so they are hidden too (`_hidden_in_program_table`).
        table_hides = _hidden_in_program_table(actor, scope)
        if "participants" in table_hides:
            here = {cell: "×" if n else n for cell, n in here.items()}
            ring_shown = {key: "×" if n else n for key, n in ring_shown.items()}
        everywhere = selectors.reached(wide) if wide is not scope else reached
        there, _ring = dashboards.reach_masked(
            actor, {k: v for k, v in everywhere.items() if k in ("total", "sex", "age")}, []
        )
        shown_reached = {
            "unit": [(key, label, here[("unit", key)]) for key, label, _n in reached["unit"]],
            **{
                name: [(key, label, there[(name, key)]) for key, label, _n in everywhere[name]]
                for name in ("sex", "age")
            },
        }
        counted = {key: n for key, n in raw.items() if n is not None}
        cert_parts = [("cert", i) for i in range(len(certificates))]
        bapas_parts = [("bapas", i) for i in range(len(cases))]
        unseen: list[Hashable] = []
        released_totals = (("release", "released"), ("funnel", "released"))
        shown_cases = sum(counted.get(part, 0) for part in bapas_parts)
        if consented_only:
            # A TJSL officer's Bapas rows count only the participants who agreed to share; the releases count
            # everyone released. What the rows leave out is a count of people too, never shown: a part of
            # each total, so that the difference between a total and its shown rows is never 1 to 4.
            for release_total in released_totals:
                left_out = int(counted.get(release_total) or 0) - shown_cases
                counted[("bapas-gap", release_total)] = max(left_out, 0)
                unseen.append(("bapas-gap", release_total))
        groups = [
            Group(parts=cert_parts, total=("funnel", "certified")),
            Group(parts=cert_parts, total=("outcome", "certificate")),
            *(
                Group(parts=[*bapas_parts, *_gap_of(release_total, consented_only)], total=release_total)
                for release_total in released_totals
            ),
        ]
        for chain in NESTED_STAGES:  # two shown neighbours never differ by a small count
            gaps, chained = nested_groups(counted, [("funnel", key) for key in chain], tag=("gap", chain))
            counted |= gaps
            unseen += gaps
            groups += chained
        # The outcomes count the same people as of the same day: in work at 6 months ⊆ in work, and the
        # released ⊆ the participants. Masked apart, a shown "in work at 6 months" narrowed (or gave back)
        # a hidden "in work" (review: 8 followed up, "×" in work, 7 in work at 6 months: exactly 7).
        for pair in OUTCOME_CHAINS:
            gaps, chained = nested_groups(counted, list(pair), tag=("gap", pair))
            counted |= gaps
            unseen += gaps
            groups += chained
        given: dict[Hashable, bool] = {
            ("funnel", stage): True
            for stage, column in access.MONITOR_PROGRAM_STAGES.items()
            if column in table_hides and counted.get(("funnel", stage))
        }
        try:
            masked_cells = masked(counted, groups, unseen=unseen, given=given)
        except Unresolvable:
            masked_cells = {key: "×" if n else n for key, n in counted.items()}
        cells: dict[Hashable, Any] = dict(raw) | masked_cells
        # A total the people-reached masking had to hide is hidden where the report shows it as well.
        for hidden_total, cell in (
            (here[total], ("funnel", "enrolled")),
            (there[total], ("outcome", "participant")),
        ):
            if not isinstance(hidden_total, int) and isinstance(cells.get(cell), int):
                cells[cell] = "×"
        return cls(stages, certificates, cases, outcomes, shown_reached, ring_rows, ring_shown, cells)


def _gap_of(total: Hashable, consented_only: bool) -> list[Hashable]:
    """The never-shown part of a release total that a TJSL officer's Bapas rows leave out (see `gather`)."""
    return [("bapas-gap", total)] if consented_only else []


def _hidden_in_program_table(actor: Any, scope: selectors.Scope) -> set[str]:
    """For a monitor, the columns (participants, completed, certified) in which the program table, as
    every page shows it (`programs.selectors.program_figures`), hides a cell of one of the scope's
    programs; empty for everyone else."""
    if access.role_of(actor) != Role.MONITOR:
        return set()
    from sinergi.programs.selectors import program_figures

    ours = set(scope.programs.values_list("pk", flat=True))
    return {
        column
        for row in program_figures()
        if row.get("program_id") in ours
        for column in access.MONITOR_PROGRAM_STAGES.values()
        if not isinstance(row[column], int)
    }


def _pct(value: Any) -> str:
    if value is None:
        return "—"
    text = f"{Decimal(value) * 100:.1f}%"
    return text.replace(".", ",") if translation.get_language() == "id" else text


def models_q_program_or_agreement(programs: Any, agreement: Agreement | None) -> Any:
    from django.db.models import Q

    condition = Q(program__in=programs)
    if agreement is not None:
        condition |= Q(agreement=agreement) | Q(agreement__parent=agreement)
    return condition


# --- Rendering ---------------------------------------------------------------------------------------------


def render_html(content: Content) -> str:
    """The report as HTML for WeasyPrint: numbers written with the language's thousands separator."""
    with translation.override(content.language):
        sections = [
            replace(s, tables=[Table(t.header, [[_n(v) for v in row] for row in t.rows]) for t in s.tables])
            for s in content.sections
        ]
        return render_to_string("reports/joint/report.html", {"report": replace(content, sections=sections)})


def render_pdf(content: Content) -> bytes:
    """The report as PDF with WeasyPrint. A missing Pango raises ApplicationError saying how to install it."""
    return html_to_pdf(render_html(content))


def html_to_pdf(html: str) -> bytes:
    """HTML to PDF with WeasyPrint, imported only here. No Pango: ApplicationError saying what to install."""
    try:
        import weasyprint  # noqa: F401  (the shared libraries load on import)
    except OSError as exc:  # the shared libraries (Pango, HarfBuzz) could not be loaded
        raise ApplicationError(str(PANGO_MISSING), code="pango_missing") from exc
    from sinergi.reports import printing

    return bytes(printing.write_pdf(html))


def render_xlsx(content: Content) -> bytes:
    """The report as XLSX: a cover sheet, one sheet per section, and the pseudonymised data sheet.

    Percentages, rupiah and ratios are numbers with a number format (`XLSX_FORMATS`), counts are numbers;
    a masked count ("<5", "×") stays text, with a note that says what it means. Sheets have short names in
    the report's language (`SHEET_NAMES`), numbered as the sections, within Excel's 31 characters."""
    with translation.override(content.language):
        sheets: list[tuple[str, Sequence[str], Iterable[Sequence[Any]]]] = []
        cover = [
            [content.subject],
            [_("Period"), f"{_d(content.start)} – {_d(content.end)}"],
            [_("Generated"), date_format(content.generated_at, "DATETIME_FORMAT")],
            [content.version_note],
        ]
        if content.suppressed:
            cover.append([_("Counts of fewer than 5 people are shown as “<5”.")])
        sheets.append((str(SHEET_NAMES["cover"]), [content.title], cover))
        for number, s in enumerate(content.sections, start=1):
            rows: list[list[Any]] = []
            if s.empty:
                rows.append([s.empty])
            rows.extend([line] for line in s.text)
            for table in s.tables:
                rows.append([])
                rows.append(list(table.header))
                rows.extend([_xlsx_value(v) for v in row] for row in table.rows)
            if s.key == "signatures":
                for sig in content.signatories:
                    rows.append([])
                    rows.append([sig.organisation, sig.role])
                    rows.append([sig.name or "", sig.title or ""])
            sheets.append((sheet_name(number, s.key), [s.title], rows))
        data: Iterable[Sequence[Any]] = content.data_rows
        if content.data_note:
            data = itertools.chain([[content.data_note]], data)
        sheets.append((str(SHEET_NAMES["data"]), content.data_header, data))
        handle = exports.xlsx_file(sheets)
    with handle:
        return bytes(handle.read())


def sheet_name(number: int, key: str) -> str:
    """A section's sheet name: "3. Peserta" (whole words; every one within Excel's 31 characters)."""
    return f"{number}. {SHEET_NAMES[key]}"


def _xlsx_value(value: Any) -> Any:
    """A table's value for the XLSX: a `Number` as a number with its format, a mark as text with a note."""
    if isinstance(value, Number):
        return exports.XlsxCell(value.value, number_format=XLSX_FORMATS[value.kind])
    if isinstance(value, str) and value in MARK_NOTES:
        return exports.XlsxCell(value, note=str(MARK_NOTES[value]))
    return value


def render(content: Content, fmt: str) -> bytes:
    return render_pdf(content) if fmt == "pdf" else render_xlsx(content)


def pdf_bytes_io(data: bytes) -> io.BytesIO:
    return io.BytesIO(data)
