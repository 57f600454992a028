"""Demo agreements: the founding MoU exactly as the article reports it, plus clearly labelled examples."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from sinergi.accounts.demo import COMPANY, PROVIDER
from sinergi.accounts.models import Organisation
from sinergi.partnerships.choices import AgreementKind, PartyRole, ProgramType
from sinergi.partnerships.models import Agreement
from sinergi.partnerships.services import PartyInput, agreement_create

FOUNDING_NUMBER = "MoU-PKP-KANWIL-SUMSEL-2021"
EXAMPLE_PKS = "PKS-2021-01 (contoh)"
EXAMPLE_RENEWAL = "MoU-PERPANJANGAN (contoh)"


def seed(*, actor: Any) -> None:
    """Record the founding MoU (from the news article) and example PKS and renewal, once."""
    if Agreement.objects.filter(number=FOUNDING_NUMBER).exists():
        return
    company = Organisation.objects.get(name=COMPANY)
    kanwil = Organisation.objects.get(code="KANWIL-16")
    provider = Organisation.objects.get(name=PROVIDER)
    mou, _ = agreement_create(
        actor=actor,
        data={
            "kind": AgreementKind.MOU,
            "number": FOUNDING_NUMBER,
            "title": "Nota Kesepahaman pembinaan dan pembimbingan Warga Binaan Pemasyarakatan",
            "signed_on": dt.date(2021, 6, 9),
            "signed_place": "Hotel Santika Premiere Palembang",
            "start_date": dt.date(2021, 6, 9),
            "duration_years": 2,
            "scope": (
                "Pembinaan dan pembimbingan bagi WBP yang berdomisili di ring I perusahaan, "
                "yaitu Kecamatan Plaju, "
                "Kota Palembang dan Kecamatan Banyuasin I, Kab. Banyuasin, untuk mewujudkan kemandirian "
                "masyarakat yang berkelanjutan. (Nomor dokumen di Sinergi dibuat untuk demo; artikel tidak "
                "menyebutkan nomornya.)"
            ),
            "program_types": [ProgramType.PERSONALITY, ProgramType.SELF_RELIANCE, ProgramType.GUIDANCE],
        },
        parties=[
            PartyInput(
                company, PartyRole.FIRST, "Moh. Hasan Effendi", "General Manager Pertamina Kilang Plaju"
            ),
            PartyInput(
                kanwil, PartyRole.SECOND, "Indro Purwoko", "Kepala Kanwil Kemenkumham Sumatera Selatan"
            ),
        ],
        district_codes=["16.71.14", "16.07.01"],
    )
    agreement_create(
        actor=actor,
        data={
            "kind": AgreementKind.PKS,
            "parent": mou,
            "number": EXAMPLE_PKS,
            "title": "Contoh PKS: pelatihan kemandirian di Lapas (data sintetis)",
            "signed_on": dt.date(2021, 7, 1),
            "signed_place": "Palembang",
            "start_date": dt.date(2021, 7, 1),
            "end_date": dt.date(2023, 6, 8),
            "scope": "Contoh perjanjian pelaksana untuk demo. Bukan dokumen nyata.",
            "program_types": [ProgramType.SELF_RELIANCE],
            "is_synthetic": True,
        },
        parties=[
            PartyInput(company, PartyRole.FIRST, "Contoh Penandatangan", "Manager (contoh)"),
            PartyInput(kanwil, PartyRole.SECOND, "Contoh Penandatangan", "Kepala Divisi (contoh)"),
            PartyInput(provider, PartyRole.THIRD, "Contoh Penandatangan", "Direktur (contoh)"),
        ],
    )
    # An example renewal that is in force now and ends in about two months, so the expiry warning shows.
    today = timezone.localdate()
    agreement_create(
        actor=actor,
        data={
            "kind": AgreementKind.RENEWAL,
            "parent": mou,
            "number": EXAMPLE_RENEWAL,
            "title": "Contoh perpanjangan kerja sama (data sintetis)",
            "signed_on": dt.date(2023, 6, 5),
            "signed_place": "Palembang",
            "start_date": dt.date(2023, 6, 9),
            "end_date": today + dt.timedelta(days=75),
            "scope": (
                "Contoh perpanjangan untuk demo, supaya peringatan masa berakhir terlihat. "
                "Bukan dokumen nyata."
            ),
            "program_types": [ProgramType.SELF_RELIANCE, ProgramType.GUIDANCE],
            "is_synthetic": True,
        },
        parties=[
            PartyInput(company, PartyRole.FIRST, "Contoh Penandatangan", "General Manager (contoh)"),
            PartyInput(kanwil, PartyRole.SECOND, "Contoh Penandatangan", "Kepala Kanwil (contoh)"),
        ],
        district_codes=["16.71.14", "16.07.01"],
    )
    from sinergi.partnerships.services import expiry_alerts_send

    expiry_alerts_send(today=today)
