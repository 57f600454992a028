"""Shared write helpers: every update goes through model_update, which names its fields and audits them."""

from __future__ import annotations

from typing import Any

from django.db import models, transaction
from django.db.models import F
from django.utils import timezone

from sinergi.audit.services import audit_record
from sinergi.core.errors import ConflictError


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
