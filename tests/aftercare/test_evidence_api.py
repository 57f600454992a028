"""Aid evidence over the API: a multipart upload checked exactly as on the page (type by content, size,
empty file, NUL in the name), stored once, downloaded through the scoped and audited path."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import translation

from sinergi.accounts.choices import Role
from sinergi.accounts.services import token_create
from sinergi.aftercare import services
from sinergi.aftercare.models import Aid
from sinergi.audit.models import AuditEvent
from sinergi.audit.services import audit_unseal
from tests.factories import OrganisationFactory


def _pdf() -> bytes:
    """A small, valid one-page PDF (objects, cross-reference table and trailer with correct offsets)."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 100] /Contents 4 0 R /Resources << >> >>",
        b"<< /Length 0 >>\nstream\n\nendstream",
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref))
    return out.getvalue()


def _jpeg() -> bytes:
    """A real 8×8 JPEG, encoded by Pillow."""
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 30, 30)).save(out, "JPEG")
    return out.getvalue()


def _aid(aftercare: dict[str, Any]) -> Aid:
    return services.aid_record(
        actor=aftercare["pk_officer"],
        case=aftercare["case"],
        kind="tools",
        value=2_000_000,
        given_on=dt.date(2022, 7, 1),
        funder=OrganisationFactory(),
    )


def _headers(user: Any) -> dict[str, str]:
    return {"Authorization": f"Bearer {token_create(actor=None, user=user)}"}


def _upload(user: Any, aid: Aid, name: str, content: bytes) -> Any:
    return Client().post(
        f"/api/v1/aftercare/aid/{aid.pk}/evidence",
        {"file": SimpleUploadedFile(name, content)},
        headers=_headers(user),
    )


def _id(message: Any) -> str:
    with translation.override("id"):
        return str(message)


def test_a_guide_uploads_a_real_pdf_and_downloads_it_audited(aftercare: dict[str, Any]) -> None:
    pk, aid, pdf = aftercare["pk_officer"], _aid(aftercare), _pdf()
    response = _upload(pk, aid, "kwitansi alat.pdf", pdf)
    assert response.status_code == 201, response.content
    assert response.json()["has_evidence"] is True and response.json()["id"] == aid.pk
    aid.refresh_from_db()
    assert aid.evidence.name.endswith(".pdf") and len(aid.evidence_sha256) == 64
    (attached,) = audit_unseal(AuditEvent.objects.filter(action="aftercare.aid_evidence_attach"))
    assert attached.changes["aid"] == aid.pk and attached.changes["type"] == "application/pdf"

    download = Client().get(f"/api/v1/aftercare/aid/{aid.pk}/evidence", headers=_headers(pk))
    assert download.status_code == 200
    assert download["Content-Type"] == "application/pdf"
    assert b"".join(download.streaming_content) == pdf
    assert AuditEvent.objects.filter(action="aftercare.evidence_download", actor=pk).count() == 1
    # The page serves the same file through the same check.
    client = Client()
    client.force_login(pk)
    page = client.get(f"/pembimbingan/bantuan/{aid.pk}/bukti/")
    assert page.status_code == 200 and b"".join(page.streaming_content) == pdf

    # Once only: the scan is proof and is never replaced.
    again = _upload(pk, aid, "lain.pdf", _pdf())
    assert again.status_code == 409
    assert again.json() == {
        "code": "conflict",
        "message": _id(services.EVIDENCE_EXISTS),
        "detail": {"evidence": _id(services.EVIDENCE_EXISTS)},
    }


def test_a_jpeg_is_stored_and_served_as_a_jpeg_whatever_its_name(aftercare: dict[str, Any]) -> None:
    pk, aid, jpeg = aftercare["pk_officer"], _aid(aftercare), _jpeg()
    assert _upload(pk, aid, "bukti.pdf", jpeg).status_code == 201
    aid.refresh_from_db()
    assert aid.evidence.name.endswith(".jpg")
    download = Client().get(f"/api/v1/aftercare/aid/{aid.pk}/evidence", headers=_headers(pk))
    assert download["Content-Type"] == "image/jpeg"
    assert download["Content-Disposition"].endswith('.jpg"')
    assert b"".join(download.streaming_content) == jpeg


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("surat.pdf", b"<html><script>alert(1)</script></html>", services.EVIDENCE_TYPE),
        ("kosong.pdf", b"", services.EVIDENCE_EMPTY),
        ("besar.pdf", b"%PDF-1.4\n" + b"0" * (10 * 1024 * 1024), services.EVIDENCE_TOO_BIG),
    ],
    ids=["html-named-pdf", "empty", "over-10-mb"],
)
def test_a_refused_file_answers_400_in_indonesian_and_nothing_is_stored(
    aftercare: dict[str, Any], name: str, content: bytes, message: Any
) -> None:
    aid = _aid(aftercare)
    response = _upload(aftercare["pk_officer"], aid, name, content)
    assert response.status_code == 400
    assert response.json() == {
        "code": "invalid",
        "message": _id(message),
        "detail": {"evidence": _id(message)},
    }
    with translation.override("en"):
        assert response.json()["message"] != str(message)  # Indonesian, not the English source
    aid.refresh_from_db()
    assert not aid.evidence and aid.evidence_sha256 == ""
    assert not AuditEvent.objects.filter(action="aftercare.aid_evidence_attach").exists()


