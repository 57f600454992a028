"""With demo data loaded, every page in each role's menu and every demo agreement opens without error."""

import re

import pytest
from django.test import Client

from sinergi.accounts.models import User
from sinergi.partnerships.models import Agreement
from sinergi.site.demo import demo_seed


@pytest.fixture
def demo(db) -> None:
    demo_seed()


def test_the_founding_mou_is_recorded_as_the_article_reports_it(demo) -> None:
    mou = Agreement.objects.get(kind="mou", is_synthetic=False)
    assert str(mou.signed_on) == "2021-06-09" and mou.signed_place == "Hotel Santika Premiere Palembang"
    assert str(mou.end_date) == "2023-06-08" and mou.duration_years == 2
    signatories = {
        (p.organisation.name, p.signatory_name) for p in mou.parties.select_related("organisation")
    }
    assert signatories == {
        ("Pertamina Kilang Plaju", "Moh. Hasan Effendi"),
        ("Kanwil Kemenkumham Sumatera Selatan", "Indro Purwoko"),
    }
    assert sorted(mou.focus_districts.values_list("code", flat=True)) == ["16.07.01", "16.71.14"]
    assert all(a.is_synthetic and "contoh" in a.number for a in Agreement.objects.exclude(pk=mou.pk))


def test_every_menu_page_and_agreement_opens_for_every_demo_role(demo) -> None:
    for user in User.objects.filter(is_synthetic=True):
        client = Client()
        client.force_login(user)
        home = client.get("/")
        assert home.status_code == 200, user.username
        links = set(re.findall(r'class="nav-link[^"]*" href="([^"]+)"', home.content.decode()))
        links |= {f"/kerja-sama/{pk}/" for pk in Agreement.objects.values_list("pk", flat=True)}
        for link in sorted(links):
            status = client.get(link).status_code
            assert status in (200, 403, 404), (user.username, link, status)
            if link.startswith("/kerja-sama/") and user.role in ("admin", "kanwil", "tjsl", "upt", "bapas"):
                assert status == 200, (user.username, link, status)
