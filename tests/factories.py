"""Factories for synthetic test data. Never real people."""

from __future__ import annotations

from typing import Any

import factory

from sinergi.accounts.choices import OrganisationKind, Role, UnitKind
from sinergi.accounts.models import Organisation, User
from sinergi.regions.models import Province, Regency

TEST_PASSWORD = "uji-Sandi-2026!"


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    kind = OrganisationKind.COMPANY
    name = factory.Sequence(lambda n: f"Organisasi Uji {n}")
    is_synthetic = True


class KanwilFactory(OrganisationFactory):
    kind = OrganisationKind.KANWIL
    name = factory.Sequence(lambda n: f"Kanwil Uji {n}")
    code = factory.Sequence(lambda n: f"KANWIL-UJI-{n}")
    province = factory.LazyFunction(lambda: Province.objects.get(code="16"))


class UnitFactory(OrganisationFactory):
    kind = OrganisationKind.UNIT
    unit_kind = UnitKind.LAPAS
    name = factory.Sequence(lambda n: f"Lapas Uji {n}")
    code = factory.Sequence(lambda n: f"LAPAS-UJI-{n}")
    regional_office = factory.SubFactory(KanwilFactory)
    regency = factory.LazyFunction(lambda: Regency.objects.get(code="16.71"))


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"pengguna{n}")
    full_name = factory.Sequence(lambda n: f"Pengguna Uji {n}")
    role = Role.ADMIN
    is_synthetic = True

    @factory.post_generation
    def password(self, create: bool, extracted: Any, **kwargs: Any) -> None:
        self.set_password(extracted or TEST_PASSWORD)
        if create:
            self.save(update_fields=["password"])


def organisation_for(role: str, **kwargs: Any) -> Organisation | None:
    """A fresh organisation of the kind this role belongs to."""
    if role == Role.KANWIL_OFFICER:
        return KanwilFactory(**kwargs)
    if role == Role.UNIT_OFFICER:
        return UnitFactory(**kwargs)
    if role == Role.BAPAS_OFFICER:
        return UnitFactory(unit_kind=UnitKind.BAPAS, **kwargs)
    if role == Role.CSR_OFFICER:
        return OrganisationFactory(kind=OrganisationKind.COMPANY, **kwargs)
    if role == Role.FACILITATOR:
        return OrganisationFactory(kind=OrganisationKind.PROVIDER, **kwargs)
    return None
