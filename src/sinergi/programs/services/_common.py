"""Messages and helpers shared by the program services."""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext_lazy

from sinergi.beneficiaries.choices import IntegrationKind
from sinergi.core.dates import long_date
from sinergi.core.errors import ApplicationError, ConflictError, ForbiddenError

PROGRAM_OUTSIDE_AGREEMENT = "Periode program {start}–{end} berada di luar masa berlaku kerja sama {number}."
END_BEFORE_START = "Tanggal selesai sebelum tanggal mulai. Periksa kedua tanggal."
COHORT_OUTSIDE_PROGRAM = "Periode angkatan {start}–{end} berada di luar periode program ({pstart}–{pend})."
COHORT_NEEDS_UNIT = "Angkatan harus berada di sebuah Lapas, Rutan atau LPKA."
CAPACITY_POSITIVE = "Kapasitas angkatan harus lebih dari 0."
NOT_APPROVED = "{name} belum disetujui TPP untuk program ini. Setujui dulu di hasil penyaringan."
NO_CONSENT = (
    "{name} belum memberi persetujuan keikutsertaan program (atau sudah menariknya). "
    "Catat persetujuannya di halaman WBP sebelum mendaftarkan."
)
ALREADY_ENROLLED = "{name} sudah terdaftar di angkatan ini."
COHORT_FULL = "Angkatan sudah penuh ({capacity} peserta). Tambahkan ke daftar tunggu, atau naikkan kapasitas."
WRONG_UNIT = "{name} berada di {unit}, bukan di {cohort_unit} tempat angkatan ini berjalan."
SESSION_OUTSIDE_COHORT = "Tanggal {date} berada di luar periode angkatan ({start}–{end})."
TIME_ORDER = "Jam selesai harus setelah jam mulai."
NOT_ENROLLED = "Presensi hanya untuk peserta angkatan ini yang terdaftar; {who} tidak termasuk."
SESSION_CANCELLED = gettext_lazy("This session was cancelled; no attendance can be recorded for it.")
SESSION_IN_FUTURE = gettext_lazy(
    "This session takes place on %(date)s; attendance is taken on the day of the session or later."
)
RELEASE_IN_FUTURE = "Tanggal pembebasan {date} belum tiba. Catat pembebasan pada harinya atau sesudahnya."
INTEGRATION_AFTER_EXPIRY = (
    "Masa pidana sudah berakhir pada {expiry}; setelah itu yang dicatat adalah bebas, bukan {kind}."
)
POST_BEFORE_PRE = "Penilaian akhir tidak boleh sebelum penilaian awal ({pre})."
PRE_MISSING = "Catat penilaian awal lebih dulu."
ASSESSMENT_EXISTS = "Penilaian {kind} sudah tercatat untuk peserta ini."
SCORE_RANGE = "Nilai harus antara 0 dan 100."
CERT_NUMBER_TAKEN = "Sertifikat nomor {number} dari {issuer} sudah tercatat."
CERT_EXPIRY = "Tanggal kedaluwarsa harus setelah tanggal terbit."
FILE_TYPE = "Hanya berkas PDF, JPG atau PNG yang dapat diunggah."
FILE_TOO_BIG = "Berkas lebih dari 10 MB."
NOT_FACILITATOR = "Hanya fasilitator angkatan ini atau petugas UPT yang dapat mencatat presensi."
ALREADY_APPROVED = "Sudah disetujui sebelumnya."
RELEASE_KINDS = {
    "bebas": "bebas",
    "pb": IntegrationKind.PAROLE,
    "cb": IntegrationKind.CONDITIONAL_LEAVE,
    "cmb": IntegrationKind.LEAVE_BEFORE_RELEASE,
}
MAX_UPLOAD = 10 * 1024 * 1024

# Refusals by role or scope (403 wherever the service is called from).
PLAN_NOT_ALLOWED = gettext_lazy(
    "Only administrators and officers of an organisation party to the agreement can define its programs."
)
COHORT_OPEN_NOT_ALLOWED = gettext_lazy(
    "You cannot open a cohort at this unit: Kanwil officers open cohorts at the units of their region, "
    "TJSL officers at units whose Kanwil is party to the agreement."
)
COHORT_EDIT_NOT_ALLOWED = gettext_lazy(
    "You cannot edit this cohort: Kanwil officers edit cohorts at the units of their region, TJSL officers "
    "cohorts under their company's agreements."
)
SCREEN_NOT_ALLOWED = gettext_lazy("Only administrators, Kanwil and unit officers can screen the registry.")
APPROVE_NOT_ALLOWED = gettext_lazy(
    "You can record TPP approvals only for people held at units in your work area."
)
ENROL_NOT_ALLOWED = gettext_lazy("Only officers of the cohort's unit (or its Kanwil) can enrol participants.")
STAGE_NOT_ALLOWED = gettext_lazy(
    "Only the cohort's facilitators and the officers of its unit (or its Kanwil) can move participants."
)
DELIVERY_NOT_ALLOWED = gettext_lazy(
    "Only the cohort's facilitators and the officers of its unit can schedule sessions, take attendance, "
    "assess and certify."
)


STALE_ENROLMENT = gettext_lazy(
    "%(name)s was changed by someone else meanwhile: the stage is now “%(stage)s”. Nothing was saved; "
    "check and try again."
)
STALE_SESSION = gettext_lazy(
    "This session was changed by someone else meanwhile: it is now on %(date)s (%(status)s). Nothing was "
    "saved; check and try again."
)
STALE_COHORT = gettext_lazy(
    "This cohort was changed by someone else meanwhile (now: %(name)s, %(start)s – %(end)s, capacity "
    "%(capacity)s, %(facilitators)s facilitator(s)). Nothing was saved; reload the page and apply your "
    "changes again."
)


def stale(message: object) -> ConflictError:
    """A 409 that says what is stored now (shown on the form and returned by the API)."""
    return ConflictError(message, detail={"__all__": str(message)})  # type: ignore[arg-type]


def forbidden(message: object) -> ForbiddenError:
    return ForbiddenError(message)  # type: ignore[arg-type]


def _d(value: dt.date) -> str:
    """A date as pages show it, in the active language: "9 Juni 2021"."""
    return long_date(value)


def _problems(problems: dict[str, str]) -> ApplicationError:
    """Every problem at once, each next to its field."""
    return ApplicationError(" ".join(problems.values()), code="invalid", detail=problems)


def _invalid(message: str, field_name: str | None = None) -> ApplicationError:
    return ApplicationError(message, code="invalid", detail={field_name: message} if field_name else None)
