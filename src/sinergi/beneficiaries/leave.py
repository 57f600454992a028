"""The day a custody episode left its unit, kept on the episode (`CustodyEpisode.left_on`).

Recidivism counts people from the day they left the unit: the first PB, CB or CMB of the episode (the
person becomes a klien of the Bapas), otherwise its release date. That used to be a correlated lookup of
the integration events for every episode of the period; it is now two columns of the episode:

- `leave_date`, the date of the episode's first PB, CB or CMB, kept here: every save or delete of an
  integration event refreshes its episode in the same transaction (`connect`, from the app's `ready`), so
  `services.integration_event_add` and `episode_release` (PB, CB, CMB) keep it without a call of their own.
  A refresh recomputes the value from the events (never from the previous value), so running it twice,
  or after an edit or a deletion, gives the same column. Writers that bypass `save()` (the national
  generator's COPY) fill it themselves or call `refresh`; migration `beneficiaries.0014` filled it once.
- `left_on`, `COALESCE(leave_date, release_date)`, a generated column the database computes on every
  write, so every writer of a release date (the services, the bulk import, a correction by `update()`)
  keeps it right. Indexed (`episode_left_on`).

`stale()` lists the episodes whose `leave_date` differs from their events (tests check it stays empty).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import F, Min, OuterRef, Q, QuerySet, Subquery
from django.db.models.signals import post_delete, post_save, pre_save

from sinergi.beneficiaries.models import CustodyEpisode, IntegrationEvent

#: Integration events after which the person is a klien outside the unit: parole, conditional leave and
#: leave before release (not asimilasi, which happens from inside).
LEAVE_KINDS = ("pb", "cb", "cmb")


def first_leave() -> Subquery:
    """The date of the episode's (OuterRef("pk")) first PB, CB or CMB; NULL without one."""
    return Subquery(
        IntegrationEvent.objects.filter(episode=OuterRef("pk"), kind__in=LEAVE_KINDS)
        .order_by()
        .values("episode")
        .annotate(first=Min("date"))
        .values("first")[:1]
    )


def stale(episodes: QuerySet[CustodyEpisode] | None = None) -> QuerySet[CustodyEpisode]:
    """The episodes (of `episodes`, default all) whose stored `leave_date` is not their first leave."""
    qs = (episodes if episodes is not None else CustodyEpisode.objects.all()).annotate(computed=first_leave())
    return qs.filter(
        Q(leave_date__isnull=True, computed__isnull=False)
        | Q(leave_date__isnull=False, computed__isnull=True)
        | (Q(leave_date__isnull=False, computed__isnull=False) & ~Q(leave_date=F("computed")))
    )


def refresh(episode_ids: Iterable[int] | None = None) -> int:
    """Recompute `leave_date` of these episodes (default: every episode) from their integration events, in
    one UPDATE of the rows whose value differs; returns how many changed. The version is not bumped: the
    column is derived, nobody edits it."""
    episodes = CustodyEpisode.objects.all()
    if episode_ids is not None:
        ids = sorted(set(episode_ids))
        if not ids:
            return 0
        episodes = episodes.filter(pk__in=ids)
    changed = list(stale(episodes).values_list("pk", flat=True))
    if not changed:
        return 0
    return CustodyEpisode.objects.filter(pk__in=changed).update(leave_date=first_leave())


def _on_event_saving(sender: Any, instance: IntegrationEvent, **kwargs: Any) -> None:
    """An event moved to another episode leaves its former episode to refresh too."""
    if kwargs.get("raw") or instance.pk is None:
        return
    before = IntegrationEvent.objects.filter(pk=instance.pk).values_list("episode_id", flat=True).first()
    instance._leave_episode_before = before  # type: ignore[attr-defined]


def _on_event_saved(sender: Any, instance: IntegrationEvent, **kwargs: Any) -> None:
    if kwargs.get("raw"):  # fixtures: the episode's column is loaded as it was
        return
    before = getattr(instance, "_leave_episode_before", None)
    refresh([instance.episode_id] + ([before] if before is not None else []))


def _on_event_deleted(sender: Any, instance: IntegrationEvent, **kwargs: Any) -> None:
    refresh([instance.episode_id])


def connect() -> None:
    pre_save.connect(_on_event_saving, sender=IntegrationEvent, dispatch_uid="leave_date_saving")
    post_save.connect(_on_event_saved, sender=IntegrationEvent, dispatch_uid="leave_date_saved")
    post_delete.connect(_on_event_deleted, sender=IntegrationEvent, dispatch_uid="leave_date_deleted")
