"""National-scale screening: the rule decided in SQL (a frozen run, the `screen` command) agrees exactly with
the rule in Python, person by person, over a varied population; reasons are shown in the reader's
language whatever the language of whoever ran the screening; older runs keep their text reasons."""

from __future__ import annotations

import datetime as dt
import itertools
import json
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import translation

from sinergi.accounts.choices import Role
from sinergi.beneficiaries.models import Consent, CustodyEpisode, Person
from sinergi.programs import domain, selectors, services
from sinergi.programs.models import Program, ScreeningResult
from tests.authz import World
from tests.programs.conftest import make_program

AS_OF = dt.date(2024, 2, 29)
RING = ["16.71.14", "16.07.01"]
OUTSIDE = "16.71.01"  # Ilir Barat Dua

RULES: list[dict[str, Any]] = [
    {"districts": RING, "statuses": ["narapidana"]},
    {
        "districts": RING,
        "statuses": ["narapidana", "anak binaan", "bebas"],
        "sexes": ["L"],
        "age": [18, 40],
        "release_within_days": [0, 400],
        "exclude_offences": ["Narkotika"],
        "max_risk": "sedang",
        "requires_consent": True,
    },
    {
        "districts": ["16.71.14"],
        "statuses": ["klien", "tahanan", "bebas"],
        "age": [25, 25],
        "release_within_days": [30, 60],
        "max_risk": "rendah",
    },
    {"districts": [OUTSIDE], "statuses": ["narapidana", "tahanan"], "release_within_days": [0, 10]},
]


