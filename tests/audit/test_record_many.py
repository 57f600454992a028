"""Many audit events at once (for bulk writers such as the registry import): the chain stays whole and each
event reads back exactly as `audit_record` would have written it."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from cryptography.fernet import Fernet
from django.db import connection

from sinergi.audit.models import AuditEvent, SubjectKey
from sinergi.audit.services import (
    REMOVED_LABEL,
    AuditEntry,
    _subject_keys,
    audit_record,
    audit_record_many,
    audit_subject_forget,
    audit_unseal,
    audit_verify,
)
from sinergi.beneficiaries.models import IntegrationEvent, Person
from tests.aftercare.conftest import handover, release_and_open  # noqa: F401 (fixture)
from tests.factories import OrganisationFactory, UserFactory
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


def _sealed_text(event: AuditEvent) -> str:
    """The plaintext an event's sealed part holds (its person's key opened directly), "" when not sealed."""
    if not event.sealed:
        return ""
    key = _subject_keys({(event.subject_type, event.subject_id)}, create=False)[
        (event.subject_type, event.subject_id)
    ]
    assert key is not None
    return Fernet(key).decrypt(event.sealed.encode()).decode()


def test_a_batch_holds_and_reads_back_exactly_what_events_written_one_by_one_hold(db: Any) -> None:
    """The bulk path (one key per person per batch, each record serialised once, the chain computed in one
    pass, COPY) stores what `audit_record` stores for the same events: the same columns, the same sealed
    plaintext byte for byte, the same content opened for display, and the chain verifies across both."""
    actor = UserFactory(username="pencatat")
    company = OrganisationFactory(name="Mitra Uji")
    audit_subject_forget(target=Person(pk=903))  # an anonymised person: later events stay in clear
    long_label = "Nama Panjang Sekali " * 20  # cut to 255 characters by both paths
    specs: list[tuple[Any, str, dict[str, Any]]] = [
        (Person(pk=901), "Orang Satu", {"fields": {"full_name": ["Lama", "Baru"]}, "lines": [3, 9]}),
        # The same person again in the batch, with values that are not JSON as they are: a date, a tuple, a
        # number as a key (all as the JSON round trip of `audit_record` turns them).
        (Person(pk=901), "Orang Satu", {"on": dt.date(2024, 1, 2), "pair": (1, 2), 3: "tiga", "x": None}),
        (Person(pk=902), long_label, {}),
        (Person(pk=903), "Orang Dilupakan", {"catatan": "Tetap terbaca", "n": 2}),
        (Person(pk=904), "Ñandú 🙂", {"rows": [{"a": True, "b": None}, {"c": 10**20, "d": 1.5}], "é": "ü"}),
        (company, "Mitra Uji", {"nama": ["Lama", "Mitra"], "when": dt.datetime(2024, 5, 6, tzinfo=dt.UTC)}),
        (None, "tanpa sasaran", {"jumlah": 3}),
    ]
    entries = [
        AuditEntry(
            action="uji.banyak",
            target_type=target._meta.label_lower if target is not None else "",
            target_id=str(target.pk) if target is not None else "",
            target_label=label,
            changes=changes,
        )
        for target, label, changes in specs
    ]
    before = AuditEvent.objects.count()
    assert audit_record_many(actor=actor, entries=entries, batch_size=3) == len(specs)
    for target, label, changes in specs:
        audit_record(actor=actor, action="uji.banyak", target=target, target_label=label, changes=changes)
    assert audit_verify().ok
    events = list(AuditEvent.objects.order_by("seq"))[before:]
    bulk, single = events[: len(specs)], events[len(specs) :]
    stored = (
        "actor_id",
        "actor_label",
        "action",
        "target_type",
        "target_id",
        "target_label",
        "changes",
        "subject_type",
        "subject_id",
        "scheme",
    )
    for many, one in zip(bulk, single, strict=True):
        assert [getattr(many, name) for name in stored] == [getattr(one, name) for name in stored]
        assert bool(many.sealed) == bool(one.sealed)
        assert _sealed_text(many) == _sealed_text(one)
        assert many.occurred_at.microsecond == one.occurred_at.microsecond == 0
    assert [e.sealed != "" for e in bulk] == [True, True, True, False, True, False, False]
    opened_bulk, opened_single = audit_unseal(bulk), audit_unseal(single)
    assert [(e.target_label, e.changes) for e in opened_bulk] == [
        (e.target_label, e.changes) for e in opened_single
    ]
    assert opened_bulk[1].changes == {"on": "2024-01-02", "pair": [1, 2], "3": "tiga", "x": None}
    assert opened_bulk[2].target_label == long_label[:255]
    # Both events of person 901 are sealed with the one key that person has.
    assert SubjectKey.objects.filter(subject_type="beneficiaries.person", subject_id="901").count() == 1
