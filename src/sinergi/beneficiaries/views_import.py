"""The web import: upload (size and type checked as the file arrives), check in the background, preview,
confirm, import, error report."""

from __future__ import annotations

import csv
from typing import Any

from django.contrib import messages
from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_POST

from sinergi.beneficiaries import domain, selectors, services
from sinergi.beneficiaries.access import REGISTRY
from sinergi.beneficiaries.forms import ImportForm
from sinergi.beneficiaries.importing import FILE_TOO_LARGE, ImportLimits, megabytes
from sinergi.core.access import allow
from sinergi.core.errors import ApplicationError
from sinergi.core.forms import apply_error

PREVIEW_SHOWN = 500


class LimitedUploadHandler(FileUploadHandler):
    """Stops reading an upload as soon as it passes the import size limit, so an oversized file is never
    kept (not even in a temporary file); the view then says why."""

    def __init__(self, request: HttpRequest, limit: int) -> None:
        super().__init__(request)
        self.limit = limit
        self.received = 0
        self.announced = 0

    def handle_raw_input(
        self, input_data: Any, META: Any, content_length: int, boundary: Any, encoding: Any = None
    ) -> None:
        # Refused at the first file part (StopUpload is only honoured there), before any byte is kept.
        self.announced = content_length if content_length and content_length > self.limit + 64 * 1024 else 0

    def new_file(self, *args: Any, **kwargs: Any) -> None:
        if self.announced:
            self._refuse(self.announced)
        super().new_file(*args, **kwargs)

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        self.received += len(raw_data)
        if self.received > self.limit:
            self._refuse(self.received)
        return raw_data

    def file_complete(self, file_size: int) -> None:
        return None

    def _refuse(self, size: int) -> None:
        setattr(self.request, "sinergi_upload_too_large", size)  # noqa: B010 (an attribute of our own)
        raise StopUpload(connection_reset=False)


@allow(*REGISTRY)
@csrf_exempt
def import_start(request: HttpRequest) -> HttpResponse:
    # The size limit must be in place before anything reads the body, so the CSRF check runs after it. If a
    # middleware has parsed the body already, the upload was spooled to a temporary file; the service then
    # refuses it by size before it is stored, with the same message.
    limit = ImportLimits.current().max_bytes
    if not hasattr(request, "_files"):
        request.upload_handlers = [LimitedUploadHandler(request, limit), *request.upload_handlers]
    return _import_start(request, limit)


@csrf_protect
def _import_start(request: HttpRequest, limit: int) -> HttpResponse:
    form = ImportForm(request.POST or None, request.FILES or None)
    too_large = getattr(request, "sinergi_upload_too_large", None)
    if request.method == "POST" and too_large:
        form.is_valid()  # the file part was dropped: replace "required" by the reason
        form.errors["file"] = form.error_class(
            [str(FILE_TOO_LARGE % {"size": megabytes(too_large), "limit": megabytes(limit)})]
        )
    elif request.method == "POST" and form.is_valid():
        try:
            batch = services.import_batch_create(actor=request.user, upload=form.cleaned_data["file"])
        except ApplicationError as error:
            apply_error(form, error)
        else:
            return redirect("beneficiaries:import_detail", pk=batch.pk)
    return render(
        request,
        "beneficiaries/import_start.html",
        {
            "form": form,
            "batches": selectors.import_batch_list(actor=request.user)[:10],
            "columns": _import_columns(),
            "max_megabytes": megabytes(limit),
        },
    )


def _import_columns() -> list[tuple[str, str]]:
    return [
        ("no_registrasi", _("required; unique within a unit")),
        ("upt", _("required; the unit's code or name")),
        ("nama", _("required")),
        ("nik", _("optional; 16 digits")),
        ("jenis_kelamin", _("required; L or P")),
        ("tanggal_lahir", _("required")),
        ("kelurahan_desa", _("optional")),
        ("kecamatan", _("required")),
        ("kabupaten_kota", _("required")),
        ("status", _("required; tahanan, narapidana, anak binaan, klien or bebas")),
        ("tanggal_mulai_pidana", _("required for narapidana, anak binaan and klien")),
        ("lama_pidana", _("required for narapidana; for example 3 tahun 6 bulan")),
        ("remisi_hari", _("optional; days")),
        ("jenis_perkara", _("optional")),
        ("tanggal_bebas", _("required for bebas")),
    ]


