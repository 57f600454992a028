"""Login, lockout, password change and the administrator's user and organisation pages."""

from django.test import Client

from sinergi.accounts.choices import OrganisationKind, Role
from sinergi.accounts.models import Organisation, User
from tests.factories import TEST_PASSWORD, UserFactory


def test_a_user_logs_in_and_lands_on_the_dashboard(client: Client, db) -> None:
    UserFactory(username="masuk.uji", role=Role.MONITOR)
    response = client.post("/masuk/", {"username": "masuk.uji", "password": TEST_PASSWORD})
    assert response.status_code == 302 and response.url == "/"


def test_five_wrong_passwords_lock_the_account_and_say_for_how_long(client: Client, db) -> None:
    UserFactory(username="terkunci", role=Role.MONITOR)
    for _ in range(4):
        response = client.post("/masuk/", {"username": "terkunci", "password": "salah"})
        assert response.status_code == 200
        assert "After 5 wrong attempts" in response.content.decode() or "5 kali" in response.content.decode()
    response = client.post("/masuk/", {"username": "terkunci", "password": "salah"})
    assert response.status_code == 429
    html = response.content.decode()
    assert 'data-testid="locked"' in html and "15" in html
    # Even the right password is refused while locked.
    response = client.post("/masuk/", {"username": "terkunci", "password": TEST_PASSWORD})
    assert response.status_code == 429


def test_a_user_changes_their_own_password(client: Client, db) -> None:
    user = UserFactory(
        role=Role.FACILITATOR,
        organisation=Organisation.objects.create(kind=OrganisationKind.PROVIDER, name="Penyedia Uji"),
    )
    client.force_login(user)
    response = client.post(
        "/akun/kata-sandi/",
        {
            "old_password": TEST_PASSWORD,
            "new_password1": "Baru-Sekali-2026",
            "new_password2": "Baru-Sekali-2026",
        },
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password("Baru-Sekali-2026")


def test_an_administrator_creates_a_user_and_sees_the_password_once(client: Client, world) -> None:
    client.force_login(world.users[Role.ADMIN])
    unit = world.organisation(Role.UNIT_OFFICER, "own")
    response = client.post(
        "/pengguna/baru/",
        {
            "username": "baru.upt",
            "full_name": "Baru UPT",
            "email": "",
            "role": Role.UNIT_OFFICER,
            "organisation": unit.pk,
        },
    )
    assert response.status_code == 200
    assert 'data-testid="new-password"' in response.content.decode()
    assert User.objects.get(username="baru.upt").organisation == unit


def test_a_wrong_role_and_organisation_pair_is_shown_next_to_the_field(client: Client, world) -> None:
    client.force_login(world.users[Role.ADMIN])
    company = world.organisation(Role.CSR_OFFICER, "own")
    response = client.post(
        "/pengguna/baru/",
        {
            "username": "salah.pasangan",
            "full_name": "Salah",
            "role": Role.KANWIL_OFFICER,
            "organisation": company.pk,
        },
    )
    assert response.status_code == 200
    assert "id_organisation_error" in response.content.decode()
    assert not User.objects.filter(username="salah.pasangan").exists()


def test_a_stale_edit_form_shows_a_conflict_and_keeps_the_other_edit(client: Client, world) -> None:
    client.force_login(world.users[Role.ADMIN])
    target = world.users[Role.MONITOR]
    form = {
        "username": target.username,
        "full_name": "Versi A",
        "email": "",
        "role": Role.MONITOR,
        "organisation": "",
        "is_active": "on",
        "version": target.version,
    }
    assert client.post(f"/pengguna/{target.pk}/", form).status_code == 302
    response = client.post(f"/pengguna/{target.pk}/", form | {"full_name": "Versi B"})
    assert response.status_code == 200
    assert "Data ini telah diubah oleh pengguna lain" in response.content.decode()
    target.refresh_from_db()
    assert target.full_name == "Versi A"


def test_organisation_list_filters_by_kind(client: Client, world) -> None:
    client.force_login(world.users[Role.ADMIN])
    html = client.get("/organisasi/", {"kind": OrganisationKind.KANWIL}).content.decode()
    assert "Kanwil Kemenkumham Sumatera Selatan" in html
    assert "Lapas Kelas I Palembang" not in html


def test_an_administrator_unlocks_a_locked_account(client: Client, world) -> None:
    UserFactory(username="dikunci", role=Role.MONITOR)
    anonymous = Client()
    for _ in range(5):
        anonymous.post("/masuk/", {"username": "dikunci", "password": "salah"})
    assert anonymous.post("/masuk/", {"username": "dikunci", "password": TEST_PASSWORD}).status_code == 429
    client.force_login(world.users[Role.ADMIN])
    locked = User.objects.get(username="dikunci")
    assert client.post(f"/pengguna/{locked.pk}/buka-kunci/").status_code == 302
    assert anonymous.post("/masuk/", {"username": "dikunci", "password": TEST_PASSWORD}).status_code == 302


def test_createsuperuser_makes_a_system_administrator(db) -> None:
    admin = User.objects.create_superuser("akar", "akar@example.org", "Sandi-Akar-2026")
    assert admin.role == Role.ADMIN and admin.is_superuser
