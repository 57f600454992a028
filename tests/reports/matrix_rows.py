"""Authorisation-matrix rows for the reports app's pages (collected by tests/test_authorization_matrix.py)."""

from __future__ import annotations

from sinergi.accounts.choices import Role
from sinergi.reports import access
from tests.authz import BOTH, Row


def _static(url: str):  # type: ignore[no-untyped-def]
    return lambda world, role, scope: url


LISTERS = {role: BOTH for role in access.PERSON_LIST_ROLES}
SCREENERS = {role: BOTH for role in (Role.ADMIN, Role.KANWIL_OFFICER, Role.UNIT_OFFICER)}
REGISTRY = {role: BOTH for role in access.REGISTRY_EXPORT_ROLES}
IDENTITIES = {role: BOTH for role in access.IDENTITY_ROLES}
REASON = {"identities": "1", "reason": "Verifikasi data untuk laporan triwulan", "purpose": "report"}

PAGES: list[Row] = [
    Row("figure list (enrolments)", _static("/laporan/daftar/enrolled/"), LISTERS),
    Row("figure list (reached by sex)", _static("/laporan/daftar/participants/?by=sex&key=L"), LISTERS),
    Row("figure list (screened)", _static("/laporan/daftar/screened/"), SCREENERS),
    Row("export form (participants)", _static("/laporan/ekspor/peserta/"), LISTERS),
    Row("export form (registry)", _static("/laporan/ekspor/wbp/"), REGISTRY),
    Row("participants CSV", _static("/laporan/ekspor/peserta.csv?metric=completed"), LISTERS),
    Row("participants XLSX", _static("/laporan/ekspor/peserta.xlsx"), LISTERS),
    Row("registry CSV", _static("/laporan/ekspor/wbp.csv"), REGISTRY),
    Row("participants CSV with names", _static("/laporan/ekspor/peserta.csv"), IDENTITIES, "post", REASON),
    Row("registry XLSX with names", _static("/laporan/ekspor/wbp.xlsx"), IDENTITIES, "post", REASON),
]
API: list[Row] = []