SAMPLE_ROWS = [
    [
        "C-001",
        "LAPAS-PLG-I",
        "Contoh Satu",
        "",
        "L",
        "1988-08-17",
        "Plaju Ulu",
        "Plaju",
        "Kota Palembang",
        "narapidana",
        "2024-02-01",
        "2 tahun 3 bulan",
        "30",
        "Pencurian",
        "",
    ],
    [
        "C-002",
        "LPP-PLG",
        "Contoh Dua",
        "",
        "P",
        "14-03-1995",
        "Sungai Gerong",
        "Banyuasin I",
        "Kabupaten Banyuasin",
        "narapidana",
        "15/04/2024",
        "1 tahun",
        "",
        "Penggelapan",
        "",
    ],
]


@allow(*REGISTRY)
def import_sample(request: HttpRequest) -> HttpResponse:
    """A small example file in the import format (synthetic people), to fill in or compare with."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="contoh-impor-wbp.csv"'
    response.write("\ufeff")
    writer = csv.writer(response)
    writer.writerow([name for name, _rule in _import_columns()])
    writer.writerows(SAMPLE_ROWS)
    return response


@allow(*REGISTRY)
def import_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The check's (or the import's) figures, then the people it creates or changes (field by field, old
    -> new, NIK masked) and every problem, labelled in words and icons. Listing people is a bulk read of
    personal data: it is audited once per page view (never by the status polling, which lists nobody)."""
    batch = selectors.import_batch_get(actor=request.user, pk=pk)
    summary = batch.import_summary or batch.check_summary
    # People are listed once the check is done; the page polls only while a job runs.
    settled = batch.status in ("checked", "done", "failed")
    changes = (summary.get("changes") or [])[:PREVIEW_SHOWN] if settled else []
    context = {
        "batch": batch,
        "summary": summary,
        "changes": changes,
        "changes_hidden": max(len(summary.get("changes") or []) - len(changes), 0) if settled else 0,
        "changes_truncated": bool(summary.get("changes_truncated")),
        "errors": (summary.get("errors") or [])[:200],
        "warnings": (summary.get("warnings") or [])[:200],
    }
    if changes:
        services.import_preview_read_record(actor=request.user, batch=batch, count=len(changes))
    template = (
        "beneficiaries/_import_status.html"
        if request.headers.get("HX-Request")
        else "beneficiaries/import_detail.html"
    )
    return render(request, template, context)


@allow(*REGISTRY)
@require_POST
def import_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    batch = selectors.import_batch_get(actor=request.user, pk=pk)
    try:
        services.import_batch_confirm(
            actor=request.user, batch=batch, skip_invalid=bool(request.POST.get("skip"))
        )
    except ApplicationError as error:
        messages.error(request, str(error.message))
    return redirect("beneficiaries:import_detail", pk=batch.pk)


@allow(*REGISTRY)
def import_report(request: HttpRequest, pk: int) -> HttpResponse:
    """The error report as CSV: line, column, message (cells neutralised for spreadsheets)."""
    batch = selectors.import_batch_get(actor=request.user, pk=pk)
    summary = batch.import_summary or batch.check_summary
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="laporan-impor-{batch.pk}.csv"'
    response.write("\ufeff")
    writer = csv.writer(response)
    writer.writerow(["baris", "kolom", "jenis", "pesan"])
    for kind, items in (("galat", summary.get("errors", [])), ("peringatan", summary.get("warnings", []))):
        for item in items:
            writer.writerow(
                [domain.neutralise_csv_cell(v) for v in (item["line"], item["column"], kind, item["message"])]
            )
    services.import_report_record(actor=request.user, batch=batch)
    return response
