"""The subject-access export is complete: every table that references the person (directly or through
another such table) is found by walking the models, and each of the person's rows in it is in the export;
nobody else's rows are. A new model that reaches the person and is not exported makes this test fail."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.apps import apps
from django.db import models

from sinergi.accounts.choices import Role
from sinergi.aftercare import services as aftercare
from sinergi.audit.models import AuditEvent
from sinergi.beneficiaries.models import ImportedRow, Person
from sinergi.programs import services as programs
from sinergi.reports.subject import section_name, subject_data
from sinergi.reports.subject_jobs import subject_pdf_request
from tests.aftercare.conftest import aftercare as aftercare_fixture  # noqa: F401 (fixture)
from tests.aftercare.conftest import handover  # noqa: F401 (fixture)
from tests.authz import World

pytestmark = pytest.mark.django_db
D = dt.date


def paths_to_person(model: type[models.Model], seen: tuple[type[models.Model], ...] = ()) -> list[str]:
    """Every foreign-key path from `model` to Person ("case__person", "result__episode__person", ...)."""
    found: list[str] = []
    for f in model._meta.concrete_fields:
        target = f.related_model if f.is_relation else None
        if target is None or target is model or target in seen:
            continue
        if target is Person:
            found.append(f.name)
        else:
            found += [f"{f.name}__{rest}" for rest in paths_to_person(target, (*seen, model))]
    return found


def referencing_models() -> dict[type[models.Model], list[str]]:
    return {
        model: paths
        for model in apps.get_models()
        if model is not Person and (paths := paths_to_person(model))
    }


def _of(model: type[models.Model], paths: list[str], person: Person) -> set[Any]:
    query = models.Q()
    for path in paths:
        query |= models.Q(**{path: person})
    return set(model._default_manager.filter(query).values_list("pk", flat=True))


@pytest.fixture
def delivered_first(handover: dict[str, Any]) -> None:  # noqa: F811
    """Sessions with attendance, an assessment and a certificate for the first participant, before release."""
    enrollment = handover["enrollments"][0]
    sessions = programs.sessions_generate(
        actor=None,
        cohort=handover["cohort"],
        weekdays=[0],
        start_time=dt.time(9),
        end_time=dt.time(11),
        from_date=D(2022, 3, 7),
        to_date=D(2022, 3, 14),
    )
    for session in sessions:
        programs.attendance_record(actor=None, session=session, marks={enrollment.pk: ("present", 0)})
    programs.assessment_record(
        actor=None, enrollment=enrollment, kind="pre", score=40, assessor="Uji", on=D(2022, 3, 7)
    )
    programs.assessment_record(
        actor=None, enrollment=enrollment, kind="post", score=80, assessor="Uji", on=D(2022, 3, 14)
    )
    enrollment.refresh_from_db()
    programs.enrollment_move(actor=None, enrollment=enrollment, to="completed", on=D(2022, 3, 31))
    programs.certificate_record(
        actor=None,
        enrollment=enrollment,
        data={
            "issuer": "LPK Contoh",
            "number": "CERT-S",
            "competency": "Menjahit",
            "issued_on": D(2022, 4, 1),
        },
    )


@pytest.fixture
def everything(
    delivered_first: None,
    aftercare_fixture: dict[str, Any],  # noqa: F811
    world: World,
) -> dict[str, Any]:
    """A released participant with a row in every table about people: program delivery, the registry
    import, the aftercare plan, reports, a visit with notes, aid, a follow-up with its score, a re-offence."""
    case, pk, company = (
        aftercare_fixture["case"],
        aftercare_fixture["pk_officer"],
        aftercare_fixture["company"],
    )
    person = case.person
    ImportedRow.objects.create(episode=case.episode, row_hash="a" * 32, state_hash="b" * 32)
    aftercare.goal_add(
        actor=pk, case=case, area="work", description="Bekerja di bengkel", target_date=D(2022, 12, 1)
    )
    aftercare.report_record(actor=pk, case=case, on=D(2022, 6, 3), mode="in_person")
    aftercare.visit_record(
        actor=pk,
        case=case,
        on=D(2022, 6, 10),
        mode="in_person",
        met_with="Ibu",
        notes="Catatan kunjungan rahasia",
    )
    aftercare.aid_record(
        actor=pk, case=case, kind="tools", value=2_500_000, given_on=D(2022, 7, 1), funder=company
    )
    aftercare.followup_record(
        actor=pk,
        case=case,
        milestone=3,
        data={
            "done_on": D(2022, 8, 3),
            "contacted": True,
            "work_status": "employed",
            "employer": "Bengkel las",
            "monthly_income": 3_500_000,
            "housing": "family",
            "family_support": True,
            "health_blocks_work": False,
        },
    )
    aftercare.reoffence_record(actor=pk, case=case, kind="rearrest", on=D(2022, 9, 1), reference="LP/UJI/1")
    # An earlier subject-access PDF asked for (its job not run): the request is itself held about the person.
    subject_pdf_request(
        actor=world.users[Role.ADMIN], person=person, reason="Permintaan sebelumnya dari warga binaan"
    )
    return aftercare_fixture | {"person": person, "admin": world.users[Role.ADMIN]}


def test_the_subject_access_export_holds_every_row_of_every_table_about_the_person(
    everything: dict[str, Any],
) -> None:
    person = everything["person"]
    data = subject_data(actor=everything["admin"], person=person)
    sections = data["sections"]
    found = referencing_models()
    # The walk finds what the reviewers listed (and whatever is added later).
    labels = {m._meta.label_lower for m in found}
    assert {
        "beneficiaries.custodyepisode",
        "beneficiaries.importedrow",
        "programs.candidateapproval",
        "aftercare.goal",
        "aftercare.report",
        "aftercare.visit",
        "aftercare.aid",
        "aftercare.followup",
        "aftercare.reoffence",
        "aftercare.indexscore",
    } <= labels
    for model, paths in found.items():
        mine = _of(model, paths, person)
        # The fixture must give the person a row in every such table, or the check below proves nothing.
        assert mine, f"the fixture has no {model._meta.label} row for the person: add one"
        exported = {
            row["id" if "id" in row else model._meta.pk.attname]
            for row in sections.get(section_name(model), [])
        }
        assert mine <= exported, f"{model._meta.label} rows missing from the export: {mine - exported}"
        assert exported <= mine, f"{model._meta.label}: rows of other people in the export: {exported - mine}"
    visit = sections[section_name(apps.get_model("aftercare", "Visit"))][0]
    assert visit["notes"] == "Catatan kunjungan rahasia"
    followup = sections[section_name(apps.get_model("aftercare", "FollowUp"))][0]
    assert followup["monthly_income"] == 3_500_000


def test_the_export_holds_the_audit_events_about_the_persons_rows_unsealed(
    everything: dict[str, Any],
) -> None:
    person = everything["person"]
    data = subject_data(actor=everything["admin"], person=person)
    exported = {row["seq"]: row for row in data["sections"]["audit_events"]}
    query = models.Q(subject_type="beneficiaries.person", subject_id=str(person.pk))
    for model, paths in referencing_models().items():
        query |= models.Q(
            target_type=model._meta.label_lower, target_id__in=[str(pk) for pk in _of(model, paths, person)]
        )
    query |= models.Q(target_type="beneficiaries.person", target_id=str(person.pk))
    expected = set(AuditEvent.objects.filter(query).values_list("seq", flat=True))
    assert expected <= set(exported)
    case = everything["case"]
    episode_events = AuditEvent.objects.filter(
        models.Q(target_type="beneficiaries.custodyepisode", target_id=str(case.episode_id))
        | models.Q(target_type="programs.enrollment", target_id=str(everything["enrollments"][0].pk))
        | models.Q(target_type="aftercare.aftercarecase", target_id=str(case.pk))
    )
    assert episode_events.exists() and {e.seq for e in episode_events} <= set(exported)
    sealed = AuditEvent.objects.filter(seq__in=expected).exclude(sealed="").first()
    assert sealed is not None and sealed.target_label == ""
    assert exported[sealed.seq]["target_label"] != "" and "sealed" not in exported[sealed.seq]
