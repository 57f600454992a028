"""The page shell: login required, friendly errors in Bahasa Indonesia, language switch, headers, health."""

import pytest
from django.test import Client

from sinergi.accounts.choices import Role


def test_health_check_answers_ok_after_asking_the_database(client: Client, db) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_liveness_answers_without_a_login_or_the_database(client: Client, db) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        response = client.get("/livez")
    assert response.status_code == 200
    assert response.content == b"ok"
    assert len(queries) == 0


def test_anonymous_visitors_are_sent_to_the_login_page(client: Client, db) -> None:
    response = client.get("/pengguna/")
    assert response.status_code == 302
    assert response.url.startswith("/masuk/")


def test_an_unknown_url_gets_a_friendly_404_in_indonesian(client: Client, world) -> None:
    client.force_login(world.users[Role.CSR_OFFICER])
    response = client.get("/tidak-ada-halaman-ini/")
    assert response.status_code == 404
    assert "Halaman tidak ditemukan" in response.content.decode()


def test_a_forbidden_page_explains_itself_in_indonesian(client: Client, world) -> None:
    client.force_login(world.users[Role.CSR_OFFICER])
    response = client.get("/pengguna/")
    assert response.status_code == 403
    assert "Anda tidak memiliki akses" in response.content.decode()


def test_every_page_sends_a_strict_content_security_policy(client: Client, db) -> None:
    response = client.get("/masuk/")
    assert "default-src 'self'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Frame-Options"] == "DENY"


def test_the_interface_switches_between_indonesian_and_english(client: Client, world) -> None:
    client.force_login(world.users[Role.ADMIN])
    assert "Dasbor" in client.get("/").content.decode()
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert "Dashboard" in client.get("/").content.decode()


@pytest.mark.parametrize("role", list(Role.values))
def test_each_role_sees_its_own_dashboard_with_where_to_start(client: Client, world, role: str) -> None:
    client.force_login(world.users[role])
    response = client.get("/")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-testid="dashboard-title"' in html
    assert world.users[role].full_name in html


def test_the_menu_shows_only_pages_the_role_may_open(client: Client, world) -> None:
    client.force_login(world.users[Role.FACILITATOR])
    html = client.get("/").content.decode()
    assert 'href="/pengguna/"' not in html
    assert 'href="/audit/"' not in html
    client.force_login(world.users[Role.ADMIN])
    html = client.get("/").content.decode()
    assert 'href="/pengguna/"' in html and 'href="/audit/"' in html


def test_the_dashboard_query_count_is_exact_and_does_not_grow_with_data(client: Client, world) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.factories import UserFactory

    def count() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/").status_code == 200
        return len(captured.captured_queries)

    client.force_login(world.users[Role.ADMIN])
    client.get("/")
    before = count()
    for i in range(20):
        UserFactory(username=f"extra{i}", role=Role.MONITOR)
    # 41: with the follow-ups due per officer (aftercare cases) and the people reached by ring area (three);
    # the session is no longer written on every request (three statements fewer); attendance per month is
    # one query over the kept session counts (programs.tallies), not two. People reached and the ring table
    # are one statement each (four and three queries before), with `SET LOCAL jit = off` before each on
    # PostgreSQL.
    exact = 37 + (2 if connection.vendor == "postgresql" else 0)
    assert (before, count()) == (exact, exact)


def test_the_interface_stays_indonesian_when_the_browser_prefers_english(client: Client, world) -> None:
    client.force_login(world.users[Role.ADMIN])
    html = client.get("/", headers={"Accept-Language": "en-US,en;q=0.9"}).content.decode()
    assert "Dasbor" in html


def test_a_record_outside_the_users_scope_shows_the_not_found_page(client: Client, world) -> None:
    client.force_login(world.users[Role.ADMIN])
    response = client.get("/wbp/999999/")
    assert response.status_code == 404 and "Halaman tidak ditemukan" in response.content.decode()
