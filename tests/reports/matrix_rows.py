"""Authorisation-matrix rows for the reports app's pages (collected by tests/test_authorization_matrix.py)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping

from django.core.files.base import ContentFile
from django.db import transaction

from sinergi.accounts.choices import Role
from sinergi.reports import access
from tests.authz import BOTH, Row, World
from tests.matrix_builders import ONLY_OWN, party_agreement, static

LISTERS = {role: BOTH for role in access.PERSON_LIST_ROLES}
# The lists TJSL officers do not open: a breakdown beyond their grant (sex), or a number they see as "<5"
# (the matrix world's programs have fewer than five participants). The lists they do open, with five
# or more people, are in tests/reports/test_company_lists.py.
CORRECTIONS_LISTERS = {role: BOTH for role in access.PERSON_LIST_ROLES if role != Role.CSR_OFFICER}
SCREENERS = {role: BOTH for role in (Role.ADMIN, Role.KANWIL_OFFICER, Role.UNIT_OFFICER)}
REGISTRY = {role: BOTH for role in access.REGISTRY_EXPORT_ROLES}
IDENTITIES = {role: BOTH for role in access.IDENTITY_ROLES}
CASE_LISTERS = {role: BOTH for role in (Role.ADMIN, Role.KANWIL_OFFICER, Role.BAPAS_OFFICER)}
RECIDIVISM = {role: BOTH for role in (Role.ADMIN, Role.KANWIL_OFFICER)}
# The funnel's aftercare outcomes person by person: never a unit officer or a facilitator (who read nothing
# of a case, or only their own mentees'), and the releases due only for the roles that read release dates.
OUTCOME_LISTERS = {role: BOTH for role in access.AFTERCARE_LIST_ROLES}
RELEASE_LISTERS = {role: BOTH for role in access.RELEASE_DATE_ROLES}
REASON = {"identities": "1", "reason": "Verifikasi data untuk laporan triwulan", "purpose": "report"}

PAGES: list[Row] = [
    Row("figure list (enrolments)", static("/laporan/daftar/enrolled/"), CORRECTIONS_LISTERS),
    Row(
        "figure list (reached by sex)",
        static("/laporan/daftar/participants/?by=sex&key=L"),
        CORRECTIONS_LISTERS,
    ),
    Row("figure list (screened)", static("/laporan/daftar/screened/"), SCREENERS),
    Row(
        "figure list (reached by ring area)",
        static("/laporan/daftar/participants/?by=ring&key=outside"),
        LISTERS,
    ),
    Row("figure list (followed up)", static("/laporan/daftar/followed_up/"), OUTCOME_LISTERS),
    Row("figure list (in work)", static("/laporan/daftar/in_work/"), OUTCOME_LISTERS),
    Row("figure list (releases due)", static("/laporan/daftar/releases_soon/"), RELEASE_LISTERS),
    Row("participants CSV (in work)", static("/laporan/ekspor/peserta.csv?metric=in_work"), OUTCOME_LISTERS),
    Row(
        "participants XLSX (followed up)",
        static("/laporan/ekspor/peserta.xlsx?metric=followed_up"),
        OUTCOME_LISTERS,
    ),
    Row(
        "participants CSV (releases due)",
        static("/laporan/ekspor/peserta.csv?metric=releases_soon"),
        RELEASE_LISTERS,
    ),
    Row("independence list", static("/laporan/indeks-kemandirian/?band=75-100"), CASE_LISTERS),
    Row("recidivism list", static("/laporan/residivisme/?group=participants&window=12"), RECIDIVISM),
    Row("sessions held list", static("/laporan/sesi/?month=2022-03"), LISTERS),
    Row("export form (participants)", static("/laporan/ekspor/peserta/"), LISTERS),
    Row("export form (registry)", static("/laporan/ekspor/wbp/"), REGISTRY),
    Row("participants CSV", static("/laporan/ekspor/peserta.csv?metric=completed"), CORRECTIONS_LISTERS),
    Row("participants XLSX", static("/laporan/ekspor/peserta.xlsx?metric=participants"), CORRECTIONS_LISTERS),
    Row("registry CSV", static("/laporan/ekspor/wbp.csv"), REGISTRY),
    Row("participants CSV with names", static("/laporan/ekspor/peserta.csv"), IDENTITIES, "post", REASON),
    Row("registry XLSX with names", static("/laporan/ekspor/wbp.xlsx"), IDENTITIES, "post", REASON),
]
API: list[Row] = []


def _agreement(world: World, role: str, scope: str) -> int:
    return party_agreement(world, role, scope, tag="RPT")


def _report(suffix: str = "/"):  # type: ignore[no-untyped-def]
    """A kept report asked for by the role's own user (own) or by its peer in the other organisation."""

    def build(world: World, role: str, scope: str) -> str:
        key = f"report-{role}-{scope}"
        if key not in world.extra:
            from sinergi.reports.models import JointReport

            owner = world.user(role, scope)
            with transaction.atomic():
                report = JointReport.objects.create(
                    agreement_id=_agreement(world, role, scope),
                    period_start=dt.date(2022, 1, 1),
                    period_end=dt.date(2022, 12, 31),
                    fmt="xlsx",
                    language="id",
                    created_by=owner,
                )
                report.file.save("matrix.xlsx", ContentFile(b"PK\x03\x04 matrix"))
            world.extra[key] = report.pk
        return f"/laporan/kerja-sama/{world.extra[key]}{suffix}"

    return build


