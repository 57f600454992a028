"""Many audit events at once (for bulk writers such as the registry import): the chain stays whole and each
event reads back exactly as `audit_record` would have written it."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.db import connection

from sinergi.audit.models import AuditEvent
from sinergi.audit.services import (
    REMOVED_LABEL,
    AuditEntry,
    audit_record,
    audit_record_many,
    audit_subject_forget,
    audit_unseal,
    audit_verify,
)
from sinergi.beneficiaries.models import IntegrationEvent
from tests.aftercare.conftest import handover, release_and_open  # noqa: F401 (fixture)
from tests.factories import UserFactory
from tests.programs.conftest import setting  # noqa: F401 (fixture)


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


def test_bulk_events_about_a_case_enrolment_or_episode_are_sealed_with_the_persons_key(
    handover: dict[str, Any],  # noqa: F811
) -> None:
    """The same rule as `audit_record`: a row with a person (case, enrolment, episode) or one step from one
    (an integration event through its episode) is about that person; shredding their key makes the bulk
    events unreadable too. A row about nobody stays in clear."""
    case = release_and_open(handover)
    person, enrollment, episode = case.person, handover["enrollments"][0], case.episode
    integration = IntegrationEvent.objects.create(
        episode=episode, kind="pb", date=dt.date(2023, 1, 2), board_reference="TPP/1"
    )
    about_person = [case, enrollment, episode, integration]
    entries = [
        AuditEntry(
            action="uji.massal",
            target_type=target._meta.label_lower,
            target_id=str(target.pk),
            target_label=f"Rahasia Massal {index}",
            changes={"catatan": f"Rahasia Massal {index}"},
        )
        for index, target in enumerate([*about_person, handover["bapas"]])
    ]
    before = AuditEvent.objects.count()
    assert audit_record_many(actor=None, entries=entries) == 5
    events = list(AuditEvent.objects.order_by("seq"))[before:]
    *sealed, clear = events
    assert [(e.subject_type, e.subject_id) for e in sealed] == [("beneficiaries.person", str(person.pk))] * 4
    assert all(e.sealed and e.target_label == "" and e.changes == {} for e in sealed)
    assert (clear.subject_id, clear.sealed, clear.target_label) == ("", "", "Rahasia Massal 4")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT * FROM audit_auditevent WHERE seq BETWEEN %s AND %s", [sealed[0].seq, sealed[-1].seq]
        )
        assert "Rahasia" not in json.dumps(cursor.fetchall(), default=str)
    # The single path reaches the same person, with the same key.
    single = audit_record(actor=None, action="uji.satu", target=enrollment, target_label="Rahasia Satu")
    assert (single.subject_type, single.subject_id) == (sealed[0].subject_type, sealed[0].subject_id)
    assert [e.target_label for e in audit_unseal([*sealed, single])] == [
        "Rahasia Massal 0",
        "Rahasia Massal 1",
        "Rahasia Massal 2",
        "Rahasia Massal 3",
        "Rahasia Satu",
    ]

    assert audit_subject_forget(target=person)
    reread = audit_unseal(AuditEvent.objects.filter(pk__in=[e.pk for e in sealed]))
    assert {(e.target_label, json.dumps(e.changes)) for e in reread} == {(str(REMOVED_LABEL), "{}")}
    assert audit_verify().ok
