"""The subject-access PDF is readable by the person it is about: Indonesian (or English) headings and field
labels, display labels for codes, names for foreign keys, long local dates, the audit trail in words; the
JSON keeps its keys; the export is audited; its queries do not grow with the person's records."""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from sinergi.accounts.choices import Role
from sinergi.audit.models import AuditEvent
from sinergi.audit.services import audit_unseal
from sinergi.beneficiaries.models import CustodyEpisode
from sinergi.programs import services as programs
from sinergi.programs.models import Attendance
from sinergi.reports import subject
from sinergi.reports.subject_document import date_time
from tests.aftercare.conftest import aftercare as aftercare_fixture  # noqa: F401 (fixture)
from tests.aftercare.conftest import handover  # noqa: F401 (fixture)
from tests.authz import World
from tests.reports.test_subject_complete import delivered_first, everything  # noqa: F401 (fixtures)

pytestmark = pytest.mark.django_db
REASON = "Permintaan kuasa hukum warga binaan"
RAW_NAMES = (
    "full_name",
    "nik_last4",
    "domicile_district",
    "custody_episodes",
    "is_synthetic",
    "audit_events",
    "prev_hash",
    "unit_code",
    "person.subject_access",
    "attendance.record",
)
ISO = re.compile(r"\d{4}-\d{2}-\d{2}")


def _text(pdf: bytes, tmp_path: Path) -> str:
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    path = tmp_path / "subjek.pdf"
    path.write_bytes(pdf)
    out = subprocess.run(["pdftotext", str(path), "-"], check=True, capture_output=True, text=True).stdout
    return " ".join(out.split())


def test_the_pdf_speaks_indonesian_in_plain_words(everything: dict[str, Any], tmp_path: Path) -> None:  # noqa: F811
    person = everything["person"]
    with translation.override("id"):
        pdf, content_type = subject.subject_export(
            actor=everything["admin"], person=person, fmt="pdf", reason=REASON
        )
    assert content_type == "application/pdf"
    text = _text(pdf, tmp_path)
    for heading in (
        "Data Anda yang disimpan di Sinergi",
        "Data pribadi",
        "Masa penahanan",
        "Persetujuan",
        "Program dan kehadiran",
        "Sertifikat",
        "Pembebasan dan pembimbingan",
        "Riwayat akses",
    ):
        assert heading in text, heading
    assert person.full_name in text and REASON in text
    # Field labels from the models, choices by their label, foreign keys by name, long dates.
    for label in ("Nama", "Jenis kelamin", "Tanggal lahir", "Diminta oleh", "Dibuat pada"):
        assert label in text, label
    episode = CustodyEpisode.objects.filter(person=person).select_related("unit").first()
    assert episode is not None
    assert episode.unit.name in text and str(episode.get_status_display()) in text
    assert "WIB" in text  # a local time, spelled out
    assert "Catatan kunjungan rahasia" in text  # the content itself is there
    for raw in RAW_NAMES:
        assert raw not in text, raw
    assert not ISO.search(text), ISO.search(text)
    # No integrity hashes in the readable document (they stay in the JSON).
    for event in AuditEvent.objects.all()[:20]:
        assert event.hash not in text


def test_the_pdf_follows_the_language(everything: dict[str, Any], tmp_path: Path) -> None:  # noqa: F811
    with translation.override("en"):
        pdf, _type = subject.subject_export(
            actor=everything["admin"], person=everything["person"], fmt="pdf", reason=REASON
        )
    text = _text(pdf, tmp_path)
    assert "Personal data" in text and "Access history" in text and "Data pribadi" not in text
    assert "full_name" not in text and not ISO.search(text)


def test_a_time_reads_in_the_local_zone() -> None:
    with translation.override("id"):
        assert date_time(dt.datetime(2026, 12, 4, 12, 33, tzinfo=dt.UTC)) == "4 Desember 2026, 19.33 WIB"


def test_the_json_keeps_its_keys_and_gains_labels(everything: dict[str, Any]) -> None:  # noqa: F811
    person = everything["person"]
    with translation.override("id"):
        raw, content_type = subject.subject_export(
            actor=everything["admin"], person=person, fmt="json", reason=REASON
        )
    assert content_type == "application/json"
    data = json.loads(raw)
    assert set(data) == {"generated_at", "person_id", "sections", "labels"}
    sections = data["sections"]
    assert {"person", "custody_episodes", "consents", "enrollments", "attendance", "audit_events"} <= set(
        sections
    )
    row = sections["person"][0]
    assert {"id", "full_name", "nik_last4", "domicile_district_id", "is_synthetic", "nik"} <= set(row)
    assert row["full_name"] == person.full_name
    episode = sections["custody_episodes"][0]
    assert {"unit_id", "status", "person_id"} <= set(episode)
    event = sections["audit_events"][0]
    assert {"seq", "occurred_at", "action", "hash", "prev_hash"} <= set(event)
    dt.datetime.fromisoformat(event["occurred_at"])  # still machine-readable
    labels = data["labels"]
    assert labels["fields"]["person"]["full_name"] == "Nama"
    assert labels["sections"]["custody_episodes"] == "Masa penahanan"
    assert set(labels["fields"]["custody_episodes"]) == set(episode)


def test_both_formats_are_audited_with_the_reason(
    everything: dict[str, Any],  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr("sinergi.reports.joint.html_to_pdf", lambda html: b"%PDF-")
    person = everything["person"]
    before = AuditEvent.objects.filter(action="person.subject_access").count()  # the fixture's PDF request
    for fmt in ("json", "pdf"):
        subject.subject_export(actor=everything["admin"], person=person, fmt=fmt, reason=REASON)
        events = AuditEvent.objects.filter(action="person.subject_access", target_id=str(person.pk))
        event = audit_unseal([events.latest("seq")])[0]
        assert event.changes["format"] == fmt and event.changes["records"] > 10
    assert AuditEvent.objects.filter(action="person.subject_access").count() == before + 2


def test_the_queries_do_not_grow_with_the_records(
    delivered: dict[str, Any], world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """1 attendance row or 20: the same number of queries for the PDF (its layout is stubbed)."""
    monkeypatch.setattr("sinergi.reports.joint.html_to_pdf", lambda html: b"%PDF-")
    enrollment = delivered["enrollments"][1]
    person, admin = enrollment.person, world.users[Role.ADMIN]
    rows = Attendance.objects.filter(enrollment=enrollment)
    rows.exclude(pk=rows.order_by("pk").first().pk).delete()  # type: ignore[union-attr]

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            subject.subject_export(actor=admin, person=person, fmt="pdf", reason=REASON)
        return len(queries)

    one = count()
    sessions = programs.sessions_generate(
        actor=None,
        cohort=enrollment.cohort,
        weekdays=[1, 2, 3, 4],
        start_time=dt.time(9),
        end_time=dt.time(11),
        from_date=dt.date(2022, 5, 2),
        to_date=dt.date(2022, 6, 27),
    )
    for session in sessions:
        programs.attendance_record(actor=None, session=session, marks={enrollment.pk: ("present", 0)})
    assert Attendance.objects.filter(enrollment=enrollment).count() >= 20
    assert count() == one
