"""Program pages, API and the screen command: scope (facilitators see only their cohorts), forms, output."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client

from sinergi.accounts.choices import Role
from sinergi.accounts.services import token_create
from sinergi.programs import services
from sinergi.programs.choices import Stage
from sinergi.programs.models import Attendance, ScreeningRun
from tests.people import shares_with_company
from tests.programs.conftest import TODAY, approved_results, complete, make_cohort


def _api(client: Client, user, method: str, url: str, **kwargs):
    headers = {"Authorization": f"Bearer {token_create(actor=None, user=user)}"}
    return getattr(client, method)(url, headers=headers, **kwargs)


@pytest.fixture
def cohorts(setting, world) -> dict[str, Any]:
    mine = make_cohort(setting, facilitators=[world.users[Role.FACILITATOR]])
    theirs = make_cohort(setting, facilitators=[world.others[Role.FACILITATOR]])
    return {"mine": mine, "theirs": theirs}


def test_a_facilitator_sees_only_the_cohorts_assigned_to_it(client: Client, world, cohorts) -> None:
    facilitator = world.users[Role.FACILITATOR]
    client.force_login(facilitator)
    assert client.get(f"/program/angkatan/{cohorts['mine'].pk}/").status_code == 200
    assert client.get(f"/program/angkatan/{cohorts['theirs'].pk}/").status_code == 404
    body = _api(client, facilitator, "get", "/api/v1/cohorts").json()
    assert [c["id"] for c in body] == [cohorts["mine"].pk]


def test_the_screen_command_prints_the_agreed_json(setting, tmp_path: Path, capsys) -> None:
    rule = tmp_path / "rule.json"
    rule.write_text(
        json.dumps(
            {
                "districts": ["16.71.14", "16.07.01"],
                "statuses": ["narapidana"],
                "sexes": ["L", "P"],
                "age": [18, 60],
                "release_within_days": [0, 730],
                "exclude_offences": [],
                "requires_consent": False,
            }
        )
    )
    call_command("screen", "--rule", str(rule), "--as-of", "2021-06-01", "--format", "json")
    out = json.loads(capsys.readouterr().out)
    assert set(out) == {"as_of", "evaluated", "eligible", "ineligible"}
    assert out["as_of"] == "2021-06-01" and out["evaluated"] == 5
    assert {"no_registrasi": "P-0", "upt": setting["unit"].code} in out["eligible"]
    outsider = next(i for i in out["ineligible"] if i["no_registrasi"] == "P-OUT")
    assert outsider["reasons"] == ["domisili (Kec. Ilir Barat Dua) di luar wilayah ring I"]
    assert not ScreeningRun.objects.exists()


def test_a_bad_rule_file_is_a_usage_error(db, tmp_path: Path) -> None:
    from django.core.management.base import CommandError

    rule = tmp_path / "rule.json"
    rule.write_text(json.dumps({"districts": ["16.71.14"]}))
    with pytest.raises(CommandError) as excinfo:
        call_command("screen", "--rule", str(rule), "--as-of", "2021-06-01")
    assert excinfo.value.returncode == 2 and "statuses" in str(excinfo.value)


def test_an_officer_screens_and_approves_through_the_pages(client: Client, world, setting) -> None:
    officer = world.users[Role.UNIT_OFFICER]
    client.force_login(officer)
    response = client.post(f"/program/{setting['program'].pk}/saring/", {"as_of": "2022-03-01"})
    run = ScreeningRun.objects.get()
    assert response.url == f"/program/penyaringan/{run.pk}/"
    html = client.get(response.url).content.decode()
    assert "domisili (Kec. Ilir Barat Dua)" in html
    ids = list(run.results.filter(eligible=True).values_list("pk", flat=True))
    client.post(
        f"/program/penyaringan/{run.pk}/setujui/",
        {"result": ids, "decided_on": "2022-03-02", "reference": "TPP/1"},
    )
    assert run.results.filter(approval__isnull=False).count() == len(ids)


def test_a_csr_officer_sees_programs_but_not_screening_reasons(client: Client, world, setting) -> None:
    run = services.screening_run_create(actor=None, program=setting["program"], as_of=TODAY)
    client.force_login(world.users[Role.CSR_OFFICER])
    assert client.get(f"/program/{setting['program'].pk}/").status_code == 200
    assert client.get(f"/program/penyaringan/{run.pk}/").status_code == 403


def test_attendance_is_saved_one_tap_at_a_time_from_the_phone_page(client: Client, world, setting) -> None:
    cohort = make_cohort(setting, facilitators=[world.users[Role.FACILITATOR]])
    result = approved_results(setting)[0]
    enrollment = services.enroll(actor=None, cohort=cohort, result=result)
    session = services.sessions_generate(
        actor=None,
        cohort=cohort,
        weekdays=[0],
        start_time=dt.time(9),
        end_time=dt.time(10),
        from_date=cohort.start_date,
        to_date=cohort.start_date + dt.timedelta(days=6),
    )[0]
    client.force_login(world.users[Role.FACILITATOR])
    page = client.get(f"/program/sesi/{session.pk}/presensi/").content.decode()
    assert f'name="mark-{enrollment.pk}"' in page and 'hx-post="/program/sesi/' in page
    response = client.post(
        f"/program/sesi/{session.pk}/presensi/",
        {f"mark-{enrollment.pk}": "late", f"version-{enrollment.pk}": "0"},
        headers={"HX-Request": "true"},
    )
    assert 'data-testid="attendance-saved"' in response.content.decode()
    assert Attendance.objects.get().mark == "late"
    client.force_login(world.others[Role.FACILITATOR])
    assert client.get(f"/program/sesi/{session.pk}/presensi/").status_code == 404


def test_the_api_saves_attendance_in_bulk_and_reports_conflicts(client: Client, world, setting) -> None:
    cohort = make_cohort(setting, facilitators=[world.users[Role.FACILITATOR]])
    enrollments = [
        services.enroll(actor=None, cohort=cohort, result=r) for r in approved_results(setting)[:2]
    ]
    session = services.sessions_generate(
        actor=None,
        cohort=cohort,
        weekdays=[0],
        start_time=dt.time(9),
        end_time=dt.time(10),
        from_date=cohort.start_date,
        to_date=cohort.start_date + dt.timedelta(days=6),
    )[0]
    facilitator = world.users[Role.FACILITATOR]
    payload = {"marks": [{"enrollment_id": e.pk, "mark": "present"} for e in enrollments]}
    ok = _api(
        client,
        facilitator,
        "post",
        f"/api/v1/sessions/{session.pk}/attendance",
        data=payload,
        content_type="application/json",
    )
    assert ok.status_code == 200 and len(ok.json()["saved"]) == 2
    clash = {"marks": [{"enrollment_id": enrollments[0].pk, "mark": "unexcused", "version": 0}]}
    body = _api(
        client,
        facilitator,
        "post",
        f"/api/v1/sessions/{session.pk}/attendance",
        data=clash,
        content_type="application/json",
    ).json()
    assert body["conflicts"][0]["theirs"] == "present"
    stranger = {"marks": [{"enrollment_id": 999999, "mark": "present"}]}
    refused = _api(
        client,
        facilitator,
        "post",
        f"/api/v1/sessions/{session.pk}/attendance",
        data=stranger,
        content_type="application/json",
    )
    assert refused.status_code == 400 and refused.json()["code"] == "invalid"


def test_enrolment_stage_is_shown_and_moves_from_the_cohort_page(client: Client, world, setting) -> None:
    cohort = make_cohort(setting)
    enrollment = services.enroll(actor=None, cohort=cohort, result=approved_results(setting)[0])
    client.force_login(world.users[Role.UNIT_OFFICER])
    client.post(f"/program/peserta/{enrollment.pk}/tahap/", {"to": "active"})
    enrollment.refresh_from_db()
    assert enrollment.stage == Stage.ACTIVE


def test_the_cohort_page_lists_releases_due_with_their_date(client: Client, world, setting) -> None:
    from django.utils import timezone

    from sinergi.core.templatetags.sinergi import tanggal

    cohort = make_cohort(setting)
    enrollment = services.enroll(actor=None, cohort=cohort, result=approved_results(setting)[0])
    due = timezone.localdate() + dt.timedelta(days=20)
    type(enrollment.episode).objects.filter(pk=enrollment.episode_id).update(expiry_date=due)
    client.force_login(world.users[Role.UNIT_OFFICER])
    html = client.get(f"/program/angkatan/{cohort.pk}/").content.decode()
    assert f"{enrollment.person.full_name} ({tanggal(due)})" in html


def test_the_agreement_page_lists_its_programs_on_the_timeline(client: Client, world, setting) -> None:
    client.force_login(world.users[Role.KANWIL_OFFICER])
    html = client.get(f"/kerja-sama/{setting['mou'].pk}/").content.decode()
    assert "Program Uji" in html and 'data-testid="add-program"' in html


def test_a_unit_officer_sees_only_cohorts_and_screening_results_of_its_own_unit(
    client: Client, world, setting
) -> None:
    from tests.beneficiaries.conftest import register

    register(None, setting["other_unit"], "Orang Unit Lain", "OTHER-1")
    other_cohort = services.cohort_create(
        actor=None,
        program=setting["program"],
        data={
            "unit": setting["other_unit"],
            "name": "Angkatan lain",
            "start_date": dt.date(2022, 3, 7),
            "end_date": dt.date(2022, 6, 30),
            "capacity": 5,
        },
    )
    run = services.screening_run_create(actor=None, program=setting["program"], as_of=TODAY)
    client.force_login(world.users[Role.UNIT_OFFICER])
    assert client.get(f"/program/angkatan/{other_cohort.pk}/").status_code == 404
    html = client.get(f"/program/penyaringan/{run.pk}/").content.decode()
    assert "Peserta 0" in html and "Orang Unit Lain" not in html


def test_a_cohort_is_edited_and_a_larger_capacity_moves_people_up(client: Client, world, setting) -> None:
    cohort = make_cohort(setting, capacity=1)
    results = [r for r in approved_results(setting) if r.full_name != "Peserta 3"]
    first, second = (services.enroll(actor=None, cohort=cohort, result=r) for r in results[:2])
    assert second.stage == Stage.WAITLISTED
    # The Kanwil officer of the unit's region edits cohorts (unit officers do not: see test_scope.py).
    client.force_login(world.users[Role.KANWIL_OFFICER])
    form = {
        "name": "Angkatan Uji",
        "start_date": "2022-03-07",
        "end_date": "2022-06-30",
        "capacity": "2",
        "version": cohort.version,
    }
    assert client.post(f"/program/angkatan/{cohort.pk}/ubah/", form).status_code == 302
    second.refresh_from_db()
    assert second.stage == Stage.ENROLLED
    response = client.post(f"/program/angkatan/{cohort.pk}/ubah/", form | {"capacity": "1", "version": 99})
    assert response.status_code == 200


def test_program_edits_keep_the_curriculum_in_step(client: Client, world, setting) -> None:
    program = setting["program"]
    client.force_login(world.users[Role.KANWIL_OFFICER])
    form = {
        "name": "Program Uji",
        "program_type": "kemandirian",
        "pillar": "ekonomi",
        "sdg_targets": "8",
        "kpi_participants": "10",
        "kpi_completion_rate": "80",
        "kpi_certification_rate": "50",
        "start_date": "2021-07-01",
        "end_date": "2023-06-01",
        "modules": "Dasar; 10\nLanjutan; 20",
        "version": program.version,
        "rule_districts": ["16.71.14"],
        "rule_statuses": ["narapidana"],
        "rule_sexes": ["L", "P"],
        "rule_age_min": "18",
        "rule_age_max": "60",
        "rule_exclude_offences": "Narkotika",
    }
    assert client.post(f"/program/{program.pk}/ubah/", form).status_code == 302
    assert list(program.modules.values_list("title", "hours")) == [("Dasar", 10), ("Lanjutan", 20)]
    program.refresh_from_db()
    assert program.rule["districts"] == ["16.71.14"] and program.rule["age"] == [18, 60]
    assert program.rule["exclude_offences"] == ["Narkotika"]
    html = client.get(f"/program/{program.pk}/").content.decode()
    assert 'data-testid="rule"' in html and "Kec. Plaju" in html


def test_every_rule_error_shows_at_once_under_its_own_field_in_plain_words(
    client: Client, world, setting
) -> None:
    program = setting["program"]
    officer = world.users[Role.KANWIL_OFFICER]
    officer.language = "en"
    officer.save(update_fields=["language"])
    client.force_login(officer)
    form = {
        "name": "Program Uji",
        "program_type": "kemandirian",
        "pillar": "ekonomi",
        "kpi_participants": "10",
        "kpi_completion_rate": "80",
        "kpi_certification_rate": "50",
        "start_date": "2021-07-01",
        "end_date": "2023-06-01",
        "version": program.version,
        "rule_sexes": ["L", "P"],
        "rule_age_min": "70",
        "rule_age_max": "60",
        "rule_release_min": "800",
        "rule_release_max": "730",
    }
    bad = client.post(f"/program/{program.pk}/ubah/", form)
    assert bad.status_code == 200
    errors = bad.context["form"].errors
    assert set(errors) == {"rule_districts", "rule_statuses", "rule_age_max", "rule_release_max"}
    assert errors["rule_age_max"] == ["The oldest age (60) is below the youngest age (70)."]
    assert errors["rule_release_max"] == [
        "The most days left to release (730) are fewer than the fewest days left to release (800)."
    ]
    html = bad.content.decode()
    assert 'data-testid="form-error-summary"' in html
    for key in ('"age"', '"release_within_days"', '"districts"', '"statuses"', "Rule: &quot;"):
        assert key not in html


def test_the_bapas_sees_people_handed_over_to_it_and_its_aftercare_cases(
    client: Client, world, setting
) -> None:
    from sinergi.accounts.models import Organisation
    from sinergi.notifications.models import Notification
    from tests.factories import UserFactory

    bapas = Organisation.objects.get(code="BAPAS-PLG")
    officer = UserFactory(role=Role.BAPAS_OFFICER, organisation=bapas)
    csr = world.users[Role.CSR_OFFICER]
    cohort = make_cohort(setting)
    enrollment = services.enroll(actor=None, cohort=cohort, result=approved_results(setting)[0])
    # The company hears of a release only from a participant who agreed to share with it.
    shares_with_company(enrollment.person)
    services.participant_release(
        actor=None,
        enrollment=enrollment,
        kind="bebas",
        on=dt.date(2022, 5, 1),
        version=enrollment.episode.version,
    )
    from sinergi.events.services import events_dispatch

    events_dispatch()
    client.force_login(officer)
    assert enrollment.person.full_name in client.get("/pembimbingan/").content.decode()
    note = Notification.objects.get(recipient=officer)
    assert client.get(note.link).status_code == 200
    client.force_login(csr)
    csr_note = Notification.objects.get(recipient=csr)
    assert client.get(csr_note.link).status_code == 200


def test_a_certificate_scan_download_is_scoped_and_audited(client: Client, world, setting) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from sinergi.audit.models import AuditEvent

    cohort = make_cohort(setting, facilitators=[world.users[Role.FACILITATOR]])
    enrollment = services.enroll(actor=None, cohort=cohort, result=approved_results(setting)[0])
    complete(enrollment)
    certificate = services.certificate_record(
        actor=None,
        enrollment=enrollment,
        upload=SimpleUploadedFile("s.pdf", b"%PDF-1.4\n%%EOF\n"),
        data={"issuer": "LSP", "number": "X1", "competency": "Las", "issued_on": dt.date(2022, 7, 1)},
    )
    client.force_login(world.users[Role.FACILITATOR])
    assert client.get(f"/program/sertifikat/{certificate.pk}/unduh/").status_code == 200
    assert AuditEvent.objects.filter(action="certificate.download").exists()
    client.force_login(world.others[Role.FACILITATOR])
    assert client.get(f"/program/sertifikat/{certificate.pk}/unduh/").status_code == 404
