"""Users and organisations: role rules, password rules, audit, and conflicts between concurrent edits."""

import pytest

from sinergi.accounts.choices import OrganisationKind, Role, UnitKind
from sinergi.accounts.domain import role_organisation_error
from sinergi.accounts.models import Organisation
from sinergi.accounts.services import (
    UNIT_NEEDS_KANWIL,
    USERNAME_TAKEN,
    organisation_create,
    organisation_update,
    token_authenticate,
    token_create,
    user_create,
    user_update,
)
from sinergi.audit.models import AuditEvent
from sinergi.core.errors import CONFLICT_MESSAGE, ApplicationError, ConflictError
from tests.factories import KanwilFactory, OrganisationFactory, UnitFactory, UserFactory


def test_each_role_belongs_to_the_right_kind_of_organisation() -> None:
    assert role_organisation_error(Role.ADMIN, None, None) is None
    assert role_organisation_error(Role.UNIT_OFFICER, OrganisationKind.UNIT, UnitKind.LAPAS) is None
    assert role_organisation_error(Role.UNIT_OFFICER, OrganisationKind.UNIT, UnitKind.BAPAS)
    assert role_organisation_error(Role.BAPAS_OFFICER, OrganisationKind.UNIT, UnitKind.BAPAS) is None
    assert role_organisation_error(Role.CSR_OFFICER, OrganisationKind.KANWIL, None)
    assert role_organisation_error(Role.KANWIL_OFFICER, None, None)


def test_creating_a_user_audits_it_and_returns_a_first_password(db) -> None:
    admin = UserFactory(role=Role.ADMIN)
    unit = UnitFactory()
    user, password = user_create(
        actor=admin,
        username="petugas.baru",
        full_name="Petugas Baru",
        role=Role.UNIT_OFFICER,
        organisation=unit,
    )
    assert user.check_password(password)
    event = AuditEvent.objects.filter(action="user.create").latest("seq")
    assert event.actor == admin and event.target_id == str(user.pk)


def test_a_user_with_the_wrong_organisation_is_refused_with_a_clear_message(db) -> None:
    company = OrganisationFactory(kind=OrganisationKind.COMPANY)
    with pytest.raises(ApplicationError) as excinfo:
        user_create(
            actor=None, username="salah", full_name="Salah", role=Role.UNIT_OFFICER, organisation=company
        )
    assert "Lapas, Rutan" in str(excinfo.value.message) or "Lapas" in str(excinfo.value.message)


def test_a_taken_username_is_refused(db) -> None:
    UserFactory(username="kembar")
    with pytest.raises(ApplicationError) as excinfo:
        user_create(actor=None, username="KEMBAR", full_name="Kembar", role=Role.ADMIN, organisation=None)
    assert excinfo.value.message == USERNAME_TAKEN


def test_a_weak_password_is_refused(db) -> None:
    with pytest.raises(ApplicationError) as excinfo:
        user_create(
            actor=None,
            username="lemah",
            full_name="Lemah",
            role=Role.ADMIN,
            organisation=None,
            password="12345",
        )
    assert excinfo.value.detail["password"]


def test_two_edits_of_the_same_user_conflict_instead_of_overwriting(db) -> None:
    admin = UserFactory(role=Role.ADMIN)
    target = UserFactory(role=Role.MONITOR, full_name="Nama Awal")
    version = target.version
    user_update(actor=admin, user=target, data={"full_name": "Edit Pertama"}, version=version)
    stale = type(target).objects.get(pk=target.pk)
    with pytest.raises(ConflictError) as excinfo:
        user_update(actor=admin, user=stale, data={"full_name": "Edit Kedua"}, version=version)
    assert excinfo.value.message == CONFLICT_MESSAGE
    target.refresh_from_db()
    assert target.full_name == "Edit Pertama"


def test_a_unit_needs_a_kanwil(db) -> None:
    with pytest.raises(ApplicationError) as excinfo:
        organisation_create(
            actor=None, data={"kind": OrganisationKind.UNIT, "name": "Rutan Uji", "unit_kind": UnitKind.RUTAN}
        )
    assert excinfo.value.detail["regional_office"] == str(UNIT_NEEDS_KANWIL)
    assert not Organisation.objects.filter(name="Rutan Uji").exists()


def test_organisation_edits_are_audited_with_the_changed_fields(db) -> None:
    kanwil = KanwilFactory()
    organisation_update(actor=None, organisation=kanwil, data={"name": "Kanwil Baru"}, version=kanwil.version)
    event = AuditEvent.objects.filter(action="organisation.update").latest("seq")
    assert event.changes["name"][1] == "Kanwil Baru"


def test_api_tokens_are_stored_as_digests_and_identify_their_user(db) -> None:
    user = UserFactory(role=Role.MONITOR)
    raw = token_create(actor=None, user=user)
    assert token_authenticate(raw) == user
    assert not user.api_tokens.filter(digest=raw).exists()
    assert token_authenticate(raw + "x") is None


def test_a_username_with_spaces_is_refused(db) -> None:
    with pytest.raises(ApplicationError) as excinfo:
        user_create(
            actor=None, username="petugas upt baru", full_name="X", role=Role.ADMIN, organisation=None
        )
    assert "username" in excinfo.value.detail
