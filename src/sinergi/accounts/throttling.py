"""Login throttling (django-axes): by username and address together, and by address alone at a higher bar.

Officers often share one office address, so an address is not locked after a few failures; and a stranger
must not lock an officer out from elsewhere, so a username alone is never locked. A username is locked
from one address after AXES_FAILURE_LIMIT failures (5); an address is throttled for every username after
SINERGI_LOGIN_ADDRESS_LIMIT failures across usernames (30) within the cool-off time.
"""

from __future__ import annotations

import hashlib
from typing import Any

from axes.handlers.database import AxesDatabaseHandler
from django.conf import settings
from django.db.models import Sum


class SinergiAxesHandler(AxesDatabaseHandler):
    """Counts failures per (username, address) and per address; the address count has its own limit."""

    def get_failures(self, request: Any, credentials: dict[str, Any] | None = None) -> int:
        sums = [
            attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0
            for attempts in self.get_user_attempts(request, credentials)
        ]
        pair = sums[0] if sums else 0
        address = sums[1] if len(sums) > 1 else 0
        # Scale the address count to the same bar as the pair count, so one limit check serves both.
        scaled = address * settings.AXES_FAILURE_LIMIT // settings.SINERGI_LOGIN_ADDRESS_LIMIT
        return max(pair, scaled)


def client_str(username: str, ip_address: str, user_agent: str, path_info: str, request: Any) -> str:
    """What axes writes to the log for an attempt: a short digest, never the username or the address."""
    digest = hashlib.sha256(f"{username}|{ip_address}".encode()).hexdigest()[:10]
    return f"login attempt {digest}"