REPORTERS = {role: BOTH for role in access.REPORT_ROLES}
PARTY_REPORTERS = {
    Role.ADMIN: BOTH,
    Role.KANWIL_OFFICER: ONLY_OWN,
    Role.CSR_OFFICER: ONLY_OWN,
}
OWN_REPORTS = {Role.ADMIN: BOTH, Role.KANWIL_OFFICER: ONLY_OWN, Role.CSR_OFFICER: ONLY_OWN}

PAGES += [
    Row("joint report list", static("/laporan/kerja-sama/"), REPORTERS),
    Row("joint report form", static("/laporan/kerja-sama/baru/"), REPORTERS),
    Row("joint report page", _report(), OWN_REPORTS),
    Row("joint report download", _report("/unduh/"), OWN_REPORTS),
]


class _ReportData(Mapping[str, str]):
    """Form data read when the request is sent, after the URL builder chose the agreement."""

    def _data(self) -> dict[str, str]:
        return {
            "agreement": str(_POSTED.get("agreement", "")),
            "start": "2022-01-01",
            "end": "2022-12-31",
            "fmt": "xlsx",
            "language": "id",
        }

    def __getitem__(self, key: str) -> str:
        return self._data()[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._data())

    def __len__(self) -> int:
        return len(self._data())


_POSTED: dict[str, int] = {}


def _report_post_url(world: World, role: str, scope: str) -> str:
    _POSTED["agreement"] = _agreement(world, role, scope)
    return "/laporan/kerja-sama/baru/"


PAGES.append(Row("joint report request", _report_post_url, PARTY_REPORTERS, "post", _ReportData()))


def _subject(world: World, role: str, scope: str) -> str:
    """A person in custody at the role's own (or the other) unit."""
    key = f"subject-{scope}"
    if key not in world.extra:
        from tests.beneficiaries.conftest import register

        unit = world.organisation(Role.UNIT_OFFICER, scope)
        with transaction.atomic():
            world.extra[key] = register(None, unit, f"Subjek {scope}", f"SUBJ-{scope}").pk
    return f"/laporan/subjek/{world.extra[key]}/"


def _subject_export(suffix: str = "/"):  # type: ignore[no-untyped-def]
    """A finished subject-access PDF (encrypted with the person's key, as the job keeps it) asked for by the
    role's own user (own) or by its peer in the other organisation (other)."""

    def build(world: World, role: str, scope: str) -> str:
        key = f"subject-export-{role}-{scope}"
        if key not in world.extra:
            import hashlib

            from sinergi.audit.services import audit_subject_cipher
            from sinergi.reports.models import SubjectExport

            _subject(world, role, "own")
            person_id = world.extra["subject-own"]
            pdf = b"%PDF-1.4\n% uji\n"
            with transaction.atomic():
                export = SubjectExport.objects.create(
                    person_id=person_id, language="id", created_by=world.user(role, scope)
                )
                cipher = audit_subject_cipher(target=export)
                assert cipher is not None
                export.file.save("matrix.pdf.enc", ContentFile(cipher.encrypt(pdf)), save=False)
                export.checksum, export.size = hashlib.sha256(pdf).hexdigest(), len(pdf)
                export.save()
            world.extra[key] = export.pk
        return f"/laporan/subjek/ekspor/{world.extra[key]}{suffix}"

    return build


ADMIN_ONLY = {Role.ADMIN: BOTH}
# A subject-access PDF: only the officer who asked for it (another administrator is refused, 403).
OWN_SUBJECT_EXPORTS = {Role.ADMIN: ONLY_OWN}
PAGES += [
    Row("subject-access PDF page", _subject_export(), OWN_SUBJECT_EXPORTS),
    Row("subject-access PDF download", _subject_export("/unduh/"), OWN_SUBJECT_EXPORTS),
    Row("subject-access form", _subject, ADMIN_ONLY),
    Row(
        "subject-access export",
        _subject,
        ADMIN_ONLY,
        "post",
        {"format": "json", "reason": "Permintaan subjek data"},
    ),
    Row(
        "subject-access PDF request",
        _subject,
        ADMIN_ONLY,
        "post",
        {"format": "pdf", "reason": "Permintaan subjek data"},
    ),
]


# --- The list exports (reports.lists): each as open as its page, with the page's scope ----------------


