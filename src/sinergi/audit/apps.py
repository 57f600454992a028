import hashlib
from typing import Any

from django.apps import AppConfig
from django.db.backends.signals import connection_created


def _sqlite_sha256(text: str | None) -> str | None:
    return None if text is None else hashlib.sha256(text.encode("utf-8")).hexdigest()


def _add_sqlite_functions(sender: Any, connection: Any, **kwargs: Any) -> None:
    """SQLite has no SHA-256: the statement that appends an audit event calls this one."""
    if connection.vendor == "sqlite":
        connection.connection.create_function("sinergi_sha256", 1, _sqlite_sha256, deterministic=True)


class AuditConfig(AppConfig):
    name = "sinergi.audit"
    label = "audit"
    verbose_name = "Audit"

    def ready(self) -> None:
        from sinergi.audit import signals  # noqa: F401

        connection_created.connect(_add_sqlite_functions, dispatch_uid="sinergi-audit-sqlite-functions")
