"""The aftercare section of the person page (registered in AftercareConfig.ready)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from sinergi.aftercare import selectors
from sinergi.aftercare.access import CASE_OPENERS
from sinergi.aftercare.models import AftercareCase, IndexScore
from sinergi.beneficiaries.panels import PersonPanel


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