def _cohort_export(kind: str, suffix: str = ".csv", prefix: str = "/laporan/ekspor/"):  # type: ignore[no-untyped-def]
    """A list of a cohort the role reaches in the scope (the cohort page's own matrix cohort)."""

    def build(world: World, role: str, scope: str) -> str:
        from tests.test_authorization_matrix import _cohort

        return f"{prefix}{kind}{suffix}?cohort={_cohort(world, role, scope)}"

    return build


def _run_export(suffix: str = ".csv"):  # type: ignore[no-untyped-def]
    def build(world: World, role: str, scope: str) -> str:
        from tests.programs.matrix_rows import _program_world

        return f"/laporan/ekspor/penyaringan{suffix}?run={_program_world(world, scope)['run']}"

    return build


NOT_MONITORS = {role: BOTH for role in Role.values if role != Role.MONITOR}
COHORT_READERS = {Role.ADMIN: BOTH} | {
    role: ONLY_OWN for role in (Role.KANWIL_OFFICER, Role.UNIT_OFFICER, Role.CSR_OFFICER, Role.FACILITATOR)
}
RUN_READERS = {Role.ADMIN: BOTH, Role.KANWIL_OFFICER: ONLY_OWN, Role.UNIT_OFFICER: ONLY_OWN}
REGISTRY_PAGE = {
    role: BOTH for role in (Role.ADMIN, Role.KANWIL_OFFICER, Role.UNIT_OFFICER, Role.BAPAS_OFFICER)
}
# The attendance export: the roles of the attendance page (programs_access.DELIVERY), in their scope.
COHORT_DELIVERY = {
    role: scopes
    for role, scopes in COHORT_READERS.items()
    if role in (Role.ADMIN, Role.UNIT_OFFICER, Role.FACILITATOR)
}
COHORT_NAMERS = {role: scopes for role, scopes in COHORT_READERS.items() if role in access.IDENTITY_ROLES}

PAGES += [
    Row("releases due CSV", static("/laporan/ekspor/bebas-segera.csv"), REGISTRY_PAGE),
    Row("releases due form", static("/laporan/ekspor/bebas-segera/"), REGISTRY_PAGE),
    Row("duplicates XLSX", static("/laporan/ekspor/duplikat.xlsx"), REGISTRY_PAGE),
    Row("programs CSV", static("/laporan/ekspor/program.csv"), NOT_MONITORS),
    Row("agreements XLSX", static("/laporan/ekspor/kerja-sama.xlsx"), NOT_MONITORS),
    Row("aftercare cases CSV", static("/laporan/ekspor/pembimbingan.csv"), CASE_LISTERS),
    Row("follow-ups XLSX", static("/laporan/ekspor/pemantauan.xlsx"), CASE_LISTERS),
    Row("cohort participants CSV", _cohort_export("angkatan"), COHORT_READERS),
    Row("cohort participants form", _cohort_export("angkatan", "/"), COHORT_READERS),
    Row("cohort attendance XLSX", _cohort_export("presensi", ".xlsx"), COHORT_DELIVERY),
    Row("cohort attendance form", _cohort_export("presensi", "/"), COHORT_DELIVERY),
    Row("cohort certificates CSV", _cohort_export("sertifikat"), COHORT_READERS),
    Row("cohort participants with names", _cohort_export("angkatan"), COHORT_NAMERS, "post", REASON),
    Row("screening results CSV", _run_export(), RUN_READERS),
    Row("screening results with names", _run_export(".xlsx"), RUN_READERS, "post", REASON),
]

API += [
    # The participants list over the API: refused (403, audited as participant.list_refused) to TJSL
    # officers, whose count of the matrix world's participants is "<5", as on the page (CORRECTIONS_LISTERS).
    Row(
        "api export participants",
        static("/api/v1/exports/peserta.csv?metric=completed"),
        CORRECTIONS_LISTERS,
        api=True,
    ),
    Row("api export programs", static("/api/v1/exports/program.csv"), NOT_MONITORS, api=True),
    Row("api export releases due", static("/api/v1/exports/bebas-segera.xlsx"), REGISTRY_PAGE, api=True),
    Row(
        "api export participants (in work)",
        static("/api/v1/exports/peserta.csv?metric=in_work"),
        OUTCOME_LISTERS,
        api=True,
    ),
    Row(
        "api export participants (followed up)",
        static("/api/v1/exports/peserta.xlsx?metric=followed_up"),
        OUTCOME_LISTERS,
        api=True,
    ),
    Row(
        "api export participants (releases due)",
        static("/api/v1/exports/peserta.csv?metric=releases_soon"),
        RELEASE_LISTERS,
        api=True,
    ),
    Row(
        "api export cohort participants",
        _cohort_export("angkatan", prefix="/api/v1/exports/"),
        COHORT_READERS,
        api=True,
    ),
]
