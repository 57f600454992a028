"""Reads over a user's own notifications."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from sinergi.notifications.models import Notification


def notification_list(*, actor: Any) -> QuerySet[Notification]:
    """The actor's notifications, newest first."""
    return Notification.objects.filter(recipient_id=actor.pk).order_by("-created_at")


def unread_count(*, actor: Any) -> int:
    """How many of the actor's notifications are unread."""
    return Notification.objects.filter(recipient_id=actor.pk, read_at__isnull=True).count()
