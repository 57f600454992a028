"""A PKS page's breadcrumb links its MoU only for a viewer who may open the MoU (never to a 404)."""

from __future__ import annotations

from django.test import Client

from sinergi.accounts.choices import Role
from sinergi.partnerships.choices import AgreementKind
from tests.authz import World
from tests.factories import OrganisationFactory
from tests.partnerships.conftest import make_agreement


def test_the_breadcrumb_links_the_mou_only_for_those_who_may_open_it(world: World) -> None:
    kanwil = world.organisation(Role.KANWIL_OFFICER, "own")
    company = world.organisation(Role.CSR_OFFICER, "own")
    provider = OrganisationFactory()
    mou = make_agreement(None, [kanwil, company], number="MOU-BC-1")
    pks = make_agreement(
        None, [company, provider], number="PKS-BC-1", kind=AgreementKind.PKS, parent=mou, districts=[]
    )
    facilitator = world.users[Role.FACILITATOR]
    facilitator.organisation = provider
    facilitator.save()
    mou_link = f'href="/kerja-sama/{mou.pk}/"'

    as_company = Client()
    as_company.force_login(world.users[Role.CSR_OFFICER])
    assert mou_link in as_company.get(f"/kerja-sama/{pks.pk}/").content.decode()

    as_provider = Client()
    as_provider.force_login(facilitator)
    page = as_provider.get(f"/kerja-sama/{pks.pk}/").content.decode()
    assert "MOU-BC-1" in page and mou_link not in page
    assert as_provider.get(f"/kerja-sama/{mou.pk}/").status_code == 404
