"""Shared fixtures: reference data loaded once per test database, fast hashing, jobs run inline."""

from __future__ import annotations

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
def _fast_and_inline(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.LANGUAGE_CODE = "id"


@pytest.fixture
def world(db: Any) -> World:
    """One user per role in 'own' organisations, and a second set in 'other' organisations."""
    return build_world()


@pytest.fixture
def reference_data(transactional_db: Any) -> None:
    """For tests that flush the database (live server): load the reference data again if it is gone."""
    from sinergi.regions.models import Village

    if not Village.objects.exists():
        call_command("setup", verbosity=0)
