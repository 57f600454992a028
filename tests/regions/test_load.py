"""Loading the bundled region codes: exact counts, idempotent, and the ring I districts from the article."""

from django.core.management import call_command

from sinergi.regions.models import District, Province, Regency, Village
from sinergi.regions.selectors import district_search, place_index
from sinergi.regions.services import regions_load

EXPECTED = {"provinces": 38, "regencies": 514, "districts": 7285, "villages": 83762}


def test_the_full_load_has_the_official_counts_and_loading_again_changes_nothing(db) -> None:
    """The only test that loads all 83,762 villages: the others use the small set from tests/conftest.py."""
    assert regions_load() == EXPECTED
    assert (
        Province.objects.count(),
        Regency.objects.count(),
        District.objects.count(),
        Village.objects.count(),
    ) == (38, 514, 7285, 83762)
    assert regions_load() == EXPECTED
    assert regions_load(force=True) == EXPECTED
    call_command("setup", verbosity=0)
    assert Village.objects.count() == 83762


def test_ring_one_districts_of_the_founding_mou_exist(db) -> None:
    plaju = District.objects.get(code="16.71.14")
    banyuasin = District.objects.get(code="16.07.01")
    assert plaju.name == "Plaju" and plaju.regency.name == "Kota Palembang"
    assert banyuasin.name == "Banyuasin I" and banyuasin.regency.name == "Kabupaten Banyuasin"
    assert plaju.villages.count() == 7
    villages = set(banyuasin.villages.values_list("name", flat=True))
    assert {"Merah Mata", "Sungai Gerong"} <= villages
    assert banyuasin.villages.filter(kind="kelurahan").count() == 2
    assert banyuasin.villages.filter(kind="desa").count() == 11


def test_district_search_accepts_other_spellings(db) -> None:
    assert [d.code for d in district_search(q="banyuasin 1")][:1] == ["16.07.01"]
    assert "16.71.14" in [d.code for d in district_search(q="Kec. PLAJU")]
    assert [d.code for d in district_search(q="16.71.14")] == ["16.71.14"]


def test_the_lookup_index_matches_within_a_parent(db) -> None:
    index = place_index("district", within="16")
    assert index.match("Banyuasin 1", "16.07").code == "16.07.01"
    assert index.match("Seberang Ulu I", "16.71").code == "16.71.02"
    regencies = place_index("regency", within="16")
    assert regencies.match("Palembang", "16").code == "16.71"


def test_the_ODbL_notice_ships_with_the_data() -> None:
    from importlib import resources

    data = resources.files("sinergi.regions") / "data"
    assert "Open Database License" in (data / "LICENSE.md").read_text()
    assert "ODbL" in (data / "NOTICE.md").read_text()


def test_the_six_starting_units_are_under_the_south_sumatra_kanwil(db) -> None:
    from sinergi.accounts.models import Organisation

    codes = {"LAPAS-PLG-I", "LPP-PLG", "LPKA-PLG", "LAPAS-NARK-BYS", "LAPAS-BYS", "BAPAS-PLG"}
    units = Organisation.objects.filter(code__in=codes).select_related("regional_office")
    assert {u.code for u in units} == codes
    assert {u.regional_office.code for u in units} == {"KANWIL-16"}
    lapas = units.get(code="LAPAS-PLG-I")
    assert lapas.district_id == "16.07.01"
    bapas = units.get(code="BAPAS-PLG")
    assert set(bapas.service_regencies.values_list("code", flat=True)) == {
        "16.71",
        "16.07",
        "16.10",
        "16.74",
        "16.06",
        "16.02",
    }


def test_region_search_also_finds_villages(client, world) -> None:
    from sinergi.accounts.choices import Role

    client.force_login(world.users[Role.CSR_OFFICER])
    html = client.get("/wilayah/", {"q": "Merah Mata"}).content.decode()
    assert "16.07.01" in html and "Merah Mata" in html
