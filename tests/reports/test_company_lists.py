"""TJSL officers (an aggregate-only role) read, person by person, only what the cohort page shows them:
name, domicile and program data (docs/security.md, "A company officer who wants prisoner details").

The lists and exports behind their dashboard numbers must not disclose more than that, nor undo the "<5":
- no list by sex or age band, by domicile district (their dashboard shows the ring table instead), nor of
  releases and aftercare outcomes (aggregates for them);
- no list behind a number they see as "<5", typed into the address or asked of the API;
- no release or sentence-expiry date in the list, no sex or age band in their exports or in the data sheet
  of a joint report they make.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Any

import pytest
from django.test import Client

from sinergi.accounts.choices import Role
from sinergi.beneficiaries.services.consent import consent_record
from sinergi.programs import services
from sinergi.reports import access, joint
from tests.authz import World
from tests.beneficiaries.conftest import register
from tests.programs.conftest import approved_results, complete, make_cohort

pytestmark = pytest.mark.django_db

CSR = Role.CSR_OFFICER


@pytest.fixture
def crowd(setting: dict[str, Any], world: World) -> dict[str, Any]:
    """Seven participants of the own company's program (3 from the setting, 4 more), one completed."""
    for i in range(4):
        person = register(None, setting["unit"], f"Peserta Tambahan {i}", f"PT-{i}")
        consent_record(
            actor=None, person=person, purpose="participation", given_on=dt.date(2021, 2, 1), evidence="Uji"
        )
    cohort = make_cohort(setting)
    enrollments = [
        services.enroll(actor=None, cohort=cohort, result=r, on=dt.date(2022, 3, 7))
        for r in approved_results(setting)
        if r.person.full_name != "Peserta 3"  # the setting's one eligible person without consent
    ]
    assert len(enrollments) == 7
    complete(enrollments[0])
    return setting | {"cohort": cohort, "enrollments": enrollments}


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_a_tjsl_officer_lists_the_participants_of_their_programs_without_release_dates(
    crowd: dict[str, Any], world: World
) -> None:
    client = _client(world.users[CSR])
    listing = client.get("/laporan/daftar/participants/")
    assert listing.status_code == 200
    assert listing.context["page"].paginator.count == 7
    html = listing.content.decode()
    assert "Peserta Tambahan 0" in html
    assert "Bebas atau ekspirasi" not in html and "Release or expiry" not in html
    by_unit = client.get(f"/laporan/daftar/participants/?by=unit&key={crowd['unit'].pk}")
    assert by_unit.status_code == 200 and by_unit.context["page"].paginator.count == 7
    officer = _client(world.users[Role.UNIT_OFFICER]).get("/laporan/daftar/participants/")
    assert officer.context["release_dates"] is True


@pytest.mark.parametrize(
    "address",
    [
        "/laporan/daftar/participants/?by=sex&key=L",
        "/laporan/daftar/participants/?by=age&key=25-34",
        "/laporan/daftar/participants/?by=district&key=16.71.14",
        "/laporan/daftar/participants/?by=ring&key=16.71.14",
        "/laporan/daftar/released/",
        "/laporan/daftar/releases_soon/",
        "/laporan/daftar/followed_up/",
        "/laporan/daftar/in_work/",
        "/laporan/ekspor/peserta.csv?metric=participants&by=sex&key=L",
        "/laporan/ekspor/peserta.csv?metric=released",
    ],
)
def test_lists_beyond_the_company_grant_do_not_open_for_a_tjsl_officer(
    crowd: dict[str, Any], world: World, address: str
) -> None:
    assert _client(world.users[CSR]).get(address).status_code == 404
    assert _client(world.users[Role.KANWIL_OFFICER]).get(address).status_code == 200


def test_the_list_behind_a_suppressed_number_is_refused_with_a_message(
    crowd: dict[str, Any], world: World
) -> None:
    client = _client(world.users[CSR])
    dashboard = client.get("/")
    completed = dashboard.context["funnel"][3]  # screened, eligible, enrolled, completed, …
    assert dashboard.context["reached_total"].value == 7 and dashboard.context["reached_total"].url
    for address in ("/laporan/daftar/completed/", "/laporan/ekspor/peserta.csv?metric=completed"):
        refused = client.get(address)
        assert refused.status_code == 403, address
        assert "kurang dari 5 orang" in refused.content.decode(), address
    assert completed.value == "<5" and completed.url is None
    assert _client(world.users[Role.ADMIN]).get("/laporan/daftar/completed/").status_code == 200


def test_the_api_export_refuses_a_small_list_too(crowd: dict[str, Any], world: World) -> None:
    from sinergi.accounts.services import token_create

    secret = token_create(actor=world.users[CSR], user=world.users[CSR], name="uji")
    client = Client(headers={"Authorization": f"Bearer {secret}"})
    refused = client.get("/api/v1/exports/peserta.csv?metric=completed")
    assert refused.status_code == 403
    assert "kurang dari 5 orang" in refused.json()["message"]
    assert client.get("/api/v1/exports/peserta.csv?metric=participants&by=age&key=25-34").status_code == 404


