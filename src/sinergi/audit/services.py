"""Writing and verifying the audit chain."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass
from typing import Any

from django.db import IntegrityError, connection, models, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from sinergi.audit.domain import event_hash
from sinergi.audit.models import GENESIS_HASH, AuditChainHead, AuditEvent
from sinergi.core.bulk import bulk_insert
from sinergi.core.errors import ConflictError


def _locked_head() -> AuditChainHead:
    try:
        return AuditChainHead.objects.select_for_update().get(pk=1)
    except AuditChainHead.DoesNotExist:
        last = AuditEvent.objects.order_by("-seq").first()
        try:
            with transaction.atomic():
                AuditChainHead.objects.create(
                    pk=1, seq=last.seq if last else 0, last_hash=last.hash if last else GENESIS_HASH
                )
        except IntegrityError:
            pass  # another writer created it first
        return AuditChainHead.objects.select_for_update().get(pk=1)


def _json_safe(value: Any) -> Any:
    return json.loads(json.dumps(value, default=str))


def audit_record(
    *,
    actor: Any,
    action: str,
    target: models.Model | None = None,
    changes: dict[str, Any] | None = None,
    target_label: str | None = None,
) -> AuditEvent:
    """Append one event to the chain inside the caller's transaction, so it commits or rolls back with it."""
    user = actor if getattr(actor, "is_authenticated", False) else None
    with transaction.atomic():
        head = _locked_head()
        seq = head.seq + 1
        # Microseconds are dropped so the stored time and the hashed time are identical on every database.
        occurred_at = timezone.now().astimezone(dt.UTC).replace(microsecond=0)
        fields: dict[str, Any] = {
            "seq": seq,
            "occurred_at": occurred_at.isoformat(),
            "actor_id": user.pk if user else None,
            "actor_label": user.get_username() if user else "sistem",
            "action": action,
            "target_type": target._meta.label_lower if target is not None else "",
            "target_id": str(target.pk) if target is not None else "",
            "target_label": (
                target_label if target_label is not None else str(target) if target is not None else ""
            )[:255],
            "changes": _json_safe(changes or {}),
            "prev_hash": head.last_hash,
        }
        digest = event_hash(**fields)
        event = AuditEvent.objects.create(
            seq=seq,
            occurred_at=occurred_at,
            actor=user,
            actor_label=fields["actor_label"],
            action=action,
            target_type=fields["target_type"],
            target_id=fields["target_id"],
            target_label=fields["target_label"],
            changes=fields["changes"],
            prev_hash=head.last_hash,
            hash=digest,
        )
        AuditChainHead.objects.filter(pk=1).update(seq=seq, last_hash=digest)
    return event


@dataclass(frozen=True)
class VerifyResult:
    """The outcome of checking the chain: ok, how many events were read, and the first broken link."""

    ok: bool
    checked: int
    broken_seq: int | None = None
    reason: str = ""

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def audit_verify(*, progress: Callable[[int, int], None] | None = None) -> VerifyResult:
    """Recompute every hash in order; report the first event whose content or link does not match."""
    total = AuditEvent.objects.count()
    expected_prev = GENESIS_HASH
    expected_seq = 1
    checked = 0
    rows = AuditEvent.objects.order_by("seq").values_list(
        "seq",
        "occurred_at",
        "actor_id",
        "actor_label",
        "action",
        "target_type",
        "target_id",
        "target_label",
        "changes",
        "prev_hash",
        "hash",
    )
    for (
        seq,
        occurred_at,
        actor_id,
        actor_label,
        action,
        ttype,
        tid,
        tlabel,
        changes,
        prev,
        digest,
    ) in rows.iterator(chunk_size=2000):
        if seq != expected_seq:
            return VerifyResult(
                False, checked, expected_seq, _("event #%(seq)s is missing") % {"seq": expected_seq}
            )
        if prev != expected_prev:
            return VerifyResult(
                False, checked, seq, _("event #%(seq)s does not link to the event before it") % {"seq": seq}
            )
        recomputed = event_hash(
            seq=seq,
            occurred_at=occurred_at.astimezone(dt.UTC).isoformat(),
            actor_id=actor_id,
            actor_label=actor_label,
            action=action,
            target_type=ttype,
            target_id=tid,
            target_label=tlabel,
            changes=changes,
            prev_hash=prev,
        )
        if recomputed != digest:
            return VerifyResult(
                False, checked, seq, _("event #%(seq)s was changed after it was written") % {"seq": seq}
            )
        expected_prev = digest
        expected_seq += 1
        checked += 1
        if progress and checked % 2000 == 0:
            progress(checked, total)
    head = AuditChainHead.objects.filter(pk=1).first()
    if head is not None and (head.seq != checked or head.last_hash != expected_prev):
        return VerifyResult(
            False, checked, checked + 1, _("events after #%(seq)s were removed") % {"seq": checked}
        )
    if progress:
        progress(checked, total)
    return VerifyResult(True, checked)


