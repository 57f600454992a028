"""Impact pages and API: what each role sees, forms with errors next to fields, money and dates in
Indonesian, suppression for TJSL officers and monitors, the frozen snapshot over the API, and query counts
pinned with 1 and with 20 rows."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from sinergi.accounts.choices import Role
from sinergi.accounts.services import token_create
from sinergi.impact import selectors, services
from sinergi.impact.models import Expenditure, ValueMap
from tests.impact.conftest import PDF, line, make_program, spend
from tests.impact.test_services import OUTCOME


def login(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def api(user) -> dict[str, str]:
    return {"Authorization": f"Bearer {token_create(actor=None, user=user)}"}


def queries(client: Client, url: str, **kwargs) -> int:
    with CaptureQueriesContext(connection) as context:
        response = client.get(url, **kwargs)
    assert response.status_code == 200, response.content[:500]
    return len(context.captured_queries)


def test_the_finance_page_shows_rupiah_dates_and_the_90_percent_badge(impact) -> None:
    budget = line(impact, amount=1_000_000)
    spend(impact, budget, 910_000, on=dt.date(2022, 6, 9))
    page = login(impact["tjsl"]).get(f"/dampak/program/{impact['program'].pk}/keuangan/").content.decode()
    assert "Rp 1.000.000" in page and "Rp 910.000" in page
    assert "9 Juni 2022" in page
    assert "91,0%" in page and "text-bg-warning" in page


def test_an_expenditure_form_without_a_line_shows_the_message_next_to_the_field(impact) -> None:
    line(impact)
    response = login(impact["tjsl"]).post(
        f"/dampak/program/{impact['program'].pk}/belanja/baru/",
        {"spent_on": "2022-03-01", "amount": "1000", "description": "Kain", "paid_by": impact["company"].pk},
    )
    assert response.status_code == 200
    assert str(services.LINE_REQUIRED) in response.content.decode()
    assert not Expenditure.objects.exists()


def test_an_expenditure_with_a_receipt_is_recorded_and_its_receipt_downloaded_with_an_audit(impact) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from sinergi.audit.models import AuditEvent

    budget = line(impact)
    client = login(impact["kanwil_user"])
    response = client.post(
        f"/dampak/program/{impact['program'].pk}/belanja/baru/",
        {
            "budget_line": budget.pk,
            "spent_on": "2022-03-01",
            "amount": "250000",
            "description": "Kain",
            "paid_by": impact["kanwil"].pk,
            "receipt": SimpleUploadedFile("k.pdf", PDF),
        },
    )
    assert response.status_code == 302
    expenditure = Expenditure.objects.get()
    download = client.get(f"/dampak/belanja/{expenditure.pk}/kuitansi/")
    assert download.status_code == 200 and b"".join(download.streaming_content).startswith(b"%PDF-")
    assert AuditEvent.objects.filter(action="expenditure.receipt_download").count() == 1


def test_monitors_see_aggregates_but_no_finance_details(world, impact) -> None:
    monitor = login(world.users[Role.MONITOR])
    program = impact["program"]
    assert monitor.get(f"/dampak/program/{program.pk}/").status_code == 200
    assert monitor.get(f"/dampak/program/{program.pk}/keuangan/").status_code == 403
    assert monitor.get("/dampak/").status_code == 200


def test_cost_per_outcome_hides_small_counts_from_tjsl_but_not_from_the_kanwil(impact) -> None:
    spend(impact, line(impact), 1_000_000)
    tjsl = login(impact["tjsl"]).get(f"/dampak/program/{impact['program'].pk}/").content.decode()
    kanwil = login(impact["kanwil_user"]).get(f"/dampak/program/{impact['program'].pk}/").content.decode()
    # No participants yet: 0 is not a small cell, so both read "not available", never a division by zero.
    assert "tidak tersedia" in tjsl and "tidak tersedia" in kanwil


def test_small_participant_counts_are_suppressed_for_aggregate_roles(impact, monkeypatch) -> None:
    from sinergi.impact import selectors

    monkeypatch.setattr(
        selectors,
        "outcome_counts",
        lambda programs, consented_only=False: {
            "participant": 3,
            "completion": 12,
            "certificate": 0,
            "in_work_6m": None,
        },
    )
    rows = {r.outcome: r for r in selectors.cost_per_outcome(actor=impact["tjsl"], programs=None, cost=1200)}
    assert (rows["participant"].count, rows["participant"].cost, rows["participant"].suppressed) == (
        "<5",
        None,
        True,
    )
    assert rows["completion"].cost == 100
    admin = {
        r.outcome: r for r in selectors.cost_per_outcome(actor=impact["admin"], programs=None, cost=1200)
    }
    assert (admin["participant"].count, admin["participant"].cost) == (3, 400)


def _value_map(impact):
    value_map = services.value_map_create(
        actor=None,
        program=impact["program"],
        data={"title": "Peta uji", "inputs_source": "manual", "inputs_manual": 150_000_000},
    )
    services.outcome_add(actor=None, value_map=value_map, data=OUTCOME)
    return value_map


def test_the_value_map_page_shows_the_numbers_and_sensitivity(impact) -> None:
    value_map = _value_map(impact)
    page = login(impact["tjsl"]).get(f"/dampak/peta-nilai/{value_map.pk}/").content.decode()
    assert "Rp 223.887.321" in page and "1,49 : 1" in page
    assert 'data-testid="sensitivity"' in page and "Atribusi" in page and "Titik impas" in page
    narrower = login(impact["tjsl"]).get(f"/dampak/peta-nilai/{value_map.pk}/?langkah=10").content.decode()
    assert "±10%" in narrower


def test_an_outcome_form_with_a_fraction_over_1_shows_the_field_error(impact) -> None:
    value_map = _value_map(impact)
    data = {k: v for k, v in OUTCOME.items()} | {"deadweight": "1.5"}
    response = login(impact["tjsl"]).post(f"/dampak/peta-nilai/{value_map.pk}/hasil/baru/", data)
    assert response.status_code == 200
    assert 'id="id_deadweight_error"' in response.content.decode()
    assert value_map.outcomes.count() == 1


def test_export_then_import_through_the_pages(impact) -> None:
    value_map = _value_map(impact)
    client = login(impact["tjsl"])
    exported = client.get(f"/dampak/peta-nilai/{value_map.pk}/ekspor/")
    assert exported["Content-Disposition"].startswith("attachment")
    target = services.value_map_create(actor=None, program=impact["program"], data={"title": "Baru"})
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = client.post(
        f"/dampak/peta-nilai/{target.pk}/impor/",
        {"version": target.version, "file": SimpleUploadedFile("peta.json", exported.content)},
    )
    assert response.status_code == 302
    assert target.outcomes.count() == 1


def test_freezing_through_the_page_and_editing_the_snapshot_over_the_api_is_refused(impact) -> None:
    value_map = _value_map(impact)
    response = login(impact["tjsl"]).post(
        f"/dampak/peta-nilai/{value_map.pk}/bekukan/", {"label": "TJSL 2022"}
    )
    assert response.status_code == 302
    snapshot = value_map.snapshots.get()
    page = login(impact["tjsl"]).get(response["Location"]).content.decode()
    assert "TJSL 2022" in page and "1,49 : 1" in page
    refused = Client().put(
        f"/api/v1/impact/snapshots/{snapshot.pk}",
        data=json.dumps({"label": "lain"}),
        content_type="application/json",
        headers=api(impact["tjsl"]),
    )
    assert refused.status_code == 409
    assert refused.json()["code"] == "frozen"
    shown = Client().get(f"/api/v1/impact/snapshots/{snapshot.pk}", headers=api(impact["tjsl"])).json()
    assert shown["label"] == "TJSL 2022" and shown["results"]["ratio"] == "1.4926"


def test_the_api_gives_numbers_exports_and_imports(impact) -> None:
    value_map = _value_map(impact)
    client, headers = Client(), api(impact["kanwil_user"])
    numbers = client.get(f"/api/v1/impact/value-maps/{value_map.pk}/sroi", headers=headers).json()
    assert numbers["sroi"]["ratio"] == "1.4926"
    assert len(numbers["sensitivity"]) == 9
    exported = client.get(f"/api/v1/impact/value-maps/{value_map.pk}/export", headers=headers).json()
    bad = json.loads(json.dumps(exported))
    bad["outcomes"][0]["attribution"] = 3
    refused = client.post(
        f"/api/v1/impact/value-maps/{value_map.pk}/import",
        data=json.dumps({"version": 1, "value_map": bad}),
        content_type="application/json",
        headers=headers,
    )
    assert refused.status_code == 400 and "attribution" in refused.json()["message"]
    stale = client.get(f"/api/v1/impact/value-maps/{value_map.pk}/sroi?step=1.5", headers=headers)
    assert stale.status_code == 400


def test_ikm_over_the_api_refuses_answers_outside_1_to_4(impact) -> None:
    survey = services.survey_create(
        actor=None,
        program=impact["program"],
        data={
            "title": "IKM",
            "conducted_from": dt.date(2022, 1, 1),
            "conducted_to": dt.date(2022, 1, 31),
            "elements": ["U1", "U2"],
        },
    )
    client, headers = Client(), api(impact["tjsl"])
    url = f"/api/v1/impact/surveys/{survey.pk}/responses"
    bad = client.post(
        url,
        data=json.dumps({"answers": {"U1": 4, "U2": 0}}),
        content_type="application/json",
        headers=headers,
    )
    assert bad.status_code == 400 and "U2" in bad.json()["message"]
    for _ in range(5):
        ok = client.post(
            url,
            data=json.dumps({"answers": {"U1": 4, "U2": 3}}),
            content_type="application/json",
            headers=headers,
        )
        assert ok.status_code == 201
    assert ok.json()["ikm"] == "87.50" and ok.json()["grade"] == "B"


def test_the_ikm_csv_import_page_names_the_bad_row(impact) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    survey = services.survey_create(
        actor=None,
        program=impact["program"],
        data={
            "title": "IKM",
            "conducted_from": dt.date(2022, 1, 1),
            "conducted_to": dt.date(2022, 1, 31),
            "elements": ["U1", "U2"],
        },
    )
    client = login(impact["tjsl"])
    response = client.post(
        f"/dampak/ikm/{survey.pk}/impor/",
        {"file": SimpleUploadedFile("ikm.csv", b"U1,U2\n4,3\n4,9\n")},
        follow=True,
    )
    page = response.content.decode()
    assert "Baris 3" in page and "U2" in page
    assert survey.responses.count() == 0


# --- Query counts: exactly the same with 1 row and with 20 --------------------------------------------


def _programs(impact, n: int) -> None:
    for i in range(n - 1):
        program = make_program(impact["mou"], f"Program Tambahan {i}")
        services.budget_line_create(
            actor=None,
            program=program,
            data={"year": 2022, "category": "training", "amount": 10, "funder": impact["company"]},
        )


@pytest.mark.parametrize(("url", "expected"), [("/dampak/", 6), ("/dampak/sdg/", 7)])
def test_program_lists_pin_their_query_count(impact, url, expected) -> None:
    client = login(impact["tjsl"])
    one = queries(client, url)
    _programs(impact, 20)
    assert (one, queries(client, url)) == (expected, expected)


def test_the_finance_page_pins_its_query_count(impact) -> None:
    budget = line(impact, amount=10**9)
    spend(impact, budget, 1)
    client = login(impact["tjsl"])
    url = f"/dampak/program/{impact['program'].pk}/keuangan/"
    one = queries(client, url)
    for _ in range(19):
        spend(impact, budget, 1)
    # One more once aftercare records aid (it counts as realisation of the equipment-and-aid line).
    expected = 13 + (selectors._aftercare("Aid") is not None)
    assert (one, queries(client, url)) == (expected, expected)


def test_the_value_map_list_pins_its_query_count(impact) -> None:
    _value_map(impact)
    client = login(impact["tjsl"])
    one = queries(client, "/dampak/peta-nilai/")
    for _ in range(19):
        _value_map(impact)
    assert ValueMap.objects.count() == 20
    assert (one, queries(client, "/dampak/peta-nilai/")) == (6, 6)


@pytest.mark.parametrize("kind", ["expenditures", "value-maps"])
def test_api_lists_pin_their_query_count(impact, kind) -> None:
    budget = line(impact, amount=10**9)
    client, headers = Client(), api(impact["tjsl"])
    url = (
        f"/api/v1/impact/programs/{impact['program'].pk}/expenditures"
        if kind == "expenditures"
        else "/api/v1/impact/value-maps"
    )

    def add() -> None:
        spend(impact, budget, 1) if kind == "expenditures" else _value_map(impact)

    add()
    client.get(url, headers=headers)  # the token's first use is recorded once; measure after it
    one = queries(client, url, headers=headers)
    for _ in range(19):
        add()
    twenty = queries(client, url, headers=headers)
    assert len(client.get(url, headers=headers).json()) == 20
    assert one == twenty <= {"expenditures": 6, "value-maps": 3}[kind]
