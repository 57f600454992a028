"""Uploaded documents are stored and served with the extension of their detected type."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from sinergi.accounts.choices import Role
from sinergi.core.errors import ApplicationError
from sinergi.core.uploads import detect_scan, download_name
from sinergi.partnerships import services
from tests.partnerships.conftest import make_agreement

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
HTML = b"<html><script>alert(1)</script></html>"


@pytest.fixture
def agreement(world):
    return make_agreement(
        None, [world.organisation(Role.KANWIL_OFFICER, "own"), world.organisation(Role.CSR_OFFICER, "own")]
    )


def test_a_pdf_named_html_is_stored_and_served_as_pdf(world, agreement) -> None:
    officer = world.users[Role.KANWIL_OFFICER]
    document = services.document_upload(
        actor=officer, agreement=agreement, upload=SimpleUploadedFile("surat.html", PDF)
    )
    assert document.file.name.endswith(".pdf") and ".html" not in document.file.name
    client = Client()
    client.force_login(officer)
    response = client.get(f"/kerja-sama/dokumen/{document.pk}/unduh/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert 'filename="surat.pdf"' in response["Content-Disposition"]


def test_html_named_pdf_is_refused(world, agreement) -> None:
    with pytest.raises(ApplicationError):
        services.document_upload(
            actor=world.users[Role.KANWIL_OFFICER],
            agreement=agreement,
            upload=SimpleUploadedFile("surat.pdf", HTML),
        )


def test_download_names_take_the_stored_type() -> None:
    assert download_name("laporan akhir.HTML", "application/pdf") == "laporan akhir.pdf"
    assert download_name("../../etc/x.svg", "image/png") == "x.png"
    assert download_name("", "image/jpeg") == "dokumen.jpg"
    assert download_name("a.pdf", "text/html") == "a.bin"
    assert detect_scan(HTML) is None and detect_scan(PDF).suffix == "pdf"
