"""Many audit events at once (for bulk writers such as the registry import): the chain stays whole and each
event reads back exactly as `audit_record` would have written it."""

from __future__ import annotations

from typing import Any

from sinergi.audit.models import AuditEvent
from sinergi.audit.services import (
    AuditEntry,
    audit_record,
    audit_record_many,
    audit_unseal,
    audit_verify,
)
from tests.factories import UserFactory


def test_bulk_events_link_into_the_chain_between_single_ones(db: Any) -> None:
    actor = UserFactory(username="pencatat")
    before = AuditEvent.objects.count()
    audit_record(actor=actor, action="uji.satu", target_label="awal")
    entries = [
        AuditEntry(
            action="person.import_update",
            target_type="beneficiaries.person",
            target_id=str(i),
            target_label=f"Orang {i}",
            changes={"fields": {"full_name": [f"Lama {i}", f"Baru {i}"]}, "lines": [i + 2]},
        )
        for i in range(5)
    ]
    assert audit_record_many(actor=actor, entries=entries, batch_size=2) == 5
    audit_record(actor=None, action="uji.akhir", target_label="akhir")
    assert audit_verify().ok
    events = list(AuditEvent.objects.order_by("seq"))[before:]
    assert [e.seq for e in events] == list(range(before + 1, before + 8))
    third = events[3]
    assert (third.action, third.target_id, third.actor, third.actor_label) == (
        "person.import_update",
        "2",
        actor,
        "pencatat",
    )
    # About a person: stored sealed with that person's key, opened for display.
    assert (third.target_label, third.changes, third.subject_id) == ("", {}, "2")
    assert "Lama 2" not in third.sealed
    [opened] = audit_unseal([third])
    assert opened.target_label == "Orang 2"
    assert opened.changes == {"fields": {"full_name": ["Lama 2", "Baru 2"]}, "lines": [4]}
    assert third.occurred_at.tzinfo is not None


def test_nothing_to_record_writes_nothing(db: Any) -> None:
    before = AuditEvent.objects.count()
    assert audit_record_many(actor=None, entries=[]) == 0
    assert AuditEvent.objects.count() == before