def test_a_request_without_a_file_is_told_what_to_send(aftercare: dict[str, Any]) -> None:
    aid = _aid(aftercare)
    response = Client().post(
        f"/api/v1/aftercare/aid/{aid.pk}/evidence", {}, headers=_headers(aftercare["pk_officer"])
    )
    assert response.status_code == 400
    assert response.json()["detail"] == {"evidence": _id(services.EVIDENCE_NEEDED)}


def test_a_nul_in_the_file_name_is_refused_like_on_the_page(aftercare: dict[str, Any]) -> None:
    from sinergi.core.errors import ApplicationError

    aid = _aid(aftercare)
    with pytest.raises(ApplicationError) as refused:
        services.aid_evidence_attach(
            actor=aftercare["pk_officer"], aid=aid, upload=SimpleUploadedFile("bukti\x00.pdf", _pdf())
        )
    assert refused.value.detail == {"evidence": str(services.EVIDENCE_NAME_NUL)}
    aid.refresh_from_db()
    assert not aid.evidence


def test_the_page_refuses_the_same_file_with_the_same_message(aftercare: dict[str, Any]) -> None:
    case = aftercare["case"]
    client = Client()
    client.force_login(aftercare["pk_officer"])
    response = client.post(
        f"/pembimbingan/{case.pk}/bantuan/",
        {
            "kind": "tools",
            "value": "1500000",
            "given_on": "2022-07-01",
            "funder": aftercare["kanwil"].pk,
            "evidence": SimpleUploadedFile("surat.pdf", b"<html></html>"),
        },
    )
    assert response.status_code in (200, 400)
    assert _id(services.EVIDENCE_TYPE) in response.content.decode()
    assert not Aid.objects.filter(case=case).exists()


def test_who_may_upload_and_download(aftercare: dict[str, Any], world: Any) -> None:
    aid = _aid(aftercare)
    assert _upload(aftercare["pk_officer"], aid, "bukti.pdf", _pdf()).status_code == 201
    url = f"/api/v1/aftercare/aid/{aid.pk}/evidence"
    # TJSL officers see aid (with the person's consent) and so download it, but never upload.
    csr = aftercare["csr"]
    assert Client().get(url, headers=_headers(csr)).status_code == 200
    other = _aid(aftercare)
    assert _upload(csr, other, "bukti.pdf", _pdf()).status_code == 403
    # The unit that released the person sees only the handover; an officer of another Bapas sees nothing.
    assert Client().get(url, headers=_headers(aftercare["officer"])).status_code == 404
    assert _upload(aftercare["officer"], other, "bukti.pdf", _pdf()).status_code == 403
    stranger = aftercare["stranger"]
    assert Client().get(url, headers=_headers(stranger)).status_code == 404
    assert _upload(stranger, other, "bukti.pdf", _pdf()).status_code == 404
    # A guide who only reads the case (the releasing Kanwil, the case guided elsewhere) cannot upload.
    from sinergi.aftercare.models import AftercareCase

    AftercareCase.objects.filter(pk=aftercare["case"].pk).update(bapas=world.region("other").bapas)
    kanwil = world.users[Role.KANWIL_OFFICER]
    assert Client().get(url, headers=_headers(kanwil)).status_code == 200
    assert _upload(kanwil, other, "bukti.pdf", _pdf()).status_code == 403
    other.refresh_from_db()
    assert not other.evidence


def test_a_nul_in_the_file_name_over_the_api_never_reaches_storage(aftercare: dict[str, Any]) -> None:
    """Over HTTP Django's multipart parser already drops what follows a NUL in a file name; the scan is
    stored under its checksum and detected type either way (the service's own check covers other callers)."""
    aid = _aid(aftercare)
    response = _upload(aftercare["pk_officer"], aid, "bukti\x00.html", _pdf())
    assert response.status_code == 201, response.content
    aid.refresh_from_db()
    assert "\x00" not in aid.evidence.name and aid.evidence.name.endswith(".pdf")
