"""Lockouts after repeated failed logins are audited (failed logins are audited by sinergi.audit).

The receivers import the audit services when they run: this module is imported at start-up (AccountsConfig.
ready()), by every process, most of which never log anyone in.
"""

from __future__ import annotations

from typing import Any

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in
from django.db import transaction
from django.dispatch import receiver


@receiver(user_locked_out)
def _locked_out(sender: Any, request: Any = None, username: str | None = None, **kwargs: Any) -> None:
    from sinergi.accounts.models import User
    from sinergi.audit.services import audit_record

    user = User.objects.filter(username=username or "").first()
    with transaction.atomic():
        audit_record(
            actor=None,
            action="auth.lockout",
            target=user,
            target_label=None if user else str(username or "")[:150],
            changes={"address": str(kwargs.get("ip_address") or "")},
        )


@receiver(user_logged_in)
def _two_factor_flag(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    """Remember in the session whether this login still needs a second factor."""
    from sinergi.accounts.twofactor import SESSION_FLAG, enabled

    if request is not None and hasattr(request, "session"):
        request.session[SESSION_FLAG] = enabled(user)
