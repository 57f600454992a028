"""Shared fixtures: reference data loaded once per test database, fast hashing, jobs run inline."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.core.management import call_command

from tests.authz import World, build_world


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup: Any, django_db_blocker: Any) -> None:
    """Load the real region codes and units once into the test database (as `sinergi setup` does)."""
    from sinergi.accounts.services import units_load
    from sinergi.regions.services import regions_load

    with django_db_blocker.unblock():
        regions_load()
        units_load()


@pytest.fixture(autouse=True)
def _fast_and_inline(settings: Any, tmp_path: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.LANGUAGE_CODE = "id"


@pytest.fixture
def world(db: Any) -> World:
    """One user per role in 'own' organisations, and a second set in 'other' organisations."""
    return build_world()


def _audit_triggers(action: str) -> None:
    """Run the append-only trigger migration forwards or backwards on the test database."""
    import importlib

    from django.db import connection

    migration = importlib.import_module("sinergi.audit.migrations.0002_append_only_triggers")
    vendor = connection.vendor
    statements = {
        "create": {"sqlite": migration.SQLITE, "postgresql": migration.POSTGRES},
        "drop": {"sqlite": migration.SQLITE_REVERSE, "postgresql": migration.POSTGRES_REVERSE},
    }[action][vendor]
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)


@pytest.fixture
def reference_data(transactional_db: Any) -> Iterator[None]:
    """For tests that flush the database (live server): reload reference data if a flush removed it.

    The flush after such a test must empty the audit table, which the append-only triggers refuse, so the
    triggers are lifted for the flush and put back before the next test that uses this fixture.
    """
    from sinergi.regions.models import Village

    _audit_triggers("create")
    if not Village.objects.exists():
        call_command("setup", verbosity=0)
    yield
    _audit_triggers("drop")
