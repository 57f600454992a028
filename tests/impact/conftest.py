from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from sinergi.accounts.choices import Role
from sinergi.programs import services as program_services
from tests.authz import World
from tests.partnerships.conftest import make_agreement

PDF = b"%PDF-1.4\n% kuitansi uji\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 16


def make_program(agreement: Any, name: str = "Program Uji Dampak") -> Any:
    return program_services.program_create(
        actor=None,
        agreement=agreement,
        data={
            "name": name,
            "program_type": "kemandirian",
            "pillar": "ekonomi",
            "sdg_targets": [8],
            "start_date": dt.date(2021, 7, 1),
            "end_date": dt.date(2023, 6, 1),
            "rule": None,
        },
    )


@pytest.fixture
def impact(world: World) -> dict[str, Any]:
    """An MoU between the 'own' Kanwil and company with one program, and another MoU of the 'other' ones."""
    kanwil = world.organisation(Role.KANWIL_OFFICER, "own")
    company = world.organisation(Role.CSR_OFFICER, "own")
    mou = make_agreement(None, [kanwil, company], number="MOU-DAMPAK")
    other = make_agreement(
        None,
        [world.organisation(Role.KANWIL_OFFICER, "other"), world.organisation(Role.CSR_OFFICER, "other")],
        number="MOU-DAMPAK-LAIN",
    )
    return {
        "mou": mou,
        "program": make_program(mou),
        "other_program": make_program(other, "Program Lain"),
        "kanwil": kanwil,
        "company": company,
        "admin": world.users[Role.ADMIN],
        "tjsl": world.users[Role.CSR_OFFICER],
        "kanwil_user": world.users[Role.KANWIL_OFFICER],
    }


def line(
    setting: dict[str, Any], amount: int = 1_000_000, year: int = 2022, category: str = "training"
) -> Any:
    from sinergi.impact.services import budget_line_create

    return budget_line_create(
        actor=None,
        program=setting["program"],
        data={
            "year": year,
            "category": category,
            "amount": amount,
            "funder": setting["company"],
            "description": f"{category} {year}",
        },
    )


def spend(
    setting: dict[str, Any], budget_line: Any, amount: int, on: dt.date | None = None, **kw: Any
) -> Any:
    from sinergi.impact.services import expenditure_create

    return expenditure_create(
        actor=kw.pop("actor", setting["tjsl"]),
        program=setting["program"],
        data={
            "budget_line": budget_line,
            "spent_on": on or dt.date(budget_line.year, 3, 1),
            "amount": amount,
            "description": "Bahan pelatihan",
            "paid_by": setting["company"],
        },
        **kw,
    )
