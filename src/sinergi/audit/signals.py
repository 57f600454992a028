"""Logins, logouts and failed logins are audited like every other action.

The receivers import the audit services when they run: this module is imported at start-up
(AuditConfig.ready()), by every process, most of which never log anyone in.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db import transaction
from django.dispatch import receiver


@receiver(user_logged_in)
def _logged_in(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    from sinergi.audit.services import audit_record

    with transaction.atomic():
        audit_record(actor=user, action="auth.login", target=user)


@receiver(user_logged_out)
def _logged_out(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    from sinergi.audit.services import audit_record

    if user is not None:
        with transaction.atomic():
            audit_record(actor=user, action="auth.logout", target=user)


@receiver(user_login_failed)
def _login_failed(sender: Any, credentials: dict[str, Any], request: Any = None, **kwargs: Any) -> None:
    from sinergi.audit.services import audit_record

    with transaction.atomic():
        audit_record(
            actor=None, action="auth.login_failed", target_label=str(credentials.get("username", ""))[:150]
        )
