"""The aftercare demo: every released participant has a case with a PK and a plan, PB clients have missed
reports, visits, aid, follow-ups with 'not contacted' outcomes, readmissions and index histories; demo.bapas
has work due today; a mentor has two mentees; running it again changes nothing."""

from __future__ import annotations

from django.test import Client

from sinergi.accounts.models import User
from sinergi.aftercare import selectors
from sinergi.aftercare.demo import seed
from sinergi.aftercare.models import (
    AftercareCase,
    Aid,
    FollowUp,
    Goal,
    IndexScore,
    MinimumWage,
    Reoffence,
    Visit,
)
from sinergi.site.demo import demo_seed


def test_the_demo_gives_the_bapas_a_real_caseload(db) -> None:
    demo_seed()
    cases = AftercareCase.objects.all()
    assert cases.count() >= 10
    assert not cases.filter(pk_officer__isnull=True).exists()
    assert all(Goal.objects.filter(case=c).exists() for c in cases)
    pk = User.objects.get(username="demo.bapas")
    load = selectors.caseload(actor=pk)
    assert load and any(status.open_items for status in load)
    assert any(status.missed_reports for status in selectors.caseload(actor=pk))
    mentor = User.objects.get(username="demo.fasilitator")
    assert cases.filter(mentor=mentor).count() == 2
    assert Reoffence.objects.filter(source="registry").exists()
    assert (
        FollowUp.objects.filter(contacted=False).exists() and Visit.objects.exists() and Aid.objects.exists()
    )
    assert IndexScore.objects.filter(score__isnull=False).exists()
    assert MinimumWage.objects.filter(is_demo=True, regency_id="16.71").exists()
    counts = [m.objects.count() for m in (AftercareCase, Goal, Visit, Aid, FollowUp, IndexScore, Reoffence)]
    seed(actor=User.objects.get(username="demo.admin"))
    assert [
        m.objects.count() for m in (AftercareCase, Goal, Visit, Aid, FollowUp, IndexScore, Reoffence)
    ] == counts
    client = Client()
    client.force_login(pk)
    assert client.get("/pembimbingan/klien-saya/").status_code == 200
    case = load[0].case
    assert client.get(f"/pembimbingan/{case.pk}/").status_code == 200
    client.force_login(User.objects.get(username="demo.tjsl"))
    for case in cases.filter(enrollment__isnull=False)[:3]:
        response = client.get(f"/pembimbingan/{case.pk}/")
        assert response.status_code in (200, 404)
        assert "Catatan kunjungan contoh" not in response.content.decode()