def audit_table_is_append_only() -> bool:
    """True when the database itself refuses updates and deletes of audit rows (the triggers exist)."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(
                "SELECT count(*) FROM sqlite_master WHERE type='trigger' AND name LIKE 'audit_append_only%%'"
            )
        else:
            cursor.execute("SELECT count(*) FROM pg_trigger WHERE tgname LIKE 'audit_append_only%%'")
        row = cursor.fetchone()
    return bool(row and row[0] >= 1)


_LONG_NUMBER = re.compile(r"\d[\d .\-]{9,}\d")


def _redacted_filters(filters: Mapping[str, Any]) -> dict[str, Any]:
    """Filters as recorded: empty ones left out, and anything that looks like a NIK (or another long
    number) masked, so a search by NIK never puts the NIK itself into the audit trail."""
    shown: dict[str, Any] = {}
    for key, value in filters.items():
        if value in (None, "", [], ()):
            continue
        if isinstance(value, str) and _LONG_NUMBER.search(value):
            value = _LONG_NUMBER.sub("***", value)
        shown[key] = value
    return shown


def audit_read(
    *, actor: Any, action: str, filters: Mapping[str, Any], count: int, target: models.Model | None = None
) -> AuditEvent:
    """Record one bulk read of personal data (a list page, an API list, an export, a screening run read):
    who read, with which filters, and how many people it returned. Action names end in `.list` or
    `.export`, for example `person.list`."""
    with transaction.atomic():
        return audit_record(
            actor=actor,
            action=action,
            target=target,
            changes={"filters": _redacted_filters(filters), "count": count},
        )


# --- Audited updates: every edit of a domain row goes through model_update --------------------------


def _comparable(value: Any) -> Any:
    if isinstance(value, models.Model):
        return value.pk
    return value


def model_update(
    *,
    instance: models.Model,
    data: dict[str, Any],
    actor: Any,
    action: str,
    expected_version: int | None = None,
) -> list[str]:
    """Apply `data` to `instance`, save only the changed fields and audit them; return the changed names.

    For models with a `version` field, `expected_version` is the version the user started editing from.
    If someone else saved in between, nothing is written and ConflictError is raised.
    """
    redacted = set(getattr(instance, "AUDIT_REDACTED_FIELDS", ()))
    changes: dict[str, list[Any]] = {}
    for name, new in data.items():
        old = getattr(instance, name)
        if _comparable(old) != _comparable(new):
            shown_old, shown_new = (
                ("***", "***") if name in redacted else (_comparable(old), _comparable(new))
            )
            changes[name] = [shown_old, shown_new]
            setattr(instance, name, new)
    if not changes:
        return []
    with transaction.atomic():
        field_names = {field.name for field in instance._meta.concrete_fields}
        if "version" in field_names:
            version = instance.version if expected_version is None else expected_version  # type: ignore[attr-defined]
            values = {name: getattr(instance, name) for name in changes}
            if "updated_at" in field_names:
                values["updated_at"] = timezone.now()
            model = type(instance)
            updated = model._default_manager.filter(pk=instance.pk, version=version).update(
                **values, version=F("version") + 1
            )
            if updated != 1:
                raise ConflictError()
            instance.version = version + 1  # type: ignore[attr-defined]
            if "updated_at" in values:
                instance.updated_at = values["updated_at"]  # type: ignore[attr-defined]
        else:
            instance.save(update_fields=list(changes))
        audit_record(actor=actor, action=action, target=instance, changes=changes)
    return list(changes)


# --- Many events at once (bulk writers such as the registry import) ---------------------------------


@dataclass(frozen=True)
class AuditEntry:
    """One event for `audit_record_many`: the action and its target, given by type and id."""

    action: str
    target_type: str
    target_id: str
    target_label: str
    changes: dict[str, Any]


def audit_record_many(*, actor: Any, entries: list[AuditEntry], batch_size: int = 2000) -> int:
    """Append many events to the chain in one go (inside the caller's transaction): the head is locked
    once, each event links to the one before it exactly as `audit_record` would, and the rows are
    inserted in batches. Returns how many were recorded."""
    if not entries:
        return 0
    user = actor if getattr(actor, "is_authenticated", False) else None
    actor_label = user.get_username() if user else "sistem"
    with transaction.atomic():
        head = _locked_head()
        seq, prev = head.seq, head.last_hash
        occurred_at = timezone.now().astimezone(dt.UTC).replace(microsecond=0)
        rows: list[tuple[Any, ...]] = []
        actor_id = user.pk if user else None
        stored_at = connection.ops.adapt_datetimefield_value(occurred_at)
        for entry in entries:
            seq += 1
            changes = _json_safe(entry.changes)
            label = entry.target_label[:255]
            digest = event_hash(
                seq=seq,
                occurred_at=occurred_at.isoformat(),
                actor_id=actor_id,
                actor_label=actor_label,
                action=entry.action,
                target_type=entry.target_type,
                target_id=entry.target_id,
                target_label=label,
                changes=changes,
                prev_hash=prev,
            )
            rows.append(
                (
                    seq,
                    stored_at,
                    actor_id,
                    actor_label,
                    entry.action,
                    entry.target_type,
                    entry.target_id,
                    label,
                    json.dumps(changes, ensure_ascii=False),
                    prev,
                    digest,
                )
            )
            prev = digest
        columns = (
            "seq",
            "occurred_at",
            "actor",
            "actor_label",
            "action",
            "target_type",
            "target_id",
            "target_label",
            "changes",
            "prev_hash",
            "hash",
        )
        for start in range(0, len(rows), batch_size):
            bulk_insert(AuditEvent, columns, rows[start : start + batch_size])
        AuditChainHead.objects.filter(pk=1).update(seq=seq, last_hash=prev)
    return len(rows)
