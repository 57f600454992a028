"""A cohort with active participants at the world's own unit, ready to be released and handed over."""

from __future__ import annotations

from typing import Any

import pytest

from sinergi.accounts.choices import Role
from sinergi.accounts.models import Organisation
from sinergi.programs import services
from sinergi.programs.choices import Stage
from tests.authz import World
from tests.factories import UnitFactory, UserFactory
from tests.people import shares_with_company
from tests.programs.conftest import approved_results, make_cohort, setting  # noqa: F401 (fixture)


@pytest.fixture
def handover(setting: dict[str, Any], world: World) -> dict[str, Any]:  # noqa: F811
    """Three active participants (Peserta 0-2, domicile Plaju: Bapas Kelas I Palembang serves them), the
    Bapas's PK officer, the company's TJSL officer and the unit officer who records releases."""
    results = [r for r in approved_results(setting) if r.full_name != "Peserta 3"]
    cohort = make_cohort(setting)
    enrollments = [services.enroll(actor=None, cohort=cohort, result=r) for r in results]
    for enrollment in enrollments:
        services.enrollment_move(actor=None, enrollment=enrollment, to=Stage.ACTIVE)
    bapas = Organisation.objects.get(code="BAPAS-PLG")
    return setting | {
        "cohort": cohort,
        "enrollments": enrollments,
        "bapas": bapas,
        "pk_officer": UserFactory(role=Role.BAPAS_OFFICER, organisation=bapas),
        "csr": world.users[Role.CSR_OFFICER],
        "officer": world.users[Role.UNIT_OFFICER],
    }


RELEASED_ON = __import__("datetime").date(2022, 5, 3)  # two thirds of the 2-year sentence: PB allowed


def release_and_open(handover: dict[str, Any], index: int = 0, kind: str = "pb") -> Any:
    """Release a participant (PB by default) through the registry and deliver the events: the case opens."""
    from sinergi.aftercare.models import AftercareCase
    from sinergi.beneficiaries.services import episode_release
    from sinergi.events.services import events_dispatch

    enrollment = handover["enrollments"][index]
    episode = enrollment.episode
    episode.refresh_from_db()
    reference = "TPP/PB/UJI" if kind == "pb" else ""
    episode_release(
        actor=None, episode=episode, kind=kind, on=RELEASED_ON, reference=reference, version=episode.version
    )
    events_dispatch()
    return AftercareCase.objects.select_related("person__domicile_district", "episode", "bapas").get(
        person=enrollment.person
    )


@pytest.fixture
def aftercare(handover: dict[str, Any]) -> dict[str, Any]:
    """A PB client's case (released 3 May 2022, sentence expires 1 January 2023) at Bapas Kelas I Palembang,
    assigned by the head of that Bapas to its PK officer; a Bapas officer of another Bapas; a mentor."""
    from sinergi.aftercare import services as aftercare_services

    case = release_and_open(handover)
    head = UserFactory(role=Role.BAPAS_OFFICER, organisation=handover["bapas"], full_name="Kepala Bapas Uji")
    aftercare_services.bapas_head_set(actor=None, user=head, is_head=True)
    head = type(head).objects.get(pk=head.pk)
    mentor = UserFactory(role=Role.FACILITATOR, full_name="Pendamping Uji")
    aftercare_services.case_assign(
        actor=head,
        case=case,
        pk_officer=handover["pk_officer"],
        mentor=mentor,
        mentor_shares=["visits"],
        version=case.version,
    )
    shares_with_company(case.person)
    case.refresh_from_db()
    return handover | {
        "case": case,
        "head": head,
        "mentor": mentor,
        "other_mentor": UserFactory(role=Role.FACILITATOR),
        "stranger": UserFactory(role=Role.BAPAS_OFFICER, organisation=UnitFactory(unit_kind="bapas")),
    }
