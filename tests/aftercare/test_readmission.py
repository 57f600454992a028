"""Readmission: a new custody episode for a person with an aftercare case (the `custody.started` event)
records a readmission, closes the follow-ups due from then on, tells the PK, and tells the company only that
the person returned to custody. The last test goes through a real registry import; the others through a
hand-entered episode, which records the event in its own transaction as the import does."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sinergi.aftercare import selectors
from sinergi.aftercare.models import AftercareCase, Reoffence
from sinergi.beneficiaries.models import Person
from sinergi.beneficiaries.services import episode_add
from sinergi.events import kinds
from sinergi.events.models import DomainEvent
from sinergi.events.services import event_record, events_dispatch
from sinergi.notifications.models import Notification

D = dt.date


def _readmit(aftercare: dict[str, Any], on: dt.date) -> Any:
    person = aftercare["case"].person
    episode = episode_add(
        actor=None,
        person=person,
        data={
            "unit": aftercare["unit"],
            "registration_number": "BARU-1",
            "status": "tahanan",
            "start_date": on,
            "sentence_years": 0,
            "sentence_months": 0,
            "sentence_days": 0,
            "remission_days": 0,
            "release_date": None,
        },
    )
    started = DomainEvent.objects.get(kind=kinds.CUSTODY_STARTED, payload__episode=episode.pk)
    assert started.payload["readmission"] is True
    events_dispatch()
    return episode


def test_a_new_custody_episode_records_a_readmission_and_closes_later_followups(
    aftercare: dict[str, Any],
) -> None:
    case = aftercare["case"]
    episode = _readmit(aftercare, D(2022, 12, 15))
    record = Reoffence.objects.get(case=case)
    assert (record.kind, record.source, record.episode, record.occurred_on) == (
        "readmission",
        "registry",
        episode,
        D(2022, 12, 15),
    )
    case = AftercareCase.objects.select_related("episode", "person").get(pk=case.pk)
    assert case.readmitted_on == D(2022, 12, 15)
    status = selectors.case_status(
        selectors.with_activity(AftercareCase.objects.filter(pk=case.pk)).get(), today=D(2023, 6, 1)
    )
    assert [f["status"] for f in status.followups] == ["overdue", "overdue", "closed", "closed"]
    pk_note = Notification.objects.get(
        recipient=aftercare["pk_officer"], key__startswith="aftercare-readmission"
    )
    assert "ditahan kembali" in pk_note.title or "in custody again" in pk_note.title
    company = Notification.objects.get(recipient=aftercare["csr"], key__startswith="aftercare-returned")
    text = f"{company.title} {company.body}"
    assert "Pencurian" not in text and "BARU-1" not in text and "2022" not in text and "15" not in text


def test_the_same_event_delivered_twice_records_one_readmission(aftercare: dict[str, Any]) -> None:
    episode = _readmit(aftercare, D(2022, 12, 15))
    event_record(
        kind=kinds.CUSTODY_STARTED,
        subject=Person.objects.get(pk=aftercare["case"].person_id),
        payload={"episode": episode.pk, "unit": episode.unit_id, "status": "tahanan", "on": "2022-12-15"},
    )
    events_dispatch()
    assert Reoffence.objects.count() == 1
    assert Notification.objects.filter(key__startswith="aftercare-readmission").count() == 1


def test_tjsl_sees_the_return_but_not_the_readmission_record(aftercare: dict[str, Any]) -> None:
    _readmit(aftercare, D(2022, 12, 15))
    csr = aftercare["csr"]
    detail = selectors.case_detail(actor=csr, case=selectors.case_get(actor=csr, pk=aftercare["case"].pk))
    assert detail["view"].returned_to_custody and not detail["view"].reoffence_detail
    assert "reoffences" not in detail


def test_a_readmission_is_detected_through_a_real_registry_import(
    aftercare: dict[str, Any], tmp_path: Any
) -> None:
    from sinergi.beneficiaries.services import wbp_import
    from sinergi.beneficiaries.services._common import _nik_fields
    from tests.beneficiaries.test_import import row, write_csv

    case = aftercare["case"]
    nik = "1671141705900001"
    Person.objects.filter(pk=case.person_id).update(**_nik_fields(nik))
    path = write_csv(
        tmp_path / "registrasi.csv",
        [
            row(
                no_registrasi="IMPOR-RE-1",
                upt=aftercare["unit"].code,
                nama=case.person.full_name,
                nik=nik,
                tanggal_mulai_pidana="2022-12-15",
                lama_pidana="1 tahun",
            )
        ],
    )
    summary = wbp_import(actor=None, path=path)
    assert summary.written is True, summary.errors
    events_dispatch()
    record = Reoffence.objects.get(case=case)
    assert (record.kind, record.source, record.occurred_on, record.reference) == (
        "readmission",
        "registry",
        D(2022, 12, 15),
        "IMPOR-RE-1",
    )
    assert Notification.objects.filter(
        recipient=aftercare["pk_officer"], key__startswith="aftercare-readmission"
    )
