"""Login throttling by username and address, lockout audit and marking, forced password change, the
stored language, and the password hashing parameters."""

from __future__ import annotations

from django.contrib.auth.hashers import Argon2PasswordHasher, check_password, get_hasher
from django.test import Client

from sinergi.accounts import services
from sinergi.accounts.choices import Role
from sinergi.accounts.models import User
from sinergi.audit.models import AuditEvent
from tests.factories import TEST_PASSWORD, UserFactory


def _login(username: str, password: str, address: str = "10.0.0.1", client: Client | None = None) -> int:
    client = client or Client()
    return client.post(
        "/masuk/", {"username": username, "password": password}, REMOTE_ADDR=address
    ).status_code


def test_a_stranger_cannot_lock_an_officer_out_from_elsewhere(db) -> None:
    UserFactory(username="petugas", role=Role.MONITOR)
    for _ in range(5):
        _login("petugas", "salah", address="203.0.113.9")
    assert _login("petugas", TEST_PASSWORD, address="203.0.113.9") == 429
    # The officer at the office address still logs in.
    assert _login("petugas", TEST_PASSWORD, address="10.1.1.1") == 302


def test_an_address_failing_across_many_usernames_is_throttled(db, settings) -> None:
    settings.SINERGI_LOGIN_ADDRESS_LIMIT = 12
    UserFactory(username="korban", role=Role.MONITOR)
    for n in range(12):
        _login(f"tebakan{n}", "salah", address="198.51.100.7")
    assert _login("korban", TEST_PASSWORD, address="198.51.100.7") == 429
    assert _login("korban", TEST_PASSWORD, address="10.1.1.2") == 302


def test_a_few_colleagues_mistyping_at_one_office_do_not_lock_the_office(db) -> None:
    UserFactory(username="rekan", role=Role.MONITOR)
    for n in range(4):
        for _ in range(2):
            _login(f"rekan{n}", "salah", address="10.9.9.9")
    assert _login("rekan", TEST_PASSWORD, address="10.9.9.9") == 302


def test_failed_logins_and_lockouts_are_audited_and_marked_in_the_user_list(world) -> None:
    target = UserFactory(username="dikunci2", role=Role.MONITOR)
    for _ in range(6):
        _login("dikunci2", "salah")
    assert AuditEvent.objects.filter(action="auth.login_failed", target_label="dikunci2").count() >= 5
    lockout = AuditEvent.objects.filter(action="auth.lockout", target_id=str(target.pk)).first()
    assert lockout is not None and lockout.changes["address"] == "10.0.0.1"
    admin = Client()
    admin.force_login(world.users[Role.ADMIN])
    page = admin.get("/pengguna/", {"q": "dikunci2"}).content.decode()
    assert 'data-testid="locked-dikunci2"' in page
    admin.post(f"/pengguna/{target.pk}/buka-kunci/", {"next": "list"})
    assert 'data-testid="locked-dikunci2"' not in admin.get("/pengguna/", {"q": "dikunci2"}).content.decode()
    assert _login("dikunci2", TEST_PASSWORD) == 302


def test_a_password_given_by_an_administrator_must_be_changed_at_first_login(world) -> None:
    admin = world.users[Role.ADMIN]
    user, password = services.user_create(
        actor=admin, username="baru.sekali", full_name="Baru", role=Role.MONITOR, organisation=None
    )
    assert user.must_change_password
    client = Client()
    response = client.post("/masuk/", {"username": "baru.sekali", "password": password})
    assert response.status_code == 302 and response["Location"] == "/akun/kata-sandi/"
    assert client.get("/").status_code == 302  # every other page sends them back
    new = "Sandi-pilihan-sendiri-77"
    response = client.post(
        "/akun/kata-sandi/", {"old_password": password, "new_password1": new, "new_password2": new}
    )
    assert response.status_code == 302
    assert not User.objects.get(pk=user.pk).must_change_password
    assert client.get("/").status_code == 200
    # A reset by the administrator asks again.
    services.user_set_password(actor=admin, user=user, password="Sandi-dari-admin-88")
    assert User.objects.get(pk=user.pk).must_change_password


def test_the_language_choice_is_stored_on_the_user_and_applied_at_login(db) -> None:
    user = UserFactory(username="bahasa", role=Role.MONITOR)
    first = Client()
    first.force_login(user)
    first.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert User.objects.get(pk=user.pk).language == "en"
    # Another browser, no language cookie: English after logging in.
    second = Client()
    response = second.post("/masuk/", {"username": "bahasa", "password": TEST_PASSWORD}, follow=True)
    assert response.headers["Content-Language"] == "en"
    assert second.cookies["django_language"].value == "en"


def test_passwords_are_hashed_with_the_documented_argon2_parameters(settings) -> None:
    settings.PASSWORD_HASHERS = [
        "sinergi.accounts.hashers.SinergiArgon2PasswordHasher",
        "django.contrib.auth.hashers.Argon2PasswordHasher",
    ]
    hasher = get_hasher("default")
    assert (hasher.time_cost, hasher.memory_cost, hasher.parallelism) == (2, 19456, 1)
    encoded = hasher.encode("Kata-sandi-uji-123", hasher.salt())
    assert "m=19456,t=2,p=1" in encoded
    # Hashes made with Django's heavier defaults still verify and are rewritten at the next login.
    heavy = Argon2PasswordHasher().encode("x", hasher.salt())
    assert check_password("x", heavy) and hasher.must_update(heavy)
