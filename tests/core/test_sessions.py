"""Sessions: the idle expiry moves at most once a minute, not with a write on every request."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.sessions.models import Session
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from sinergi.accounts.choices import Role
from sinergi.core.sessions import REFRESH_SECONDS


def _session_writes(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return sum(1 for q in captured.captured_queries if "django_session" in q["sql"] and "UPDATE" in q["sql"])


def _stored_expiry(client: Client) -> dt.datetime:
    return Session.objects.get(session_key=client.session.session_key).expire_date


def test_a_page_right_after_login_does_not_write_the_session(world: Any) -> None:
    client = Client()
    client.force_login(world.users[Role.ADMIN])
    client.get("/wbp/")
    assert _session_writes(client, "/wbp/") == 0


def test_the_idle_expiry_moves_once_it_is_more_than_a_minute_behind(world: Any, settings: Any) -> None:
    client = Client()
    client.force_login(world.users[Role.ADMIN])
    key = client.session.session_key
    stale = timezone.now() + dt.timedelta(seconds=settings.SESSION_COOKIE_AGE - REFRESH_SECONDS - 5)
    Session.objects.filter(session_key=key).update(expire_date=stale)

    assert _session_writes(client, "/wbp/") == 1
    assert client.session.session_key == key
    fresh = _stored_expiry(client)
    assert fresh > stale + dt.timedelta(seconds=REFRESH_SECONDS)
    assert _session_writes(client, "/wbp/") == 0
    assert _stored_expiry(client) == fresh


def test_an_idle_session_still_ends(world: Any) -> None:
    client = Client()
    client.force_login(world.users[Role.ADMIN])
    Session.objects.filter(session_key=client.session.session_key).update(
        expire_date=timezone.now() - dt.timedelta(seconds=1)
    )
    response = client.get("/wbp/")
    assert response.status_code == 302
    assert "/masuk/" in response["Location"]
