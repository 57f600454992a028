"""TJSL officers (aggregate-only) get no exact small counts through value maps' live figures, their exports
and snapshots, nor through the recidivism API's as-of date: future dates are refused for everyone, other
days than today and quarter ends for aggregate-only roles, and n, waiting and their total hide each other."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal as D
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from sinergi.accounts.choices import Role
from sinergi.impact import domain, selectors, services
from sinergi.impact.choices import LiveIndicator
from sinergi.programs.models import Program
from tests import people
from tests.impact.test_recidivism import registry  # noqa: F401  (the fixture)
from tests.impact.test_views_api import api

OUTCOME = {
    "name": "Tidak mengulang",
    "quantity": 1,
    "binding": "no_reoffence_24m",
    "proxy": 1_000_000,
    "duration": 1,
    "deadweight": 0,
    "displacement": 0,
    "attribution": 0,
    "drop_off": 0,
}


@pytest.fixture
def tjsl_map(world, registry) -> dict[str, Any]:  # noqa: F811
    """A value map a TJSL officer made, with "no re-offence at 24 months" bound: 6 participants released in
    its period, 1 re-offended (the 1 the dashboard shows as "<5"). 1 entered by hand."""
    tjsl = world.users[Role.CSR_OFFICER]
    value_map = services.value_map_create(
        actor=tjsl,
        program=registry["program"],
        data={"title": "Peta TJSL", "inputs_source": "manual", "inputs_manual": 1_000_000},
    )
    outcome = services.outcome_add(actor=tjsl, value_map=value_map, data=OUTCOME)
    return registry | {"map": value_map, "outcome": outcome, "tjsl": tjsl}


def _note(html: str, outcome: Any) -> str:
    return html.split(f'data-testid="live-{outcome.pk}"', 1)[1].split("</div>", 1)[0]


def _reveals_counts(text: str) -> bool:
    return any(f"{a} {word} {b}" in text for a, b in ((5, 6), (1, 1)) for word in ("of", "dari"))


def test_tjsl_sees_no_exact_small_count_in_a_live_figure_page_export_or_api(world, tjsl_map) -> None:
    value_map, outcome, tjsl = tjsl_map["map"], tjsl_map["outcome"], tjsl_map["tjsl"]
    client = Client()
    client.force_login(tjsl)
    html = client.get(f"/dampak/peta-nilai/{value_map.pk}/").content.decode()
    note = _note(html, outcome)
    assert not _reveals_counts(note), note
    # The numbers use the hand-entered 1, so the value (quantity × proxy) gives nothing back.
    numbers = selectors.value_map_numbers(value_map, actor=tjsl)
    assert numbers.live[outcome.pk].withheld and numbers.live[outcome.pk].quantity is None
    by_hand = domain.sroi(selectors.value_map_domain(value_map, inputs=1_000_000))
    assert numbers.result == by_hand
    for url in (f"/dampak/peta-nilai/{value_map.pk}/ekspor/",):
        data = json.loads(client.get(url).content)
        assert D(str(data["outcomes"][0]["quantity"])) == 1 and not _reveals_counts(json.dumps(data))
    data = Client().get(f"/api/v1/impact/value-maps/{value_map.pk}/export", headers=api(tjsl)).json()
    assert D(str(data["outcomes"][0]["quantity"])) == 1 and not _reveals_counts(json.dumps(data))
    sroi = Client().get(f"/api/v1/impact/value-maps/{value_map.pk}/sroi", headers=api(tjsl)).json()
    assert D(str(sroi["sroi"]["present_value"])) == numbers.result.present_value.quantize(D("0.01"))

    # Narrowing the period to one release shows nothing either.
    value_map.refresh_from_db()
    services.value_map_update(
        actor=tjsl,
        value_map=value_map,
        version=value_map.version,
        data={"period_start": dt.date(2023, 1, 1), "period_end": dt.date(2023, 12, 31)},
    )
    note = _note(client.get(f"/dampak/peta-nilai/{value_map.pk}/").content.decode(), outcome)
    assert not _reveals_counts(note), note

    # An officer of the Kanwil (not aggregate-only) still sees the figure.
    value_map.refresh_from_db()
    kanwil = selectors.value_map_numbers(value_map, actor=world.users[Role.KANWIL_OFFICER])
    assert kanwil.live[outcome.pk].quantity == 1 and "1 of 1" in kanwil.live[outcome.pk].note.replace(
        "dari", "of"
    )


def test_a_snapshot_a_tjsl_officer_freezes_carries_what_they_may_see(tjsl_map) -> None:
    value_map, tjsl = tjsl_map["map"], tjsl_map["tjsl"]
    snapshot = services.snapshot_freeze(actor=tjsl, value_map=value_map, label="Laporan TJSL")
    assert not _reveals_counts(snapshot.data)
    frozen = json.loads(snapshot.data)["outcomes"][0]
    assert D(str(frozen["quantity"])) == 1 and "live_as_of" not in frozen
    by_hand = domain.sroi_summary(domain.sroi(selectors.value_map_domain(value_map, inputs=1_000_000)))
    assert snapshot.results["present_value"] == str(by_hand["present_value"])
    # The system (and officers) freeze the live figure.
    system = services.snapshot_freeze(actor=None, value_map=value_map, label="Laporan Kanwil")
    assert D(str(json.loads(system.data)["outcomes"][0]["quantity"])) == 5


def test_live_follow_up_figures_count_only_consenting_people_for_tjsl(world, registry) -> None:  # noqa: F811
    # Eight in work at 6 months: five agreed to share their data with the company, three did not.
    people.released(
        world,
        registry["program"],
        "Angkatan kerja",
        "kerja",
        shares=[True] * 5 + [False] * 3,
        work_status="employed",
    )
    programs = Program.objects.filter(pk=registry["program"].pk)

    def live(actor: Any) -> Any:
        return selectors.live_quantity(
            programs=programs,
            binding=LiveIndicator.IN_WORK_6M,
            start=dt.date(2021, 1, 1),
            end=dt.date(2023, 12, 31),
            as_of=dt.date(2025, 1, 1),
            actor=actor,
        )

    assert live(None).quantity == 8
    assert live(world.users[Role.KANWIL_OFFICER]).quantity == 8
    assert live(world.users[Role.CSR_OFFICER]).quantity == 5
    # One more withdraws the consent: 4 is under 5, so nothing is shown (the hand-entered quantity is used).
    from sinergi.beneficiaries.models import Consent

    Consent.objects.filter(person__full_name="Contoh kerja0").update(withdrawn_on=dt.date(2024, 1, 1))
    withheld = live(world.users[Role.CSR_OFFICER])
    assert withheld.withheld and withheld.quantity is None
    assert withheld.note == str(selectors.LIVE_WITHHELD % {"date": "1 Januari 2025"})


def _recidivism(world, registry, role: str, as_of: str, window: int = 12) -> Any:  # noqa: F811
    url = f"/api/v1/impact/programs/{registry['program'].pk}/recidivism?window={window}&as_of={as_of}"
    return Client().get(url, headers=api(world.users[role]))


@pytest.mark.parametrize("role", [Role.CSR_OFFICER, Role.KANWIL_OFFICER, Role.ADMIN])
def test_a_future_as_of_is_refused_for_everyone(world, registry, role) -> None:  # noqa: F811
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    for day in (tomorrow, dt.date(2100, 12, 31)):
        response = _recidivism(world, registry, role, day.isoformat())
        assert response.status_code == 400, response.content
        message = response.json()["detail"]["as_of"]
        assert "hari ini" in message  # Indonesian, and says what to choose
    agreement = registry["mou"]
    response = Client().get(
        f"/api/v1/impact/agreements/{agreement.pk}/recidivism?window=12&as_of={tomorrow.isoformat()}",
        headers=api(world.users[role]),
    )
    assert response.status_code == 400


def test_aggregate_only_roles_get_today_or_a_quarter_end_only(world, registry) -> None:  # noqa: F811
    today = timezone.localdate().isoformat()
    for role in (Role.CSR_OFFICER, Role.MONITOR):
        for day in ("2024-03-01", "2024-05-31", "2024-06-01"):
            response = _recidivism(world, registry, role, day)
            assert response.status_code == 400, (role, day)
            assert "kuartal" in response.json()["detail"]["as_of"]
        for day in ("2024-03-31", "2024-06-30", "2023-12-31", today):
            # A valid day, then refused: per program, recidivism is the dashboard's only (xfix2).
            assert _recidivism(world, registry, role, day).status_code == 403, (role, day)
    # Officers who see people anyway may ask for any past day.
    assert _recidivism(world, registry, Role.KANWIL_OFFICER, "2024-03-01").status_code == 200


def test_n_waiting_and_their_total_hide_each_other(world, registry) -> None:  # noqa: F811
    # 12-month window at the end of March 2024: five counted, p5 (released 2023-06-01) still waits.
    def tjsl_at(day: dt.date) -> dict[str, Any]:
        # The API per program is refused to TJSL officers (xfix2); the rule holds where they read it (the
        # unfiltered dashboard), through the same selector.
        result = selectors.recidivism(
            programs=Program.objects.filter(pk=registry["program"].pk), months=12, as_of=day
        )
        figures = selectors.recidivism_figures(actor=world.users[Role.CSR_OFFICER], result=result)
        return {
            "waiting": figures.waiting,
            "participants": {"n": figures.participants.n, "suppressed": figures.participants.suppressed},
        }

    tjsl = tjsl_at(dt.date(2024, 3, 31))
    kanwil = _recidivism(world, registry, Role.KANWIL_OFFICER, "2024-03-31").json()
    assert (kanwil["participants"]["n"], kanwil["waiting"]) == (5, 1)
    assert tjsl["waiting"] == "<5"
    assert tjsl["participants"]["n"] is None and tjsl["participants"]["suppressed"]
    # Later, with every window closed, n is the total: it no longer gives the hidden waiting count back.
    later = tjsl_at(dt.date(2025, 12, 31))
    assert later["participants"]["n"] == 6 and later["waiting"] == 0
