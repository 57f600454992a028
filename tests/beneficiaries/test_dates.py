"""Dates that make sense, from every entry point: the domain rules, the services, the forms (every error at
once, next to its field) and the field lengths shared with the import."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

import pytest
from dateutil.relativedelta import relativedelta
from django.test import Client
from django.utils import translation

from sinergi.accounts.choices import Role
from sinergi.beneficiaries import domain
from sinergi.beneficiaries.forms import PersonForm
from sinergi.beneficiaries.models import Consent, CustodyEpisode, Person
from sinergi.beneficiaries.services import consent_record, episode_add, person_create, person_update
from sinergi.core.errors import ApplicationError
from tests.beneficiaries.conftest import register

D = dt.date
TODAY = D(2024, 6, 1)


@pytest.fixture(autouse=True)
def _english_and_a_fixed_today(monkeypatch: pytest.MonkeyPatch) -> Any:
    from django.utils import timezone

    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: TODAY)
    with translation.override("en"):
        yield


# --- The rules ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("birth", "start", "message"),
    [
        (D(2024, 6, 2), None, "The birth date 2 June 2024 is in the future."),
        (D(2012, 1, 2), D(2024, 1, 1), "this person was 11 on 1 January 2024"),
        (D(2012, 1, 1), D(2024, 1, 1), None),  # 12 on the day custody began
        (D(1923, 12, 31), D(2024, 1, 1), None),  # 100 is still possible
        (D(1922, 12, 31), D(2024, 1, 1), "this person was 101 on 1 January 2024"),
        (D(2015, 1, 1), None, "this person was 9 on 1 June 2024"),  # no start: today
    ],
)
def test_birth_dates_and_ages_at_the_start_of_custody(
    birth: dt.date, start: dt.date | None, message: str | None
) -> None:
    problems = domain.person_date_problems(birth_date=birth, today=TODAY, custody_start=start)
    if message:
        assert message in problems["birth_date"]
    else:
        assert problems == {}


def test_episode_dates_say_which_date_and_why() -> None:
    problems = domain.episode_date_problems(start_date=D(2024, 6, 2), release_date=D(2024, 7, 1), today=TODAY)
    assert "The sentence start 2 June 2024 is in the future" in problems["start_date"]
    assert "The release date 1 July 2024 has not come yet" in problems["release_date"]
    before = domain.episode_date_problems(start_date=D(2024, 1, 2), release_date=D(2024, 1, 1), today=TODAY)
    assert before == {
        "release_date": "The release date 1 January 2024 is before the sentence started (2 January 2024)."
    }
    assert domain.episode_date_problems(start_date=TODAY, release_date=TODAY, today=TODAY) == {}


def test_consent_dates() -> None:
    assert "in the future" in domain.consent_date_problems(given_on=D(2030, 1, 1), today=TODAY)["given_on"]
    early = domain.consent_date_problems(given_on=D(2020, 1, 1), today=TODAY, custody_start=D(2021, 1, 1))
    assert "before this person's custody began (1 January 2021)" in early["given_on"]
    assert (
        domain.consent_date_problems(given_on=D(2021, 1, 1), today=TODAY, custody_start=D(2021, 1, 1)) == {}
    )


def test_the_same_lengths_for_forms_models_and_the_import() -> None:
    form = PersonForm()
    for name in ("full_name", "birth_place", "education", "prior_occupation", "phone", "offence_category"):
        assert (
            form.fields[name].max_length
            == domain.MAX_LENGTHS[name]
            == Person._meta.get_field(name).max_length
        )
    assert (
        CustodyEpisode._meta.get_field("registration_number").max_length
        == domain.MAX_LENGTHS["registration_number"]
    )
    problems = domain.length_problems({"full_name": "A" * 400}, labels={"full_name": "nama"})
    assert problems == {"full_name": "nama is too long: 400 characters, at most 200."}
    assert domain.length_problems({"full_name": "A" * 200}) == {}


# --- Through the services -------------------------------------------------------------------------------


def _data(**extra: Any) -> dict[str, Any]:
    from sinergi.regions.models import District

    return {
        "full_name": "Warga Tanggal",
        "sex": "L",
        "birth_date": D(1990, 5, 17),
        "domicile_district": District.objects.get(code="16.71.14"),
    } | extra


def _episode(unit: Any, **extra: Any) -> dict[str, Any]:
    return {
        "unit": unit,
        "registration_number": "T-1",
        "status": "narapidana",
        "start_date": D(2023, 1, 1),
        "sentence_years": 2,
        "sentence_months": 0,
        "sentence_days": 0,
        "remission_days": 0,
        "release_date": None,
    } | extra


def test_registering_refuses_every_impossible_date_at_once(db, world) -> None:
    unit = world.organisation(Role.UNIT_OFFICER, "own")
    with pytest.raises(ApplicationError) as refused:
        person_create(
            actor=None,
            data=_data(birth_date=D(2029, 1, 1), full_name="B" * 201),
            episode=_episode(unit, start_date=D(2027, 1, 1), release_date=D(2026, 1, 1), status="bebas"),
        )
    assert set(refused.value.detail) == {"birth_date", "start_date", "release_date", "full_name"}
    assert not Person.objects.filter(full_name__startswith="B").exists()


def test_registering_refuses_a_child_under_twelve_at_the_start_of_custody(db, world) -> None:
    unit = world.organisation(Role.UNIT_OFFICER, "own")
    with pytest.raises(ApplicationError) as refused:
        person_create(actor=None, data=_data(birth_date=D(2011, 6, 1)), episode=_episode(unit))
    assert "11 on 1 January 2023" in refused.value.detail["birth_date"]
    person_create(actor=None, data=_data(birth_date=D(2011, 1, 1)), episode=_episode(unit))


def test_editing_and_new_episodes_and_consent_follow_the_same_rules(db, world) -> None:
    unit = world.organisation(Role.UNIT_OFFICER, "own")
    person = register(None, unit, "Warga Sunting", "S-1")  # custody from 1 January 2021
    with pytest.raises(ApplicationError) as refused:
        person_update(actor=None, person=person, data=_data(birth_date=D(2010, 1, 1)), version=person.version)
    assert "11 on 1 January 2021" in refused.value.detail["birth_date"]
    with pytest.raises(ApplicationError) as episode:
        episode_add(
            actor=None,
            person=person,
            data=_episode(unit, registration_number="S-2", start_date=D(2025, 1, 1)),
        )
    assert "in the future" in episode.value.detail["start_date"]
    with pytest.raises(ApplicationError) as consent:
        consent_record(
            actor=None, person=person, purpose="participation", given_on=D(2020, 12, 31), evidence="F/1"
        )
    assert "before this person's custody began" in consent.value.detail["given_on"]
    with pytest.raises(ApplicationError):
        consent_record(
            actor=None, person=person, purpose="participation", given_on=D(2030, 1, 1), evidence="F/1"
        )
    consent_record(actor=None, person=person, purpose="participation", given_on=D(2021, 1, 1), evidence="F/1")
    assert Consent.objects.filter(person=person).count() == 1


# --- Through the pages ----------------------------------------------------------------------------------


def test_the_registration_form_shows_every_error_at_once_next_to_its_field(client: Client, world) -> None:
    officer = world.users[Role.UNIT_OFFICER]
    client.force_login(officer)
    response = client.post(
        "/wbp/baru/",
        {
            "full_name": "Warga Form",
            "sex": "L",
            "birth_date": "2029-01-01",
            "domicile_district": "16.71.14",
            "unit": officer.organisation_id,
            "registration_number": "F-1",
            "status": "bebas",
            "start_date": "2027-01-01",
            "sentence_years": "1",
            "release_date": "2026-01-01",
        },
    )
    assert response.status_code == 200
    html = response.content.decode()
    for field in ("birth_date", "start_date", "release_date"):
        assert f'id="id_{field}_error"' in html, field
    assert "release_within_days" not in html and '"age"' not in html
    assert not Person.objects.filter(full_name="Warga Form").exists()


def test_the_consent_form_comes_back_with_the_date_error(client: Client, world, people) -> None:
    client.force_login(world.users[Role.UNIT_OFFICER])
    person = people["own"]
    response = client.post(
        f"/wbp/{person.pk}/persetujuan/",
        {"purpose": "participation", "given_on": "2030-01-01", "evidence": "F/1"},
    )
    assert response.status_code == 400
    assert 'id="id_given_on_error"' in response.content.decode()
    assert not person.consents.exists()


def test_the_import_checks_a_row_with_the_same_rules() -> None:
    problems = domain.registry_row_problems(
        birth_date=D(2015, 1, 1),
        start_date=D(2024, 7, 1),
        release_date=None,
        today=TODAY,
        texts={"full_name": "N" * 400, "registration_number": "R-1"},
        labels={"full_name": "nama"},
    )
    assert set(problems) == {"birth_date", "start_date", "full_name"}
    assert problems["full_name"].startswith("nama is too long: 400")
    assert "9 on 1 June 2024" in problems["birth_date"]  # a start in the future: the age is taken today
    assert domain.integration_kind_problems("pb") == {} and "kind" in domain.integration_kind_problems("x")


# --- Calendar arithmetic --------------------------------------------------------------------------------


def _either(work: Any, *args: Any, **kwargs: Any) -> Any:
    """What `work` returns, or the type of the calendar error it raises."""
    try:
        return work(*args, **kwargs)
    except (ValueError, OverflowError) as exc:
        return type(exc)


def _plus(start: dt.date, *, years: int, months: int, days: int) -> dt.date:
    return start + relativedelta(years=years, months=months, days=days)


def test_shifting_a_date_gives_what_relativedelta_gives_or_the_same_error() -> None:
    """`domain.shifted` (the sentence arithmetic's calendar step) is `start + relativedelta(...)` without
    building one: month ends clamped (31 January + 1 month, 29 February + 1 year), months of 12 and more
    carried into years, negative shifts, and the same error where the result leaves the calendar."""
    starts = [
        D(2024, 1, 31),
        D(2024, 2, 29),
        D(2023, 12, 31),
        D(2020, 3, 31),
        D(1, 1, 1),
        D(9999, 12, 31),
        D(9990, 6, 15),
    ]
    shifts = [(0, 0, 0), (0, 1, 0), (1, 0, 0), (0, 11, 0), (0, 12, 0), (0, 13, 1), (0, -1, 0), (0, -13, 0)]
    shifts += [(0, 25, 400), (-1, 0, 0), (0, -12, -1), (20, 0, 0), (0, 0, 3_000_000), (0, 0, 10**12)]
    chance = random.Random(14)
    starts += [D(1990, 1, 1) + dt.timedelta(days=chance.randrange(15_000)) for _ in range(300)]
    shifts += [(chance.randrange(60), chance.randrange(-30, 40), chance.randrange(800)) for _ in range(100)]
    for start in starts:
        for years, months, days in shifts:
            shift = {"years": years, "months": months, "days": days}
            assert _either(domain.shifted, start, **shift) == _either(_plus, start, **shift), (start, shift)
    assert domain.shifted(D(2024, 1, 31), months=1) == D(2024, 2, 29)
    assert domain.shifted(D(2024, 2, 29), years=1) == D(2025, 2, 28)
    assert _either(domain.shifted, D(9999, 12, 31), days=1) is OverflowError
    assert _either(domain.shifted, D(9999, 6, 1), years=1) is ValueError
