"""Appending from many connections at once: one statement per event, serialised by the chain head's row lock,
leaves one unbroken chain (PostgreSQL; SQLite serialises writers itself)."""

from __future__ import annotations

import os
import threading

import pytest
from django.db import connection, connections, transaction

from sinergi.audit.models import AuditChainHead, AuditEvent
from sinergi.audit.services import AuditEntry, audit_read, audit_record, audit_record_many, audit_verify

WRITERS = 6
EACH = 12


class _Rollback(Exception):
    pass


@pytest.mark.skipif(
    not os.environ.get("DATABASE_URL", "").startswith("postgres"),
    reason="Needs PostgreSQL: SQLite lets one writer in at a time.",
)
def test_concurrent_appends_form_one_verified_chain(reference_data: None) -> None:
    assert connection.vendor == "postgresql"
    audit_record(actor=None, action="test.start", target_label="awal")
    barrier = threading.Barrier(WRITERS)
    errors: list[BaseException] = []

    def write(n: int) -> None:
        try:
            barrier.wait()
            for i in range(EACH):
                if i % 4 == 3:
                    # A transaction that rolls back leaves no gap: its link was never committed.
                    try:
                        with transaction.atomic():
                            audit_record(actor=None, action="test.rolled_back", target_label=f"{n}/{i}")
                            raise _Rollback
                    except _Rollback:
                        pass
                elif i % 4 == 2:
                    entries = [AuditEntry("test.bulk", "", "", f"{n}/{i}/{j}", {}) for j in range(3)]
                    audit_record_many(actor=None, entries=entries)
                else:
                    with transaction.atomic():
                        audit_read(actor=None, action="test.list", filters={"n": n}, count=i)
        except BaseException as exc:  # noqa: BLE001 (reported below)
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=write, args=(n,)) for n in range(WRITERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    per_writer = sum(3 if i % 4 == 2 else 0 if i % 4 == 3 else 1 for i in range(EACH))
    assert AuditEvent.objects.exclude(action="test.start").filter(action__startswith="test.").count() == (
        WRITERS * per_writer
    )
    assert not AuditEvent.objects.filter(action="test.rolled_back").exists()
    seqs = list(AuditEvent.objects.order_by("seq").values_list("seq", flat=True))
    assert seqs == list(range(1, len(seqs) + 1))
    head = AuditChainHead.objects.get(pk=1)
    assert head.seq == seqs[-1]
    assert audit_verify().ok
