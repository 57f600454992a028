"""Shared fixtures: a small set of reference data loaded once per test database, fast hashing, jobs run
inline, and the Hypothesis profile.

Reference data: every province and regency, but the districts and villages of two provinces only
(`SMALL_REGIONS`): Sumatera Selatan, where the units, the founding MoU's ring I (Plaju in Kota Palembang,
Banyuasin I in Kabupaten Banyuasin), the registry files and the demo live, and Jambi, the test world's
other region (tests/authz.py). About 4,900 villages load in a fraction of the time the full 83,762 take.
The full load, with its official counts, is tested once in `tests/regions/test_load.py` (`regions_load()`
there loads everything: the small set records no checksum, so it never counts as loaded).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, settings

from tests.authz import World, build_world

# Hypothesis: no wall-clock deadline and no "too slow" health check by default, since the machine the
# suite runs on may be busy (a slow example is not a failing one). `HYPOTHESIS_PROFILE=dev` gives
# Hypothesis's own defaults back, for hunting a slow property on a quiet machine.
settings.register_profile(
    "ci",
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    print_blob=True,
)
settings.register_profile("dev")
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

# Province codes whose districts and villages the tests load (all provinces and regencies are loaded).
SMALL_REGIONS: tuple[str, ...] = ("16", "15")


def regions_load_small(provinces: tuple[str, ...] = SMALL_REGIONS) -> dict[str, int]:
    """Load every province and regency, and the districts and villages of `provinces` only.

    The same files, rows and normalised keys as `regions_load`, filtered; returns the rows per table.
    """
    from sinergi.core.bulk import bulk_upsert
    from sinergi.regions.domain import normalize_place
    from sinergi.regions.services import DATASETS, _read

    prefixes = tuple(f"{code}." for code in provinces)
    counts: dict[str, int] = {}
    for name, model, columns, build in DATASETS:
        _, records = _read(name)
        wanted = (
            r for r in records if name not in ("districts", "villages") or r["code"].startswith(prefixes)
        )
        counts[name] = bulk_upsert(
            model, columns, (build(r) + (normalize_place(r["name"]).key,) for r in wanted)
        )
    return counts


def reference_load() -> None:
    """The small regions and the bundled Kanwil and units (what `sinergi setup` loads, made small)."""
    from sinergi.accounts.services import units_load

    regions_load_small()
    units_load()


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup: Any, django_db_blocker: Any) -> None:
    """Load the small reference data once into the test database."""
    with django_db_blocker.unblock():
        reference_load()


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
        reference_load()
    yield
    _audit_triggers("drop")
