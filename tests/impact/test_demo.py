"""The impact demo: budgets with realisation (one line past 90%), in-kind from the Kanwil, an IKM survey,
SDG targets and the MoU's value map with a frozen snapshot; every impact page opens for every demo role."""

from __future__ import annotations

from django.test import Client
from django.utils import timezone

from sinergi.accounts.models import User
from sinergi.impact import selectors
from sinergi.impact.demo import seed
from sinergi.impact.models import (
    BudgetAlert,
    InKindContribution,
    ProgramSdgTarget,
    SatisfactionSurvey,
    ValueMap,
    ValueMapSnapshot,
)
from sinergi.programs.models import Program
from sinergi.site.demo import demo_seed


def test_the_demo_has_finance_in_kind_survey_sdg_and_a_frozen_value_map(db) -> None:
    demo_seed()
    programs = Program.objects.filter(is_synthetic=True)
    assert programs.exists()
    near = [
        row
        for program in programs
        for row in selectors.budget_realisation(program=program)
        if row.percent is not None and 90 <= row.percent < 100
    ]
    assert near, "one line should be just past 90%"
    assert BudgetAlert.objects.filter(threshold=90).exists()
    assert InKindContribution.objects.filter(contributor__code="KANWIL-16", is_synthetic=True).exists()
    survey = SatisfactionSurvey.objects.get(is_synthetic=True)
    assert survey.responses.count() == 24
    assert ProgramSdgTarget.objects.filter(target="8.5").exists()
    value_map = ValueMap.objects.get(is_synthetic=True)
    assert value_map.agreement is not None and "contoh" in value_map.title
    assert value_map.outcomes.count() == 3
    snapshot = ValueMapSnapshot.objects.get(value_map=value_map)
    assert "contoh" in snapshot.label and snapshot.results["ratio"]
    # Live-bound outcomes, the deadweight from the comparison group, and a recidivism figure with one.
    assert set(value_map.outcomes.values_list("binding", flat=True)) == {
        "in_work_6m",
        "certified",
        "no_reoffence_24m",
    }
    from sinergi.programs.models import Enrollment

    assert Enrollment.objects.filter(cohort__program__in=programs).exists(), (
        "the programs demo enrolled nobody: no participants to release (impact's demo needs them)"
    )
    reoffence = value_map.outcomes.get(binding="no_reoffence_24m")
    assert reoffence.deadweight_source.startswith("Kelompok pembanding")
    result = selectors.recidivism(
        programs=selectors.programs_of_agreement(value_map.agreement), months=24, as_of=timezone.localdate()
    )
    assert result.participants.n >= 5 and result.comparison.comparison_n >= 5, result
    assert result.participants.reoffended > 0 and result.comparison.reoffended > 0
    counts = (ValueMap.objects.count(), ValueMapSnapshot.objects.count(), InKindContribution.objects.count())
    admin = User.objects.get(username="demo.admin")
    seed(actor=admin)  # idempotent
    assert (
        ValueMap.objects.count(),
        ValueMapSnapshot.objects.count(),
        InKindContribution.objects.count(),
    ) == counts
    # Every impact page opens for every demo role, or is refused; never an error.
    urls = [
        "/dampak/",
        "/dampak/sdg/",
        "/dampak/peta-nilai/",
        f"/dampak/peta-nilai/{value_map.pk}/",
        f"/dampak/potret/{snapshot.pk}/",
        f"/dampak/ikm/{survey.pk}/",
    ]
    for program in programs:
        urls += [f"/dampak/program/{program.pk}/", f"/dampak/program/{program.pk}/keuangan/"]
    for user in User.objects.filter(is_synthetic=True):
        client = Client()
        client.force_login(user)
        for url in urls:
            status = client.get(url).status_code
            assert status in (200, 403, 404), (user.username, url, status)
            if user.username in ("demo.admin", "demo.kanwil", "demo.tjsl"):
                assert status == 200, (user.username, url, status)
