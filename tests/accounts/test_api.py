"""The API root: token authentication, the error shape, and the schema."""

from django.test import Client

from sinergi.accounts.choices import Role
from sinergi.accounts.services import token_create


def _auth(user) -> dict[str, str]:
    return {"Authorization": f"Bearer {token_create(actor=None, user=user)}"}


def test_the_openapi_schema_is_published(client: Client, db) -> None:
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    assert response.json()["info"]["title"] == "Sinergi API"


def test_a_request_without_a_token_gets_the_standard_error_body(client: Client, db) -> None:
    response = client.get("/api/v1/me")
    assert response.status_code == 401
    assert set(response.json()) == {"code", "message", "detail"}
    assert response.json()["code"] == "unauthenticated"


def test_a_token_identifies_its_user(client: Client, world) -> None:
    user = world.users[Role.UNIT_OFFICER]
    body = client.get("/api/v1/me", headers=_auth(user)).json()
    assert body["username"] == user.username and body["role"] == Role.UNIT_OFFICER
    assert body["organisation"]["id"] == user.organisation_id


def test_a_forbidden_endpoint_answers_403_with_the_standard_body(client: Client, world) -> None:
    response = client.get("/api/v1/audit/events", headers=_auth(world.users[Role.CSR_OFFICER]))
    assert response.status_code == 403
    assert response.json()["code"] == "forbidden"


def test_an_unknown_api_path_answers_404_as_json(client: Client, world) -> None:
    response = client.get("/api/v1/tidak-ada", headers=_auth(world.users[Role.ADMIN]))
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_invalid_parameters_answer_400_with_detail(client: Client, world) -> None:
    response = client.get("/api/v1/audit/events", {"limit": "banyak"}, headers=_auth(world.users[Role.ADMIN]))
    assert response.status_code == 400
    assert response.json()["code"] == "invalid" and response.json()["detail"]


def test_districts_can_be_searched_by_any_spelling(client: Client, world) -> None:
    response = client.get(
        "/api/v1/regions/districts", {"q": "Banyuasin 1"}, headers=_auth(world.users[Role.CSR_OFFICER])
    )
    assert response.json()[0]["code"] == "16.07.01"


def test_the_token_command_prints_a_working_token(client: Client, world, capsys) -> None:
    from django.core.management import call_command

    call_command("token", world.users[Role.MONITOR].username)
    token = capsys.readouterr().out.strip()
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code == 200


def test_the_interactive_api_docs_use_local_files_only(client: Client, db) -> None:
    html = client.get("/api/v1/docs").content.decode()
    assert "/static/ninja/swagger-ui-bundle.js" in html
    assert "cdn." not in html
