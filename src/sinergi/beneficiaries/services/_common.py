"""Messages and checks shared by the registry services."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from sinergi.beneficiaries import domain
from sinergi.beneficiaries.models import Person
from sinergi.core.crypto import encrypt_text
from sinergi.core.errors import ApplicationError, ForbiddenError

# --- By hand ------------------------------------------------------------------------------------------

PERSON_EDIT_FIELDS = (
    "full_name",
    "sex",
    "birth_date",
    "birth_place",
    "education",
    "prior_occupation",
    "phone",
    "address",
    "domicile_district",
    "domicile_village",
    "offence_category",
    "risk_level",
)
NIK_REFUSED = "NIK tidak valid: {problem}"
NIK_TAKEN = "NIK ini sudah tercatat pada orang lain di registri. Buka halaman duplikat untuk menggabungkan."
VILLAGE_OUTSIDE_DISTRICT = "Kelurahan/desa yang dipilih tidak berada di kecamatan domisili."
UNIT_NOT_IN_SCOPE = "UPT ini di luar wilayah kerja Anda."
REGISTRATION_TAKEN = "No. registrasi {value} sudah dipakai di UPT ini."
CONSENT_EVIDENCE_REQUIRED = "Tuliskan bukti persetujuan (misalnya nomor formulir yang ditandatangani)."
CONSENT_ALREADY = "Persetujuan untuk tujuan ini sudah tercatat dan belum ditarik."
CONSENT_NOT_ACTIVE = "Persetujuan ini sudah ditarik sebelumnya."
MERGE_SAME = "Pilih dua orang yang berbeda untuk digabungkan."


def _nik_fields(nik: str, *, exclude_pk: int | None = None) -> dict[str, str]:
    from sinergi.core.crypto import blind_index
    from sinergi.regions.models import Province

    nik = domain.normalize_nik(nik)
    if not nik:
        return {"nik_encrypted": "", "nik_hash": "", "nik_last4": ""}
    problem = domain.nik_problem(
        nik, province_codes=frozenset(Province.objects.values_list("code", flat=True))
    )
    if problem:
        message = NIK_REFUSED.format(problem=problem)
        raise ApplicationError(message, code="invalid", detail={"nik": message})
    digest = blind_index(nik)
    others = Person.objects.filter(nik_hash=digest, merged_into__isnull=True)
    if exclude_pk is not None:
        others = others.exclude(pk=exclude_pk)
    if others.exists():
        raise ApplicationError(NIK_TAKEN, code="invalid", detail={"nik": NIK_TAKEN})
    return {"nik_encrypted": encrypt_text(nik), "nik_hash": digest, "nik_last4": nik[-4:]}


def _check_place(data: dict[str, Any]) -> None:
    village, district = data.get("domicile_village"), data.get("domicile_district")
    if village is not None and district is not None and village.district_id != district.code:
        raise ApplicationError(
            VILLAGE_OUTSIDE_DISTRICT, code="invalid", detail={"domicile_village": VILLAGE_OUTSIDE_DISTRICT}
        )


def _warnings(nik: str, data: dict[str, Any]) -> list[str]:
    nik = domain.normalize_nik(nik)
    if not nik:
        return []
    return domain.nik_mismatches(
        nik, birth_date=data.get("birth_date"), sex=data.get("sex"), today=timezone.localdate()
    )


def _check_unit(actor: Any, unit: Any) -> None:
    from sinergi.accounts.selectors import actor_unit_ids

    units = actor_unit_ids(actor)
    if units is not None and unit.pk not in units:
        raise ForbiddenError(UNIT_NOT_IN_SCOPE, detail={"unit": UNIT_NOT_IN_SCOPE})
