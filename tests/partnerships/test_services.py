"""Recording agreements: the refusals, warnings, documents, conflicts, alerts and the coverage service."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from sinergi.accounts.choices import Role
from sinergi.audit.models import AuditEvent
from sinergi.core.errors import ApplicationError, ConflictError
from sinergi.notifications.models import Notification
from sinergi.partnerships import services
from sinergi.partnerships.choices import AgreementKind
from sinergi.partnerships.models import Agreement, AgreementDocument, ExpiryAlert
from sinergi.partnerships.selectors import agreement_coverage, agreements_with_status
from sinergi.partnerships.services import PartyInput, agreement_create, agreement_update
from tests.partnerships.conftest import make_agreement

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _parties(world):
    return [world.organisation(Role.KANWIL_OFFICER, "own"), world.organisation(Role.CSR_OFFICER, "own")]


def _refusal(world, **data) -> ApplicationError:
    with pytest.raises(ApplicationError) as excinfo:
        make_agreement(world.users[Role.KANWIL_OFFICER], _parties(world), **data)
    return excinfo.value


def test_the_founding_mou_is_recorded_with_its_parties_and_ring_areas(mou) -> None:
    assert mou.end_date == dt.date(2023, 6, 8)
    assert sorted(mou.focus_districts.values_list("code", flat=True)) == ["16.07.01", "16.71.14"]
    assert mou.parties.count() == 2
    event = AuditEvent.objects.filter(action="agreement.create").latest("seq")
    assert event.changes["focus_districts"] == ["16.07.01", "16.71.14"]


def test_an_end_date_before_the_start_is_refused_and_nothing_is_saved(world) -> None:
    error = _refusal(world, duration_years=None, end_date=dt.date(2021, 1, 1))
    assert error.detail["end_date"] == str(services.END_BEFORE_START)
    assert not Agreement.objects.filter(number="MOU-UJI-1").exists()


def test_a_pks_outside_its_mou_period_is_refused(world, mou) -> None:
    error = _refusal(
        world,
        kind=AgreementKind.PKS,
        parent=mou,
        number="PKS-1",
        duration_years=None,
        start_date=dt.date(2023, 1, 1),
        end_date=dt.date(2023, 12, 31),
    )
    assert "MOU-UJI-1" in error.detail["start_date"]
    assert not Agreement.objects.filter(number="PKS-1").exists()


def test_a_district_that_does_not_exist_is_refused(world) -> None:
    error = _refusal(world, districts=["16.71.14", "99.99.99"])
    assert "99.99.99" in error.detail["focus_districts"]


def test_a_party_listed_twice_is_refused(world) -> None:
    kanwil = world.organisation(Role.KANWIL_OFFICER, "own")
    with pytest.raises(ApplicationError) as excinfo:
        make_agreement(world.users[Role.KANWIL_OFFICER], [kanwil, kanwil])
    assert kanwil.name in excinfo.value.detail["parties"]


def test_an_officer_must_include_their_own_organisation(world) -> None:
    with pytest.raises(ApplicationError) as excinfo:
        make_agreement(
            world.users[Role.KANWIL_OFFICER],
            [world.organisation(Role.KANWIL_OFFICER, "other"), world.organisation(Role.CSR_OFFICER, "own")],
        )
    assert "parties" in excinfo.value.detail


def test_a_renewal_that_overlaps_gets_a_warning_but_is_saved(world, mou) -> None:
    renewal, warnings = agreement_create(
        actor=world.users[Role.KANWIL_OFFICER],
        data={
            "kind": AgreementKind.RENEWAL,
            "parent": mou,
            "number": "REN-1",
            "title": "Perpanjangan",
            "signed_on": dt.date(2023, 5, 1),
            "start_date": dt.date(2023, 6, 1),
            "duration_years": 1,
        },
        parties=[PartyInput(o, "first") for o in _parties(world)][:1]
        + [PartyInput(_parties(world)[1], "second")],
    )
    assert renewal.pk and len(warnings) == 1 and "MOU-UJI-1" in warnings[0]


def test_two_edits_of_one_agreement_conflict_and_neither_is_lost_silently(world, mou) -> None:
    officer = world.users[Role.CSR_OFFICER]
    parties = [
        PartyInput(p.organisation, p.role, p.signatory_name, p.signatory_title) for p in mou.parties.all()
    ]
    data = {
        "number": mou.number,
        "title": "Judul A",
        "start_date": mou.start_date,
        "end_date": mou.end_date,
        "signed_on": mou.signed_on,
    }
    version = mou.version
    agreement_update(
        actor=officer, agreement=mou, data=data, parties=parties, district_codes=["16.71.14"], version=version
    )
    stale = Agreement.objects.get(pk=mou.pk)
    with pytest.raises(ConflictError):
        agreement_update(
            actor=officer,
            agreement=stale,
            data=data | {"title": "Judul B"},
            parties=parties,
            district_codes=["16.71.14", "16.07.01"],
            version=version,
        )
    mou.refresh_from_db()
    assert mou.title == "Judul A"
    assert list(mou.focus_districts.values_list("code", flat=True)) == ["16.71.14"]


def test_changing_only_the_ring_areas_still_makes_older_forms_conflict(world, mou) -> None:
    officer = world.users[Role.KANWIL_OFFICER]
    parties = [
        PartyInput(p.organisation, p.role, p.signatory_name, p.signatory_title) for p in mou.parties.all()
    ]
    data = {
        "number": mou.number,
        "title": mou.title,
        "start_date": mou.start_date,
        "end_date": mou.end_date,
        "signed_on": mou.signed_on,
    }
    version = mou.version
    agreement_update(
        actor=officer, agreement=mou, data=data, parties=parties, district_codes=["16.71.14"], version=version
    )
    with pytest.raises(ConflictError):
        agreement_update(
            actor=officer,
            agreement=Agreement.objects.get(pk=mou.pk),
            data=data | {"title": "X"},
            parties=parties,
            district_codes=["16.71.14"],
            version=version,
        )


def test_documents_keep_every_version_with_its_checksum(world, mou) -> None:
    officer = world.users[Role.KANWIL_OFFICER]
    first = services.document_upload(
        actor=officer, agreement=mou, upload=SimpleUploadedFile("mou.pdf", PDF), title="MoU bertanda tangan"
    )
    second = services.document_upload(
        actor=officer,
        agreement=mou,
        upload=SimpleUploadedFile("mou.pdf", PDF + b"%revisi\n"),
        title="MoU bertanda tangan",
    )
    assert (first.version, second.version) == (1, 2)
    assert first.file.name != second.file.name
    assert first.file.open("rb").read() == PDF
    assert len(first.checksum) == 64 and first.checksum != second.checksum


@pytest.mark.parametrize(
    ("name", "content", "fragment"),
    [
        ("surat.pdf", b"bukan pdf sama sekali", "PDF, JPG"),
        ("kosong.pdf", b"", "kosong"),
        ("besar.pdf", b"%PDF-" + b"0" * (10 * 1024 * 1024), "10 MB"),
    ],
)
def test_uploads_that_are_not_pdf_or_image_or_too_big_are_refused(
    world, mou, name, content, fragment
) -> None:
    with pytest.raises(ApplicationError) as excinfo:
        services.document_upload(
            actor=world.users[Role.KANWIL_OFFICER], agreement=mou, upload=SimpleUploadedFile(name, content)
        )
    assert fragment in str(excinfo.value.message)
    assert not AgreementDocument.objects.exists()


def test_only_the_parties_editors_may_change_an_agreement(world, mou) -> None:
    with pytest.raises(ApplicationError):
        services.document_upload(
            actor=world.others[Role.KANWIL_OFFICER], agreement=mou, upload=SimpleUploadedFile("mou.pdf", PDF)
        )
    with pytest.raises(ApplicationError):
        services.document_upload(
            actor=world.users[Role.UNIT_OFFICER], agreement=mou, upload=SimpleUploadedFile("mou.pdf", PDF)
        )


def test_expiry_warnings_go_out_at_90_60_and_30_days_and_never_twice(world, mou) -> None:
    end = mou.end_date
    assert services.expiry_alerts_send(today=end - dt.timedelta(days=95)) == {"alerts": 0, "notifications": 0}
    first = services.expiry_alerts_send(today=end - dt.timedelta(days=90))
    assert first["alerts"] == 1 and first["notifications"] == 2  # the Kanwil and the TJSL officer
    assert services.expiry_alerts_send(today=end - dt.timedelta(days=89))["alerts"] == 0
    assert services.expiry_alerts_send(today=end - dt.timedelta(days=60))["alerts"] == 1
    assert services.expiry_alerts_send(today=end - dt.timedelta(days=30))["alerts"] == 1
    assert services.expiry_alerts_send(today=end - dt.timedelta(days=30))["alerts"] == 0
    assert set(ExpiryAlert.objects.values_list("threshold_days", flat=True)) == {90, 60, 30}
    assert Notification.objects.filter(recipient=world.users[Role.CSR_OFFICER]).count() == 3
    assert not Notification.objects.filter(recipient=world.users[Role.UNIT_OFFICER]).exists()


def test_a_terminated_agreement_gets_no_warning(world, mou) -> None:
    services.agreement_terminate(
        actor=world.users[Role.KANWIL_OFFICER],
        agreement=mou,
        on=dt.date(2022, 1, 1),
        reason="Tidak dilanjutkan",
        version=mou.version,
    )
    assert services.expiry_alerts_send(today=mou.end_date - dt.timedelta(days=30))["alerts"] == 0


def test_the_coverage_service_flags_activity_outside_period_or_areas(mou) -> None:
    assert agreement_coverage(agreement=mou, on=dt.date(2022, 1, 10), district_code="16.07.01").covered
    outside = agreement_coverage(agreement=mou, on=dt.date(2024, 1, 10), district_code="16.71.01")
    assert not outside.covered and len(outside.reasons) == 2


def test_a_pks_without_its_own_areas_uses_its_mous(world, mou) -> None:
    pks = make_agreement(
        world.users[Role.KANWIL_OFFICER],
        _parties(world),
        kind=AgreementKind.PKS,
        parent=mou,
        number="PKS-2",
        duration_years=None,
        start_date=dt.date(2021, 7, 1),
        end_date=dt.date(2022, 6, 30),
        districts=[],
    )
    assert agreement_coverage(agreement=pks, on=dt.date(2022, 1, 1), district_code="16.71.14").covered
    assert not agreement_coverage(agreement=pks, on=dt.date(2022, 1, 1), district_code="16.71.01").covered


def test_status_in_sql_matches_the_rule_for_every_boundary(world, mou) -> None:
    from sinergi.partnerships.domain import agreement_status

    for offset in (-1, 0, 1, 600, 639, 640, 729, 730, 731):
        today = mou.start_date + dt.timedelta(days=offset)
        row = agreements_with_status(today=today).get(pk=mou.pk)
        assert row.status == agreement_status(today=today, start=mou.start_date, end=mou.end_date), offset


def test_uploading_the_same_file_again_is_refused_instead_of_making_a_new_version(world, mou) -> None:
    officer = world.users[Role.KANWIL_OFFICER]
    services.document_upload(
        actor=officer, agreement=mou, upload=SimpleUploadedFile("a.pdf", PDF), title="MoU"
    )
    with pytest.raises(ApplicationError) as excinfo:
        services.document_upload(
            actor=officer, agreement=mou, upload=SimpleUploadedFile("b.pdf", PDF), title="MoU"
        )
    assert "versi 1" in str(excinfo.value.message) or "version 1" in str(excinfo.value.message)
    assert mou.documents.count() == 1
