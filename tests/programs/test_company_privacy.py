"""The company partner never learns sentence or health facts (issue 8): TJSL pages, notifications and API
responses say that a participant was released and handed over, and that someone withdrew, transferred or
was released, but never the kind of release, a sentence date, an offence, a NIK or a health reason."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.test import Client

from sinergi.accounts.choices import Role
from sinergi.accounts.services import token_create
from sinergi.events.services import events_dispatch
from sinergi.notifications.models import Notification
from sinergi.programs import services
from tests.beneficiaries.conftest import register
from tests.programs.conftest import TODAY, approved_results, make_cohort, mondays

pytestmark = pytest.mark.django_db

NIK = "1671141705900042"
RELEASED_ON = dt.date(2022, 9, 6)


def _date_forms(day: dt.date) -> list[str]:
    months_id = "Januari Februari Maret April Mei Juni Juli Agustus September Oktober November Desember"
    months_en = "January February March April May June July August September October November December"
    forms = [day.isoformat(), day.strftime("%d-%m-%Y"), day.strftime("%d/%m/%Y")]
    for months in (months_id.split(), months_en.split()):
        forms.append(f"{day.day} {months[day.month - 1]} {day.year}")
    return forms


@pytest.fixture
def story(setting: dict[str, Any], world) -> dict[str, Any]:
    """A cohort with a participant released on parole (PB) and one withdrawn for health reasons."""
    return _story(setting, sharing=True)


def _story(setting: dict[str, Any], *, sharing: bool) -> dict[str, Any]:
    """The story; `sharing`: the released participant agreed to share with the company (partner_sharing)."""
    from sinergi.beneficiaries.services import consent_record

    person = register(None, setting["unit"], "Peserta Ber-NIK", "P-NIK", nik=NIK)
    purposes = ["participation", "partner_sharing"] if sharing else ["participation"]
    for purpose in purposes:
        consent_record(
            actor=None, person=person, purpose=purpose, given_on=dt.date(2021, 2, 1), evidence="Uji"
        )
    cohort = make_cohort(setting)
    results = {r.person_id: r for r in approved_results(setting)}
    released = services.enroll(actor=None, cohort=cohort, result=results[person.pk], on=TODAY)
    sick_person = setting["people"][0]
    sick = services.enroll(actor=None, cohort=cohort, result=results[sick_person.pk], on=TODAY)
    services.enrollment_move(actor=None, enrollment=sick, to="withdrawn", reason="health", on=TODAY)
    mondays(cohort, dt.date(2022, 3, 21))
    services.participant_release(
        actor=None,
        enrollment=released,
        kind="pb",
        on=RELEASED_ON,
        reference="TPP/PB/1",
        version=released.episode.version,
    )
    events_dispatch()
    released.episode.refresh_from_db()
    return {"cohort": cohort, "person": person, "episode": released.episode}


def _forbidden_texts(story: dict[str, Any]) -> list[str]:
    episode = story["episode"]
    texts = [NIK, "Pencurian", "Kesehatan", "Health", "TPP/PB/1", "Pembebasan bersyarat", "Parole"]
    texts += _date_forms(RELEASED_ON)
    for day in (episode.expiry_date, getattr(episode, "two_thirds_date", None), episode.start_date):
        if day:
            texts += _date_forms(day)
    return texts


def _leaks(text: str, story: dict[str, Any]) -> list[str]:
    found = [t for t in _forbidden_texts(story) if t.lower() in text.lower()]
    if re.search(r"\b(PB|CB|CMB)\b", text):
        found.append("release kind (PB/CB/CMB)")
    return found


def test_tjsl_pages_notifications_and_api_never_show_sentence_or_health_facts(story, world, setting) -> None:
    tjsl = world.users[Role.CSR_OFFICER]
    assert tjsl.organisation == setting["company"]
    cohort, program = story["cohort"], setting["program"]
    client = Client()
    client.force_login(tjsl)
    pages = ["/", "/notifikasi/", "/program/", f"/program/{program.pk}/", f"/program/angkatan/{cohort.pk}/"]
    seen_cohort = ""
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        assert _leaks(html, story) == [], url
        if "angkatan" in url:
            seen_cohort = html
    # The company does see that the participants were released or left, in plain words.
    assert "Peserta Ber-NIK" in seen_cohort
    assert "mengundurkan diri" in seen_cohort and "bebas" in seen_cohort
    notes = list(Notification.objects.filter(recipient=tjsl))
    assert notes, "the company is told that the participant was released and handed over"
    for note in notes:
        assert _leaks(f"{note.title} {note.body}", story) == []
    token = token_create(actor=None, user=tjsl)
    api = Client(headers={"Authorization": f"Bearer {token}"})
    for url in (
        "/api/v1/programs",
        f"/api/v1/programs/{program.pk}",
        "/api/v1/cohorts",
        f"/api/v1/cohorts/{cohort.pk}/sessions",
        f"/api/v1/cohorts/{cohort.pk}/certificates",
    ):
        response = api.get(url)
        assert response.status_code == 200, url
        assert _leaks(response.content.decode(), story) == [], url


def test_no_release_notice_to_the_company_without_consent_to_share(setting, world) -> None:
    """Finding (xfix2): the company was told of every participant's release, consent or not. As for a
    return to custody, nothing reaches TJSL officers when the person has not agreed to share with them."""
    story = _story(setting, sharing=False)
    tjsl = world.users[Role.CSR_OFFICER]
    name = story["person"].full_name
    notes = [n for n in Notification.objects.filter(recipient=tjsl) if name in n.title]
    assert notes == [], "a release notice reached the company without the person's consent to share"
    # The corrections roles still see the release in full (the release itself is recorded).
    story["episode"].refresh_from_db()
    assert story["episode"].status in ("bebas", "klien")


def test_corrections_officers_still_read_the_full_reason(story, world) -> None:
    client = Client()
    client.force_login(world.users[Role.UNIT_OFFICER])
    html = client.get(f"/program/angkatan/{story['cohort'].pk}/").content.decode()
    assert "Kesehatan" in html


def test_the_release_notice_tells_the_company_the_day_not_the_minute(story, world) -> None:
    """Finding (jrep): the notification list showed when each notice was sent to the minute. A release
    notice is sent when the release is recorded, so its minute told the company when the unit recorded it,
    and notices sent in the same minute, which participants were released together (a mass release on a
    remission day, an import). The list now shows the day only, for everyone."""
    from django.utils import timezone

    tjsl = world.users[Role.CSR_OFFICER]
    name = story["person"].full_name
    note = next(n for n in Notification.objects.filter(recipient=tjsl) if name in n.title)
    sent = dt.datetime(2022, 9, 6, 3, 17, tzinfo=dt.UTC)
    Notification.objects.filter(pk=note.pk).update(created_at=sent)
    client = Client()
    client.force_login(tjsl)
    html = client.get("/notifikasi/").content.decode()
    local = timezone.localtime(sent)
    assert name in html
    assert f"{local.day} September 2022" in html
    assert local.strftime("%H.%M") not in html and local.strftime("%H:%M") not in html


def _row_of(html: str, name: str) -> str:
    start = html.find(name)
    assert start > 0, name
    return html[start : html.find("</tr>", start)]


def test_cohort_page_says_left_not_released_without_consent_to_share(setting, world) -> None:
    """Finding (rfix 2): the cohort page told a TJSL officer "Keluar · bebas" for every released
    participant, while the release notice goes only with the person's partner_sharing consent. Without it
    the company reads a neutral "withdrew"; with it, "released"."""
    story = _story(setting, sharing=False)
    client = Client()
    client.force_login(world.users[Role.CSR_OFFICER])
    html = client.get(f"/program/angkatan/{story['cohort'].pk}/").content.decode()
    row = _row_of(html, "Peserta Ber-NIK")
    assert "bebas" not in row.lower() and "released" not in row.lower()
    assert "mengundurkan diri" in row
    assert _leaks(html, story) == []
    # The corrections roles still read the release.
    client.force_login(world.users[Role.UNIT_OFFICER])
    html = client.get(f"/program/angkatan/{story['cohort'].pk}/").content.decode()
    assert "bebas" in _row_of(html, "Peserta Ber-NIK").lower()


def test_cohort_page_says_released_with_consent_to_share(story, world) -> None:
    client = Client()
    client.force_login(world.users[Role.CSR_OFFICER])
    html = client.get(f"/program/angkatan/{story['cohort'].pk}/").content.decode()
    assert "bebas" in _row_of(html, "Peserta Ber-NIK").lower()


@pytest.mark.parametrize("sharing", [False, True])
def test_completion_at_release_does_not_carry_the_release_date(setting, world, sharing: bool) -> None:
    """Finding (rfix 2): an active participant of a cohort that had ended was completed on the release
    day, and the completion date is in the company's participant exports (angkatan, peserta). Completed as of
    the cohort's end instead, so no export tells the release date."""
    from sinergi.beneficiaries.services import consent_record

    person = register(None, setting["unit"], "Peserta Selesai", "P-SEL")
    purposes = ["participation", "partner_sharing"] if sharing else ["participation"]
    for purpose in purposes:
        consent_record(
            actor=None, person=person, purpose=purpose, given_on=dt.date(2021, 2, 1), evidence="Uji"
        )
    cohort = make_cohort(setting)
    result = {r.person_id: r for r in approved_results(setting)}[person.pk]
    enrollment = services.enroll(actor=None, cohort=cohort, result=result, on=TODAY)
    enrollment = services.enrollment_move(
        actor=None, enrollment=enrollment, to="active", on=dt.date(2022, 3, 8)
    )
    services.participant_release(
        actor=None,
        enrollment=enrollment,
        kind="bebas",
        on=RELEASED_ON,
        version=enrollment.episode.version,
    )
    enrollment.refresh_from_db()
    assert (enrollment.stage, enrollment.completed_on) == ("completed", cohort.end_date)
    client = Client()
    client.force_login(world.users[Role.CSR_OFFICER])
    for url in (f"/laporan/ekspor/angkatan.csv?cohort={cohort.pk}", f"/program/angkatan/{cohort.pk}/"):
        response = client.get(url)
        assert response.status_code == 200, url
        text = (
            b"".join(response.streaming_content).decode() if response.streaming else response.content.decode()
        )
        assert "Peserta Selesai" in text or "angkatan.csv" in url
        assert not [form for form in _date_forms(RELEASED_ON) if form in text], url
