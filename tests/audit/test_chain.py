"""The audit chain: written in the service's transaction, append-only, and verified link by link."""

import datetime as dt

import pytest
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction

from sinergi.audit.domain import event_hash
from sinergi.audit.models import AuditChainHead, AuditEvent
from sinergi.audit.services import audit_record, audit_table_is_append_only, audit_verify


def _tamper(sql: str, params: list) -> None:
    """Bypass the append-only triggers the way an intruder with database access would."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("DROP TRIGGER audit_append_only_update")
            cursor.execute("DROP TRIGGER audit_append_only_delete")
        else:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("ALTER TABLE audit_auditevent DISABLE TRIGGER audit_append_only")
        cursor.execute(sql, params)


@pytest.fixture
def chain(db):
    with transaction.atomic():
        return [
            audit_record(actor=None, action="test.event", target_label=f"peristiwa {i}") for i in range(5)
        ]


def test_an_intact_chain_verifies(chain) -> None:
    result = audit_verify()
    assert result.ok
    assert result.checked >= 5


def test_a_changed_audit_row_is_caught(chain) -> None:
    _tamper("UPDATE audit_auditevent SET target_label = %s WHERE seq = %s", ["diubah", chain[2].seq])
    result = audit_verify()
    assert not result.ok
    assert result.broken_seq == chain[2].seq


def test_a_deleted_audit_row_is_caught(chain) -> None:
    _tamper("DELETE FROM audit_auditevent WHERE seq = %s", [chain[1].seq])
    result = audit_verify()
    assert not result.ok
    assert result.broken_seq == chain[1].seq


def test_removing_the_newest_rows_is_caught(chain) -> None:
    _tamper("DELETE FROM audit_auditevent WHERE seq = %s", [chain[-1].seq])
    assert not audit_verify().ok


def test_the_database_refuses_to_change_audit_rows(chain) -> None:
    assert audit_table_is_append_only()
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.filter(pk=chain[0].pk).update(action="diubah")
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.filter(pk=chain[0].pk).delete()


def test_events_written_before_sealing_still_verify_and_a_change_is_caught(chain) -> None:
    """Scheme 1 (the hash over the canonical JSON, from before sealed events) stays checkable between
    scheme-2 events."""
    head = AuditChainHead.objects.get(pk=1)
    content = {
        "occurred_at": dt.datetime(2024, 5, 1, 8, 30, tzinfo=dt.UTC),
        "actor_id": None,
        "actor_label": "sistem",
        "action": "test.lama",
        "target_type": "",
        "target_id": "",
        "target_label": "peristiwa lama",
        "changes": {"status": ["a", "b"]},
    }
    digest = event_hash(
        seq=head.seq + 1,
        prev_hash=head.last_hash,
        **(content | {"occurred_at": content["occurred_at"].isoformat()}),
    )
    AuditEvent(seq=head.seq + 1, scheme=1, prev_hash=head.last_hash, hash=digest, **content).save()
    AuditChainHead.objects.filter(pk=1).update(seq=head.seq + 1, last_hash=digest)
    audit_record(actor=None, action="test.sesudah", target_label="sesudah")
    assert audit_verify().ok
    _tamper("UPDATE audit_auditevent SET target_label = %s WHERE seq = %s", ["diubah", head.seq + 1])
    result = audit_verify()
    assert (result.ok, result.broken_seq) == (False, head.seq + 1)


def test_an_event_about_the_requests_lazy_user_is_recorded(db) -> None:
    """Views pass `request.user`, a lazy object, as the target: the event names the user."""
    from django.utils.functional import SimpleLazyObject

    from tests.factories import UserFactory

    user = UserFactory(username="malas")
    event = audit_record(actor=user, action="test.lazy", target=SimpleLazyObject(lambda: user))
    assert (event.target_type, event.target_id, event.subject_id) == ("accounts.user", str(user.pk), "")


def test_an_event_rolls_back_with_its_transaction(db) -> None:
    before = AuditEvent.objects.count()
    with pytest.raises(RuntimeError), transaction.atomic():
        audit_record(actor=None, action="test.rollback")
        raise RuntimeError
    assert AuditEvent.objects.count() == before
    assert audit_verify().ok


def test_the_verify_command_reports_ok_or_the_broken_link(chain, capsys) -> None:
    call_command("audit", "verify")
    assert "OK" in capsys.readouterr().out
    _tamper("UPDATE audit_auditevent SET action = %s WHERE seq = %s", ["diubah", chain[3].seq])
    with pytest.raises(SystemExit) as excinfo:
        call_command("audit", "verify")
    assert excinfo.value.code == 1
    out = capsys.readouterr().out
    assert f"#{chain[3].seq}" in out
    assert "RUSAK" in out


def test_administrators_see_the_timeline_with_filters(client, world) -> None:
    from sinergi.accounts.choices import Role

    with transaction.atomic():
        audit_record(actor=world.users[Role.ADMIN], action="test.saring", target_label="target khusus")
    client.force_login(world.users[Role.ADMIN])
    html = client.get("/audit/", {"action": "test.saring"}).content.decode()
    assert "target khusus" in html
    html = client.get("/audit/", {"action": "tidak.ada"}).content.decode()
    assert "target khusus" not in html


def test_checking_the_chain_from_the_page_runs_a_job(
    client, world, django_capture_on_commit_callbacks
) -> None:
    from sinergi.accounts.choices import Role
    from sinergi.jobs.models import Job

    client.force_login(world.users[Role.ADMIN])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/audit/periksa/")
    job = Job.objects.get()
    assert response.url == f"/tugas/{job.pk}/"
    job.refresh_from_db()
    assert job.status == "succeeded"
    assert job.result["ok"] is True
    page = client.get(f"/tugas/{job.pk}/", headers={"HX-Request": "true"}).content.decode()
    assert 'data-status="succeeded"' in page
    assert "hx-trigger" not in page