def _header(response: Any) -> list[str]:
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return next(csv.reader(io.StringIO(text)))


def test_tjsl_exports_and_report_data_leave_out_sex_and_age_band(crowd: dict[str, Any], world: World) -> None:
    company = _header(_client(world.users[CSR]).get("/laporan/ekspor/peserta.csv?metric=participants"))
    cohort = _header(
        _client(world.users[CSR]).get(f"/laporan/ekspor/angkatan.csv?cohort={crowd['cohort'].pk}")
    )
    kanwil = _header(
        _client(world.users[Role.KANWIL_OFFICER]).get("/laporan/ekspor/peserta.csv?metric=participants")
    )
    for header in (company, cohort):
        assert "Jenis kelamin" not in header and "Kelompok umur" not in header, header
        assert "Program" in header and "Tahap" in header, header
    assert "Jenis kelamin" in kanwil and "Kelompok umur" in kanwil
    report = joint.build(
        actor=world.users[CSR],
        agreement=None,
        program=crowd["program"],
        start=dt.date(2022, 1, 1),
        end=dt.date(2022, 12, 31),
        language="en",
    )
    assert report.suppressed and "Sex" not in report.data_header and "Age band" not in report.data_header
    admin_report = joint.build(
        actor=world.users[Role.ADMIN],
        agreement=None,
        program=crowd["program"],
        start=dt.date(2022, 1, 1),
        end=dt.date(2022, 12, 31),
        language="en",
    )
    # Whoever makes it: the full version is signed by both parties and so reaches the company.
    assert "Sex" not in admin_report.data_header and "Age band" not in admin_report.data_header


def test_the_dashboard_links_only_what_the_role_may_open(crowd: dict[str, Any], world: World) -> None:
    context = _client(world.users[CSR]).get("/").context
    assert all(f.url is None for f in context["reached"]["sex"])
    assert all(f.url is None for f in context["reached"]["age"])
    assert "district" not in context["reached"]
    assert context["releases_soon_figure"].url is None
    assert all(f.url for f in context["reached"]["unit"] if f.value == 7)
    for role in (Role.KANWIL_OFFICER, Role.ADMIN):
        shown = _client(world.users[role]).get("/").context
        assert all(f.url for f in shown["reached"]["sex"] if f.value), role


def test_the_predicate_is_the_one_rule() -> None:
    class Actor:
        role = CSR

    assert access.may_list_people(Actor(), "participants", "ring", "outside")
    assert not access.may_list_people(Actor(), "participants", "ring", "16.71.14")
    assert not access.may_list_people(Actor(), "participants", "sex")
    assert not access.may_list_people(Actor(), "in_work")
    Actor.role = Role.MONITOR
    assert not access.may_list_people(Actor(), "participants")
    Actor.role = Role.FACILITATOR
    assert access.may_list_people(Actor(), "participants", "sex")
    assert not access.may_see_release_dates(Actor())


def test_a_unit_key_that_is_not_a_number_lists_nobody(crowd: dict[str, Any], world: World) -> None:
    listing = _client(world.users[Role.KANWIL_OFFICER]).get("/laporan/daftar/participants/?by=unit&key=abc")
    assert listing.status_code == 200 and listing.context["page"].paginator.count == 0


def test_the_ring_area_keys_are_the_ring_tables() -> None:
    from sinergi.reports import ring

    assert access.RING_AREA_KEYS == ring.KEYS


@pytest.mark.parametrize("key", ["²", "١٢", "9" * 13])
def test_a_unit_key_of_other_digits_lists_nobody(crowd: dict[str, Any], world: World, key: str) -> None:
    listing = _client(world.users[Role.KANWIL_OFFICER]).get(
        "/laporan/daftar/participants/", {"by": "unit", "key": key}
    )
    assert listing.status_code == 200 and listing.context["page"].paginator.count == 0
    assert _client(world.users[Role.ADMIN]).get("/", {"window": key}).status_code == 200


def test_a_unit_slice_names_correctional_units_only(crowd: dict[str, Any], world: World) -> None:
    """The key of a unit slice that is another organisation (a company, a Kanwil) is shown as typed, not
    as that organisation's name: the slice names only what the dashboard's unit table can link to."""
    client = _client(world.users[Role.ADMIN])
    unit = client.get("/laporan/daftar/participants/", {"by": "unit", "key": crowd["unit"].pk})
    assert unit.context["described"] == [("UPT", crowd["unit"].name)], unit.context["described"]
    for role in (CSR, Role.KANWIL_OFFICER):
        other = world.organisation(role, "own")
        assert other is not None and other.kind != "unit"
        listing = client.get("/laporan/daftar/participants/", {"by": "unit", "key": other.pk})
        assert listing.status_code == 200 and listing.context["page"].paginator.count == 0
        assert listing.context["described"] == [("UPT", str(other.pk))]
        assert other.name not in listing.content.decode()
