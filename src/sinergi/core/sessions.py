"""Sessions that end after an idle period without a database write on every request.

`SESSION_SAVE_EVERY_REQUEST` would keep the idle timeout exact by rewriting the session row (an UPDATE and a
commit) on every request, which turns every page view into a write. Instead the store remembers the expiry
it read, and `SessionRefreshMiddleware` saves the session only when that expiry is more than
`REFRESH_SECONDS` behind where a save now would put it: the idle timeout moves at most once a minute, so a
session ends between `SESSION_COOKIE_AGE` minus a minute and `SESSION_COOKIE_AGE` after the last request.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore
from django.contrib.sessions.middleware import SessionMiddleware
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

REFRESH_SECONDS = 60


class SessionStore(DatabaseSessionStore):
    """The database session store, remembering the expiry of the row it loaded."""

    loaded_expiry: dt.datetime | None = None

    def _get_session_from_db(self) -> Any:
        row = super()._get_session_from_db()  # type: ignore[misc]  # not in the stubs
        self.loaded_expiry = row.expire_date if row is not None else None
        return row

    def save(self, must_create: bool = False) -> None:
        super().save(must_create=must_create)
        self.loaded_expiry = self.get_expiry_date()

    def needs_refresh(self, now: dt.datetime | None = None) -> bool:
        """Whether the stored expiry is more than REFRESH_SECONDS behind a fresh save's."""
        if self.loaded_expiry is None:
            return False
        now = now or timezone.now()
        due = now + dt.timedelta(seconds=self.get_expiry_age() - REFRESH_SECONDS)
        return self.loaded_expiry < due


class SessionRefreshMiddleware(SessionMiddleware):
    """Django's SessionMiddleware, which also saves a used session when its idle expiry is due to move."""

    def process_response(self, request: HttpRequest, response: HttpResponse) -> HttpResponse:
        session = getattr(request, "session", None)
        if (
            session is not None
            and not settings.SESSION_SAVE_EVERY_REQUEST
            and session.accessed
            and not session.modified
            and not session.is_empty()
            and isinstance(session, SessionStore)
            and session.needs_refresh()
        ):
            session.modified = True
        return super().process_response(request, response)
