"""The outbox: one row per domain event, written in the same transaction as the change it reports."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class DomainEvent(models.Model):
    """Something one app did that others may react to; delivered to its handlers once, in order."""

    kind = models.CharField(_("kind"), max_length=60)
    subject_type = models.CharField(_("subject type"), max_length=60, blank=True)
    subject_id = models.CharField(_("subject"), max_length=40, blank=True)
    payload = models.JSONField(_("payload"), default=dict)
    occurred_at = models.DateTimeField(_("occurred at"), default=timezone.now)
    processed_at = models.DateTimeField(_("processed at"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)

    class Meta:
        ordering = ["pk"]
        verbose_name = _("domain event")
        verbose_name_plural = _("domain events")
        indexes = [
            models.Index(
                fields=["subject_type", "subject_id", "id"],
                name="event_pending_subject",
                condition=Q(processed_at__isnull=True),
            ),
            models.Index(fields=["id"], name="event_pending", condition=Q(processed_at__isnull=True)),
            models.Index(fields=["kind", "subject_type", "subject_id"], name="event_kind_subject"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.subject_type}:{self.subject_id}"
