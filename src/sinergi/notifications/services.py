"""Sending and reading notifications."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.utils import timezone

from sinergi.notifications.models import Notification


def notify(
    *, recipients: Iterable[Any], key: str, title: str, body: str = "", link: str = "", level: str = "info"
) -> int:
    """Send one notification per recipient, skipping any who already have `key`; return how many."""
    users = {user.pk: user for user in recipients if user is not None and user.is_active}
    if not users:
        return 0
    with transaction.atomic():
        already = set(
            Notification.objects.filter(key=key, recipient_id__in=users).values_list(
                "recipient_id", flat=True
            )
        )
        fresh = [
            Notification(recipient_id=pk, key=key, title=title[:200], body=body, link=link, level=level)
            for pk in users
            if pk not in already
        ]
        Notification.objects.bulk_create(fresh, ignore_conflicts=True)
    return len(fresh)


def notifications_mark_read(*, actor: Any, ids: Iterable[int] | None = None) -> int:
    """Mark the actor's notifications as read (all of them when `ids` is None)."""
    qs = Notification.objects.filter(recipient=actor, read_at__isnull=True)
    if ids is not None:
        qs = qs.filter(pk__in=list(ids))
    return qs.update(read_at=timezone.now())


def notifications_rekey(*, prefix: str, to: str) -> int:
    """Give the notifications whose key starts with `prefix` the key with `to` in its place (a merge of two
    records of one person: a message sent once per key about the person stays sent once). A recipient who
    already holds the new key keeps theirs; the old one then stays as it was. Returns how many changed."""
    changed = 0
    with transaction.atomic():
        for note in Notification.objects.filter(key__startswith=prefix).only("pk", "key", "recipient_id"):
            key = to + note.key[len(prefix) :]
            if Notification.objects.filter(recipient_id=note.recipient_id, key=key).exists():
                continue
            changed += Notification.objects.filter(pk=note.pk).update(key=key[:200])
    return changed


def notifications_relink(*, link: str, to: str) -> int:
    """Point the notifications that link to `link` at `to` instead (a merged person's page). Returns how
    many changed."""
    if not link:
        return 0
    return Notification.objects.filter(link=link).update(link=to)
