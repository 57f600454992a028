"""The append-only, hash-chained audit trail."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

GENESIS_HASH = "0" * 64


class AuditEvent(models.Model):
    """One recorded action. Rows are never updated or deleted; each row's hash covers the previous hash."""

    seq = models.BigIntegerField(_("sequence"), unique=True)
    occurred_at = models.DateTimeField(_("time"), db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("actor"),
    )
    actor_label = models.CharField(_("actor"), max_length=150, blank=True)
    action = models.CharField(_("action"), max_length=80)
    target_type = models.CharField(_("target type"), max_length=80, blank=True)
    target_id = models.CharField(_("target ID"), max_length=64, blank=True)
    target_label = models.CharField(_("target"), max_length=255, blank=True)
    changes = models.JSONField(_("changes"), default=dict, blank=True)
    # The person the event is about (a person, or a row with a `person_id`). Its label and changes are then
    # stored only in `sealed`, encrypted with that person's key (SubjectKey), which anonymisation destroys.
    subject_type = models.CharField(_("subject type"), max_length=80, blank=True)
    subject_id = models.CharField(_("subject ID"), max_length=64, blank=True)
    sealed = models.TextField(_("sealed content"), blank=True)
    # 1: hash over the canonical JSON with the previous hash (events written before sealing existed);
    # 2: hash over "<prev_hash>|<seq>|<content digest>", computed by the database in the inserting statement.
    scheme = models.PositiveSmallIntegerField(default=1)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)  # unique: Meta.constraints

    class Meta:
        ordering = ["-seq"]
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        indexes = [
            # Every index is paid for by every appended event, so each is declared once, here: the target
            # pair also serves target_type alone; the action filter is a prefix match (LIKE 'x%'), which a
            # varchar_pattern_ops index serves along with equality; target_id alone is an exact filter.
            models.Index(fields=["target_type", "target_id"]),
            models.Index(fields=["subject_type", "subject_id"], name="audit_subject_idx"),
            models.Index(fields=["action"], name="audit_action_prefix", opclasses=["varchar_pattern_ops"]),
            models.Index(fields=["target_id"], name="audit_target_id"),
        ]
        # A constraint rather than unique=True: the same unique index, without a varchar_pattern_ops copy.
        constraints = [models.UniqueConstraint(fields=["hash"], name="audit_event_hash_unique")]

    def __str__(self) -> str:
        return f"#{self.seq} {self.action} {self.target_label}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise RuntimeError("Audit events are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("Audit events are append-only.")


class AuditChainHead(models.Model):
    """The single row that holds the chain's last sequence and hash; locking it serialises appends."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    seq = models.BigIntegerField(default=0)
    last_hash = models.CharField(max_length=64, default=GENESIS_HASH)

    class Meta:
        verbose_name = _("audit chain head")

    def __str__(self) -> str:
        return f"#{self.seq} {self.last_hash[:12]}"


class SubjectKey(models.Model):
    """One person's key for the sealed part of their audit events.

    Anonymisation empties it (crypto-shredding): the events stay, their hashes still verify, and nobody can
    read the name they held.
    """

    subject_type = models.CharField(max_length=80)
    subject_id = models.CharField(max_length=64)
    key = models.CharField(max_length=255, blank=True)  # encrypted with the field key; "" once shredded
    created_at = models.DateTimeField(auto_now_add=True)
    shredded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("audit subject key")
        constraints = [
            models.UniqueConstraint(fields=["subject_type", "subject_id"], name="audit_subject_key_once")
        ]

    def __str__(self) -> str:
        return f"{self.subject_type}:{self.subject_id}"
