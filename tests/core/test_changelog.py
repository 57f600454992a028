"""`core.changelog`: every change log's SQL comes from one helper (the migrations call it), with only plain
names in it; on SQLite nothing is kept or pruned."""

from __future__ import annotations

import importlib

import pytest
from django.db import connection

from sinergi.core import changelog


def test_one_helper_makes_every_change_log() -> None:
    forward, backward = changelog.statements(
        log="x_log", function="x_changed", trigger="x", tables=["a", "b"]
    )
    assert forward[0] == "CREATE TABLE x_log (xid xid8 NOT NULL PRIMARY KEY)"
    assert [s for s in forward if s.startswith("CREATE TRIGGER")] == [
        "CREATE TRIGGER a_x AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON a "
        "FOR EACH STATEMENT EXECUTE FUNCTION x_changed()",
        "CREATE TRIGGER b_x AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON b "
        "FOR EACH STATEMENT EXECUTE FUNCTION x_changed()",
    ]
    assert backward[-1] == "DROP TABLE IF EXISTS x_log"
    for module, log in (
        ("sinergi.impact.migrations.0002_recidivism_kept", "impact_recidivismchange"),
        ("sinergi.beneficiaries.migrations.0016_import_file_digest", "beneficiaries_registrychange"),
    ):
        migration = importlib.import_module(module)
        assert migration.LOG[0] == f"CREATE TABLE {log} (xid xid8 NOT NULL PRIMARY KEY)"
        assert sum(s.startswith("CREATE TRIGGER") for s in migration.LOG) == len(migration.WATCHED)


@pytest.mark.parametrize("name", ["x; DROP TABLE y", "X", "a-b", ""])
def test_only_plain_names(name: str) -> None:
    with pytest.raises(ValueError):
        changelog.statements(log=name, function="f", trigger="t", tables=["a"])
    with pytest.raises(ValueError):
        changelog.ChangeLog(log="ok", kept=name, lock=1)


def test_the_logs_of_impact_and_the_import_are_alike() -> None:
    from sinergi.beneficiaries.services import imports
    from sinergi.impact import kept

    assert {kept.CHANGES.log, imports.REGISTRY_LOG.log} == {
        "impact_recidivismchange",
        "beneficiaries_registrychange",
    }
    assert kept.CHANGES.lock != imports.REGISTRY_LOG.lock
    assert imports.REGISTRY_LOG.recorder and not kept.CHANGES.recorder


@pytest.mark.skipif(connection.vendor != "postgresql", reason="The change logs exist on PostgreSQL only.")
@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("reference_data")
def test_advancing_without_dropping_keeps_the_transactions_own_entry() -> None:
    """`advance(dropped=False)` deleted the calling transaction's own entry with the ids "this cluster has
    not reached" (its own id is at or past its snapshot's xmax) while recording nothing as dropped: a kept
    value that never saw that transaction's writes would then be fresh (review of 4 December, night)."""
    import datetime as dt

    from django.db import transaction

    from sinergi.beneficiaries.models import Person
    from sinergi.beneficiaries.services.imports import REGISTRY_LOG

    own = f"SELECT count(*) FROM {REGISTRY_LOG.log} WHERE xid = pg_current_xact_id()"  # noqa: S608
    with transaction.atomic(), connection.cursor() as cursor:
        before = changelog.snapshot(cursor)
        Person.objects.create(
            full_name="Contoh Sintetis", is_synthetic=True, sex="L", birth_date=dt.date(1990, 1, 1)
        )
        cursor.execute(own)
        assert cursor.fetchone()[0] == 1
        changelog.advance(cursor, REGISTRY_LOG, before, dropped=False)
        cursor.execute(own)
        assert cursor.fetchone()[0] == 1
        cursor.execute(f"SELECT dropped FROM {changelog.HORIZON} WHERE log = %s", [REGISTRY_LOG.log])  # noqa: S608
        assert cursor.fetchone()[0] is None
        changelog.advance(cursor, REGISTRY_LOG, before, dropped=True)
        cursor.execute(own)
        assert cursor.fetchone()[0] == 0