def _population(world: World) -> list[Person]:
    """Every combination that matters, one person each: domicile (ring, outside, none), status, sex, birth
    dates around the age limits (29 February included), expiry dates around the windows (and unknown),
    offence spelt in several ways, risk levels (one unknown), consent given, withdrawn or none, several
    episodes (an undated one counts as the latest, one starting after the as-of date does not), people
    at another unit, and a merged record."""
    from sinergi.regions.models import District

    units = [world.organisation(Role.UNIT_OFFICER, "own"), world.organisation(Role.UNIT_OFFICER, "other")]
    districts = [District.objects.get(code=c) for c in [*RING, OUTSIDE]] + [None]
    births = [
        dt.date(2006, 2, 28),
        dt.date(2006, 3, 1),  # 17 on the as-of date
        dt.date(1984, 2, 29),  # exactly 40
        dt.date(1983, 2, 28),  # 41
        dt.date(1999, 2, 28),  # 25 (birthday on the as-of date)
        dt.date(1998, 3, 1),
    ]
    expiries = [
        None,
        AS_OF - dt.timedelta(days=1),
        AS_OF,
        AS_OF + dt.timedelta(days=30),
        AS_OF + dt.timedelta(days=366),
    ]
    offences = ["Pencurian", "Narkotika", " narkotika ", ""]
    risks = ["", "rendah", "sedang", "tinggi", "ekstrem"]
    statuses = ["narapidana", "tahanan", "klien", "anak_binaan", "bebas"]
    people = []
    for i, (district, birth, expiry) in enumerate(itertools.product(districts, births, expiries)):
        person = Person.objects.create(
            full_name=f"Orang {i:03d}",
            name_key=f"orang {i:03d}",
            sex="LP"[i % 2],
            birth_date=birth,
            domicile_district=district,
            offence_category=offences[i % len(offences)],
            risk_level=risks[(i // 2) % len(risks)],
        )
        unit = units[0] if i % 7 else units[1]
        CustodyEpisode.objects.create(
            person=person,
            unit=unit,
            registration_number=f"S-{i}",
            status=statuses[(i // 3) % len(statuses)],
            start_date=dt.date(2023, 1, 1),
            expiry_date=expiry,
        )
        if i % 5 == 0:  # an older episode that must not count
            CustodyEpisode.objects.create(
                person=person,
                unit=unit,
                registration_number=f"S-{i}-old",
                status="narapidana",
                start_date=dt.date(2015, 1, 1),
                expiry_date=AS_OF + dt.timedelta(days=30),
            )
        if i % 11 == 0:  # an undated episode counts as the latest
            CustodyEpisode.objects.create(
                person=person,
                unit=unit,
                registration_number=f"S-{i}-undated",
                status="narapidana",
                start_date=None,
                expiry_date=AS_OF + dt.timedelta(days=20),
            )
        if i % 13 == 0:  # an episode starting after the as-of date does not count yet
            CustodyEpisode.objects.create(
                person=person,
                unit=unit,
                registration_number=f"S-{i}-later",
                status="klien",
                start_date=AS_OF + dt.timedelta(days=1),
                expiry_date=AS_OF + dt.timedelta(days=40),
            )
        if i % 3 == 0:
            Consent.objects.create(
                person=person,
                purpose="participation",
                given_on=dt.date(2023, 1, 1),
                evidence="uji",
                withdrawn_on=AS_OF if i % 9 == 0 else (AS_OF + dt.timedelta(days=1) if i % 6 == 0 else None),
            )
        people.append(person)
    Person.objects.filter(pk=people[-1].pk).update(merged_into=people[0])
    return people


def _python_answers(rule: domain.Rule, *, unit_ids: set[int] | None) -> dict[str, tuple[bool, list[Any]]]:
    """The rule in Python, person by person: the latest episode chosen in Python, then domain.evaluate."""
    answers = {}
    for person in Person.objects.filter(merged_into__isnull=True).select_related("domicile_district"):
        episodes = [e for e in person.episodes.all() if e.start_date is None or e.start_date <= AS_OF]
        if not episodes:
            continue
        latest = max(episodes, key=lambda e: (e.start_date is None, e.start_date or dt.date.min, e.pk))
        if unit_ids is not None and latest.unit_id not in unit_ids:
            continue
        consent = any(
            c.purpose == "participation"
            and c.given_on <= AS_OF
            and (c.withdrawn_on is None or c.withdrawn_on > AS_OF)
            for c in person.consents.all()
        )
        facts = domain.PersonFacts(
            domicile_district=person.domicile_district_id,
            domicile_district_name=person.domicile_district.name if person.domicile_district else None,
            status=latest.status,
            sex=person.sex,
            birth_date=person.birth_date,
            expiry_date=latest.expiry_date,
            offence_category=person.offence_category,
            risk_level=person.risk_level,
            has_consent=consent,
        )
        answers[latest.registration_number] = domain.evaluate_codes(rule, facts, as_of=AS_OF)
    return answers


@pytest.fixture
def program(world: World) -> Program:
    from tests.partnerships.conftest import make_agreement

    mou = make_agreement(
        None,
        [world.organisation(Role.KANWIL_OFFICER, "own"), world.organisation(Role.CSR_OFFICER, "own")],
        number="MOU-SQL",
        duration_years=5,
    )
    return make_program(mou, "Program SQL", end=dt.date(2025, 6, 1))


@pytest.mark.parametrize("rule_data", RULES, ids=["ring", "everything", "narrow", "outside"])
def test_the_frozen_run_and_the_screen_command_agree_with_the_rule_in_python(
    world: World, program: Program, rule_data: dict[str, Any], tmp_path: Path, capsys
) -> None:
    _population(world)
    Program.objects.filter(pk=program.pk).update(rule=rule_data)
    program.refresh_from_db()
    rule = domain.parse_rule(rule_data)

    # The whole registry (no actor): the run and the command.
    expected = _python_answers(rule, unit_ids=None)
    assert any(ok for ok, _ in expected.values()) or rule_data["districts"] == [OUTSIDE], list(
        expected.items()
    )[:4]
    assert not all(ok for ok, _ in expected.values())
    run = services.screening_run_create(actor=None, program=program, as_of=AS_OF)
    results = selectors.with_reasons(run.results.all(), run=run)
    assert run.evaluated == len(expected) == len(results)
    assert run.eligible_count == sum(ok for ok, _ in expected.values())
    with translation.override("id"):
        frozen = {
            r.registration_number: (r.eligible, r.reason_codes)
            for r in selectors.with_reasons(results, run=run)
        }
    assert frozen == expected

    path = tmp_path / "rule.json"
    path.write_text(json.dumps(rule_data))
    with translation.override("id"):
        call_command("screen", "--rule", str(path), "--as-of", AS_OF.isoformat(), "--format", "json")
        out = json.loads(capsys.readouterr().out)
        texts = {k: [domain.reason_text(r) for r in codes] for k, (_, codes) in expected.items()}
    assert out["evaluated"] == len(expected)
    assert {e["no_registrasi"] for e in out["eligible"]} == {k for k, (ok, _) in expected.items() if ok}
    assert {i["no_registrasi"]: i["reasons"] for i in out["ineligible"]} == {
        k: texts[k] for k, (ok, _) in expected.items() if not ok
    }

    # A unit officer's run covers their unit only.
    officer = world.users[Role.UNIT_OFFICER]
    mine = _python_answers(rule, unit_ids={world.organisation(Role.UNIT_OFFICER, "own").pk})
    scoped = services.screening_run_create(actor=officer, program=program, as_of=AS_OF)
    assert {r.registration_number: r.eligible for r in scoped.results.all()} == {
        k: ok for k, (ok, _) in mine.items()
    }


def test_pages_in_the_back_half_of_a_run_hold_the_same_rows_as_read_from_the_front(
    world: World, program: Program
) -> None:
    """The run page and the API read a slice in the back half in the reverse order and turn it round:
    every page, for every page size (odd and even counts, a short last page, orphans), and every API
    offset match plain slicing."""
    from django.core.paginator import Paginator

    from sinergi.programs.views import RunPaginator

    _population(world)
    Program.objects.filter(pk=program.pk).update(rule=RULES[0])
    program.refresh_from_db()
    run = services.screening_run_create(actor=None, program=program, as_of=AS_OF)
    for eligible in (True, False):
        rows = selectors.run_results(actor=None, run=run, eligible=eligible)
        assert rows.count() >= 3
        for per_page, orphans in ((1, 0), (2, 0), (3, 0), (7, 2), (25, 0)):
            front, both_ends = Paginator(rows, per_page, orphans), RunPaginator(rows, per_page, orphans)
            assert front.num_pages == both_ends.num_pages
            for number in front.page_range:
                expected = [r.pk for r in front.page(number).object_list]
                assert [r.pk for r in both_ends.page(number).object_list] == expected, (per_page, number)
    # The API's slices (both lists, eligible first), whole-run reader.
    everyone = selectors.run_results(actor=None, run=run)
    for limit in (1, 4, 25):
        for offset in range(0, run.evaluated + 2):
            expected = [r.pk for r in everyone[offset : offset + limit]]
            shown = selectors.run_results_page(actor=None, run=run, offset=offset, limit=limit)
            assert [r.pk for r in shown] == expected, (offset, limit)


@pytest.mark.parametrize("language", ["id", "en"])
def test_the_json_the_database_writes_is_the_json_python_writes(world: World, language: str) -> None:
    """selectors.screened_json (on PostgreSQL each person's object written by the query, with reasons from
    lookup arrays; people the arrays do not cover written in Python) gives, person by person, the same text
    as json.dumps of the per-person path, for every rule, including texts that need escaping, ages the
    arrays do not hold (not yet born, over OLDEST_AGE) and values outside the choices."""
    people = _population(world)
    unit = world.organisation(Role.UNIT_OFFICER, "own")
    odd = [
        ('S-"kutip" \\ garis\nbaru\u0001 é', dt.date(1990, 1, 1), "narapidana", "Narkotika\t"),
        ("S-belum-lahir", AS_OF + dt.timedelta(days=3), "narapidana", "Pencurian"),
        ("S-tua", dt.date(1850, 6, 1), "tahanan", "NARKOTIKA"),
        ("S-status-lain", dt.date(1990, 1, 1), "lainnya", "Pencurian"),
        ("S-lama", dt.date(1990, 1, 1), "klien", "Pencurian"),  # thousands of days to go
    ]
    for i, (number, birth, status, offence) in enumerate(odd):
        person = Person.objects.create(
            full_name=f"Ganjil {i}",
            name_key=f"ganjil {i}",
            sex="L",
            birth_date=birth,
            domicile_district=people[0].domicile_district,
            offence_category=offence,
            risk_level=["Tinggi ", "sedang"][i % 2],
        )
        CustodyEpisode.objects.create(
            person=person,
            unit=unit,
            registration_number=number,
            status=status,
            start_date=dt.date(2023, 1, 1),
            expiry_date=AS_OF + dt.timedelta(days=[-5, 12, 400, 3000, 12345][i]),
        )
    for rule_data in RULES:
        rule = domain.parse_rule(rule_data)
        with translation.override(language):
            written = sorted(selectors.screened_json(rule=rule, as_of=AS_OF, chunk_size=7))
            expected = sorted(
                (
                    eligible,
                    json.dumps(
                        {"no_registrasi": number, "upt": upt, **({} if eligible else {"reasons": reasons})},
                        ensure_ascii=False,
                    ),
                )
                for number, upt, eligible, reasons in selectors.screened_rows_with_reasons(
                    rule=rule, as_of=AS_OF
                )
            )
        assert written == expected
        assert any(number.startswith('{"no_registrasi": "S-\\"kutip') for _, number in written)


def test_the_screen_command_writes_valid_json_when_nobody_or_everybody_is_eligible(
    world: World, tmp_path: Path, capsys
) -> None:
    from tests.beneficiaries.conftest import register

    unit = world.organisation(Role.UNIT_OFFICER, "own")
    for i in range(3):
        register(None, unit, f"Peserta {i}", f"P-{i}")
    path = tmp_path / "rule.json"
    for statuses, eligible in ((["narapidana"], 3), (["klien"], 0)):
        path.write_text(json.dumps({"districts": RING, "statuses": statuses}))
        call_command("screen", "--rule", str(path), "--as-of", "2022-03-01", "--format", "json")
        out = json.loads(capsys.readouterr().out)
        assert (len(out["eligible"]), len(out["ineligible"]), out["evaluated"]) == (eligible, 3 - eligible, 3)


# --- Reasons in the reader's language ----------------------------------------------------------------------


def _bearer(user: Any) -> dict[str, str]:
    from sinergi.accounts.services import token_create

    return {"Authorization": f"Bearer {token_create(actor=None, user=user)}"}


def _screened(setting: dict[str, Any], language: str) -> Any:
    with translation.override(language):
        return services.screening_run_create(
            actor=None, program=setting["program"], as_of=dt.date(2022, 3, 1)
        )


@pytest.mark.parametrize(
    ("ran_in", "read_in", "expected"),
    [
        ("id", "en", "domicile (Kec. Ilir Barat Dua) outside ring I"),
        ("en", "id", "domisili (Kec. Ilir Barat Dua) di luar wilayah ring I"),
    ],
)
def test_a_run_reads_in_the_readers_language_whatever_the_screeners(
    setting: dict[str, Any], world: World, client: Client, ran_in: str, read_in: str, expected: str
) -> None:
    run = _screened(setting, ran_in)
    reader = world.users[Role.UNIT_OFFICER]
    reader.language = read_in
    reader.save(update_fields=["language"])
    client.force_login(reader)
    page = client.get(f"/program/penyaringan/{run.pk}/").content.decode()
    assert expected in page
    body = client.get(f"/api/v1/screening-runs/{run.pk}", headers=_bearer(reader)).json()
    outsider = next(r for r in body["results"] if r["no_registrasi"] == "P-OUT")
    assert outsider["reasons"] == [expected]
    assert outsider["reason_codes"] == [
        {"code": "district_outside", "params": {"district": "16.71.01", "name": "Ilir Barat Dua"}}
    ]
    person_page = client.get(f"/wbp/{setting['outsider'].pk}/").content.decode()
    assert expected in person_page


def test_an_older_run_with_reasons_saved_as_text_still_shows_them(
    setting: dict[str, Any], world: World, client: Client
) -> None:
    run = _screened(setting, "id")
    ScreeningResult.objects.filter(run=run, eligible=False).update(
        reasons=["domisili di luar wilayah ring I (teks lama)"], birth_date=None
    )
    reader = world.users[Role.UNIT_OFFICER]
    reader.language = "en"
    reader.save(update_fields=["language"])
    client.force_login(reader)
    assert (
        "domisili di luar wilayah ring I (teks lama)"
        in client.get(f"/program/penyaringan/{run.pk}/").content.decode()
    )
    body = client.get(f"/api/v1/screening-runs/{run.pk}", headers=_bearer(reader)).json()
    outsider = next(r for r in body["results"] if r["no_registrasi"] == "P-OUT")
    assert outsider["reasons"] == ["domisili di luar wilayah ring I (teks lama)"]


def test_the_run_page_is_paged_and_reads_only_the_rows_it_shows(
    setting: dict[str, Any], world: World, client: Client
) -> None:
    from sinergi.audit.models import AuditEvent
    from sinergi.regions.models import District
    from tests.beneficiaries.conftest import register

    far = District.objects.get(code=OUTSIDE)
    for i in range(30):
        register(None, setting["unit"], f"Luar {i:02d}", f"L-{i}", domicile_district=far)
    run = _screened(setting, "id")
    client.force_login(world.users[Role.UNIT_OFFICER])
    first = client.get(f"/program/penyaringan/{run.pk}/").content.decode()
    assert "Luar 00" in first and "Luar 29" not in first
    second = client.get(f"/program/penyaringan/{run.pk}/?tidak=2").content.decode()
    assert "Luar 29" in second and "Luar 00" not in second
    counts = [
        e.changes["count"] for e in AuditEvent.objects.filter(action="screening_run.list").order_by("pk")
    ]
    assert counts == [4 + 25, 4 + 6]  # four eligible people on every page, 25 then 6 not eligible
