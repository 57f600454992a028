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
