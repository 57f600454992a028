"""Retention: identities past the retention period are removed; the aggregates stay as they were."""

from __future__ import annotations

import datetime as dt
import json
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.db.models import Count

from sinergi.accounts.choices import Role
from sinergi.audit.models import AuditEvent
from sinergi.beneficiaries.models import CustodyEpisode, Person
from sinergi.beneficiaries.services.retention import person_anonymise, retention_apply
from sinergi.core.errors import ForbiddenError
from tests.authz import World
from tests.beneficiaries.conftest import register

AS_OF = dt.date(2040, 1, 1)


def _released(
    actor: Any, unit: Any, name: str, registration: str, *, released: dt.date, nik: str = ""
) -> Any:
    person = register(actor, unit, name, registration, nik=nik)
    CustodyEpisode.objects.filter(person=person).update(status="bebas", release_date=released)
    return person


@pytest.fixture
def registry(world: World) -> dict[str, Any]:
    admin = world.users[Role.ADMIN]
    unit = world.organisation(Role.UNIT_OFFICER, "own")
    return {
        "old": _released(
            admin, unit, "Warga Lama Sintetis", "RET-1", released=dt.date(2024, 3, 1), nik="1671141705900011"
        ),
        "recent": _released(admin, unit, "Warga Baru Sintetis", "RET-2", released=dt.date(2035, 3, 1)),
        "inside": register(admin, unit, "Warga Masih Di Dalam", "RET-3"),
    }


def _aggregates() -> list[dict[str, Any]]:
    return list(
        Person.objects.values("sex", "domicile_district", "offence_category", "birth_date__year")
        .annotate(n=Count("id"))
        .order_by("sex", "domicile_district", "offence_category", "birth_date__year")
    )


def test_people_past_retention_lose_their_identity_and_the_aggregates_stay(registry: dict[str, Any]) -> None:
    before = _aggregates()
    result = retention_apply(actor=None, as_of=AS_OF, years=10)
    assert (result.due, result.anonymised) == (1, 1)

    old = Person.objects.get(pk=registry["old"].pk)
    assert old.anonymised_on == AS_OF
    assert "Warga" not in old.full_name
    assert (old.nik_encrypted, old.nik_hash, old.nik_last4, old.phone, old.address) == ("", "", "", "", "")
    assert old.birth_date == dt.date(1990, 7, 1)
    assert old.episodes.get().registration_number.startswith("ANON-")
    # Someone released recently, and someone still in custody, keep everything.
    assert Person.objects.get(pk=registry["recent"].pk).full_name == "Warga Baru Sintetis"
    assert Person.objects.get(pk=registry["inside"].pk).full_name == "Warga Masih Di Dalam"
    assert _aggregates() == before

    event = AuditEvent.objects.get(action="person.anonymise")
    assert event.target_id == str(old.pk) and "Warga" not in event.target_label

    # A second run finds nobody left to do.
    assert retention_apply(actor=None, as_of=AS_OF, years=10).due == 0


def test_only_an_administrator_anonymises(world: World, registry: dict[str, Any]) -> None:
    with pytest.raises(ForbiddenError):
        person_anonymise(actor=world.users[Role.KANWIL_OFFICER], person=registry["old"], on=AS_OF)
    person_anonymise(actor=world.users[Role.ADMIN], person=registry["old"], on=AS_OF)
    assert Person.objects.get(pk=registry["old"].pk).anonymised_on == AS_OF


def test_the_command_counts_first_with_dry_run_then_applies(registry: dict[str, Any]) -> None:
    out = StringIO()
    call_command(
        "retention",
        "apply",
        "--as-of",
        "2040-01-01",
        "--years",
        "10",
        "--dry-run",
        "--format",
        "json",
        stdout=out,
    )
    assert json.loads(out.getvalue()) == {
        "as_of": "2040-01-01",
        "years": 10,
        "cutoff": "2030-01-01",
        "due": 1,
        "anonymised": 0,
    }
    assert Person.objects.filter(anonymised_on__isnull=False).count() == 0
    out = StringIO()
    call_command("retention", "apply", "--as-of", "2040-01-01", "--years", "10", stdout=out)
    assert out.getvalue().startswith("1 orang dianonimkan")
