"""The aftercare section of the person page and of the program page (registered in AftercareConfig.ready)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sinergi.accounts.choices import Role
from sinergi.aftercare import selectors
from sinergi.aftercare.access import CASE_OPENERS, INDEX_AGGREGATES_ONLY, INDEX_READERS
from sinergi.aftercare.models import AftercareCase, IndexScore
from sinergi.beneficiaries.panels import PersonPanel
from sinergi.programs.panels import ProgramPanel


def person_panel(*, actor: Any, person: Any) -> PersonPanel | None:
    """The person's aftercare cases the actor may see, with the latest score where the actor may see scores,
    and a button to open a case by hand for a release that has none."""
    from sinergi.aftercare.services import may_open_by_hand

    cases = list(selectors.case_list(actor=actor).filter(person=person))
    items = []
    for case in cases:
        view = selectors.view_of(actor, case)
        latest = (
            IndexScore.objects.filter(case=case)
            .order_by("-scored_on", "-pk")
            .values_list("score", flat=True)
            .first()
            if view.scores
            else None
        )
        items.append({"case": case, "view": view, "score": latest})
    openable = []
    if getattr(actor, "role", None) in CASE_OPENERS:
        taken = set(AftercareCase.objects.filter(person=person).values_list("episode_id", flat=True))
        for episode in person.episodes.all():
            if (
                episode.status in ("bebas", "klien")
                and episode.pk not in taken
                and may_open_by_hand(actor, episode)
            ):
                openable.append(episode)
    if not items and not openable:
        return None
    return PersonPanel(
        title=_("Aftercare"),
        template="aftercare/_person_panel.html",
        context={"cases": items, "openable": openable},
        order=60,
    )


INDEX_TOTAL = "total"

# The program page is a filtered view (one program): its bands subtracted from the dashboard's would give
# another program's hidden band back, so aggregate-only roles read the bands only on the unfiltered
# dashboard (docs/security.md, "Small cells across dashboard filters").
WITHHELD_INDEX = gettext_lazy(
    "The independence index is hidden on this page, because it covers only one program. It is shown only "
    "on the dashboard without filters, because the difference between this program's figures and the "
    "dashboard's could reveal a number of fewer than 5 people, who could then be recognised."
)


def program_panel(*, actor: Any, program: Any) -> ProgramPanel | None:
    """The program page's distribution of participants' latest independence index (registered in
    AftercareConfig.ready): counts per band and "not contacted", with a total, over the cases in the actor's
    scope. TJSL officers and monitors (INDEX_AGGREGATES_ONLY) get a notice with a link to the unfiltered
    dashboard instead (`WITHHELD_INDEX`). None for roles that read no scores in aggregate
    (unit officers, mentors). One query for the counts, whatever the number of participants."""
    from sinergi.core import charts

    role = getattr(actor, "role", None)
    if role not in INDEX_READERS:
        return None
    title = _("Latest independence index of participants")
    if role in INDEX_AGGREGATES_ONLY:
        from django.urls import reverse

        return ProgramPanel(
            title=title,
            template="aftercare/_program_panel.html",
            context={"withheld": str(WITHHELD_INDEX), "dashboard": reverse("reports:dashboard")},
            order=50,
        )
    # Monitors see aggregates of everything; every other role the cases of its own aftercare scope.
    counts = selectors.index_distribution(program=program, actor=None if role == Role.MONITOR else actor)
    keys = list(counts)
    total = sum(counts.values())
    shown: dict[Any, Any] = {**counts, INDEX_TOTAL: total}
    suppressed = any(shown[key] != value for key, value in (*counts.items(), (INDEX_TOTAL, total)))
    labels = [_("not contacted") if key == "not_contacted" else key.replace("-", "–") for key in keys]
    rows = [
        {"key": key, "label": label, "count": _text(shown[key])}
        for key, label in zip(keys, labels, strict=True)
    ]
    chart = None
    if total and not suppressed:
        chart = charts.bar_chart(
            title=title,
            labels=labels,
            values=[counts[key] for key in keys],
            x_label=_("score band (0–100)"),
            y_label=_("participants"),
            desc=", ".join(f"{label}: {counts[key]}" for key, label in zip(keys, labels, strict=True)),
        )
    return ProgramPanel(
        title=title,
        template="aftercare/_program_panel.html",
        context={
            "rows": rows,
            "total": _text(shown[INDEX_TOTAL]),
            "empty": total == 0,
            "suppressed": suppressed,
            "chart": chart,
        },
        order=50,
    )


def _text(count: int | str) -> str:
    """A count as shown: whole numbers with Indonesian thousands separators, a suppressed cell as it is."""
    from sinergi.core.templatetags.sinergi import angka

    return angka(count) if isinstance(count, int) else str(count)
