"""Impact services: role and scope refusals, finance rules, the 90%/100% notices, value maps, frozen
snapshots, import and export, IKM responses and CSV imports, SDG targets."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal as D

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from sinergi.accounts.choices import Role
from sinergi.audit.models import AuditEvent
from sinergi.core.errors import ApplicationError, ConflictError, ForbiddenError
from sinergi.impact import domain, selectors, services
from sinergi.impact.models import FrozenError, ValueMapSnapshot
from sinergi.notifications.models import Notification
from tests.impact.conftest import PDF, PNG, line, spend

OUTCOME = {
    "stakeholder": "Peserta",
    "name": "Bekerja",
    "indicator": "Bekerja 6 bulan setelah bebas",
    "quantity": 10,
    "quantity_source": "Tindak lanjut Bapas (contoh)",
    "proxy": 24_000_000,
    "proxy_source": "UMK Palembang × 12 (contoh)",
    "duration": 3,
    "deadweight": D("0.25"),
    "displacement": 0,
    "attribution": D("0.25"),
    "drop_off": D("0.5"),
}


# --- Who may write ------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.UNIT_OFFICER, Role.BAPAS_OFFICER, Role.FACILITATOR, Role.MONITOR])
def test_roles_outside_finance_are_refused_by_the_service(world, impact, role) -> None:
    with pytest.raises(ForbiddenError):
        services.budget_line_create(
            actor=world.users[role],
            program=impact["program"],
            data={"year": 2022, "category": "training", "amount": 1, "funder": impact["company"]},
        )


@pytest.mark.parametrize("role", [Role.KANWIL_OFFICER, Role.CSR_OFFICER])
def test_officers_of_other_parties_are_refused_by_the_service(world, impact, role) -> None:
    outsider = world.others[role]
    with pytest.raises(ForbiddenError):
        spend(impact, line(impact), 10, actor=outsider)
    with pytest.raises(ForbiddenError):
        services.value_map_create(actor=outsider, program=impact["program"], data={"title": "Peta"})
    with pytest.raises(ForbiddenError):
        services.program_sdg_set(actor=outsider, program=impact["program"], targets=["8.5"], expected=[])


def test_parties_officers_and_administrators_may_write_and_each_write_is_audited(world, impact) -> None:
    for role in (Role.ADMIN, Role.KANWIL_OFFICER, Role.CSR_OFFICER):
        budget = services.budget_line_create(
            actor=world.users[role],
            program=impact["program"],
            data={
                "year": 2022,
                "category": "materials",
                "amount": 5,
                "funder": impact["company"],
                "description": role,
            },
        )
        assert AuditEvent.objects.filter(action="budget_line.create", target_id=str(budget.pk)).exists()


# --- Budget lines and expenditures -----------------------------------------------------------------


def test_a_budget_line_outside_the_program_years_or_negative_is_refused(impact) -> None:
    with pytest.raises(ApplicationError) as error:
        services.budget_line_create(
            actor=None,
            program=impact["program"],
            data={"year": 2025, "category": "training", "amount": -1, "funder": impact["company"]},
        )
    assert set(error.value.detail) == {"year", "amount"}


def test_an_identical_second_line_is_refused_with_a_message(impact) -> None:
    line(impact)
    with pytest.raises(ApplicationError) as error:
        line(impact)
    assert "description" in error.value.detail


def test_an_expenditure_needs_a_line(impact) -> None:
    with pytest.raises(ApplicationError) as error:
        services.expenditure_create(
            actor=None,
            program=impact["program"],
            data={
                "budget_line": None,
                "spent_on": dt.date(2022, 1, 5),
                "amount": 10,
                "description": "x",
                "paid_by": impact["company"],
            },
        )
    assert error.value.detail["budget_line"] == str(services.LINE_REQUIRED)


def test_an_expenditure_in_a_year_the_program_does_not_run_is_refused(impact) -> None:
    budget = line(impact, year=2021)
    with pytest.raises(ApplicationError) as error:
        spend(impact, budget, 10, on=dt.date(2020, 12, 31))
    assert "2020" in error.value.detail["spent_on"]
    with pytest.raises(ApplicationError) as error:
        spend(impact, budget, 10, on=dt.date(2022, 1, 2))  # a year it runs, but not the line's
    assert "budget_line" in error.value.detail


def test_an_expenditure_of_another_program_s_line_is_refused(impact) -> None:
    from sinergi.impact.services import budget_line_create, expenditure_create

    foreign = budget_line_create(
        actor=None,
        program=impact["other_program"],
        data={"year": 2022, "category": "training", "amount": 10, "funder": impact["company"]},
    )
    with pytest.raises(ApplicationError) as error:
        expenditure_create(
            actor=None,
            program=impact["program"],
            data={
                "budget_line": foreign,
                "spent_on": dt.date(2022, 2, 1),
                "amount": 1,
                "description": "x",
                "paid_by": impact["company"],
            },
        )
    assert error.value.detail["budget_line"] == str(services.LINE_OF_OTHER_PROGRAM)


def test_money_is_whole_rupiah(impact) -> None:
    with pytest.raises(ApplicationError) as error:
        spend(impact, line(impact), "12.5")
    assert error.value.detail["amount"] == str(services.AMOUNT_POSITIVE)
    with pytest.raises(ApplicationError):
        spend(impact, line(impact, category="other"), 0)


def test_a_receipt_is_checked_by_its_content_not_its_name(impact) -> None:
    budget = line(impact)
    ok = spend(impact, budget, 10, receipt=SimpleUploadedFile("kuitansi.png", PNG))
    assert ok.receipt_content_type == "image/png" and len(ok.receipt_checksum) == 64
    assert spend(impact, budget, 10, receipt=SimpleUploadedFile("scan", PDF)).receipt_content_type == (
        "application/pdf"
    )
    with pytest.raises(ApplicationError) as error:
        spend(impact, budget, 10, receipt=SimpleUploadedFile("palsu.pdf", b"<html>bukan pdf</html>"))
    assert "palsu.pdf" in error.value.detail["receipt"]
    assert selectors.budget_realisation(program=impact["program"])[0].spent == 20  # nothing half-saved


def test_the_90_and_100_percent_notices_are_sent_once_each(world, impact) -> None:
    budget = line(impact, amount=1_000_000)
    keys = {90: f"budget-threshold:{budget.pk}:90", 100: f"budget-threshold:{budget.pk}:100"}
    recipients = {world.users[Role.KANWIL_OFFICER].pk, world.users[Role.CSR_OFFICER].pk}

    def sent(threshold: int) -> set[int]:
        return set(Notification.objects.filter(key=keys[threshold]).values_list("recipient_id", flat=True))

    spend(impact, budget, 850_000)
    assert sent(90) == set() and sent(100) == set()
    spend(impact, budget, 60_000)  # 91%
    assert sent(90) == recipients and sent(100) == set()
    spend(impact, budget, 10_000)  # 92%: nothing new
    assert Notification.objects.filter(key=keys[90]).count() == 2
    spend(impact, budget, 80_000)  # exactly 100%
    assert sent(100) == recipients
    spend(impact, budget, 500_000)  # over budget: nothing new
    assert Notification.objects.filter(key__startswith=f"budget-threshold:{budget.pk}:").count() == 4
    assert AuditEvent.objects.filter(action="budget_line.threshold", target_id=str(budget.pk)).count() == 2
    # Raising the budget and spending past 90% again does not announce it a second time.
    services.budget_line_update(actor=None, line=budget, data={"amount": 5_000_000}, version=budget.version)
    spend(impact, budget, 3_000_000)
    assert Notification.objects.filter(key__startswith=f"budget-threshold:{budget.pk}:").count() == 4


def test_a_single_expenditure_past_both_thresholds_sends_both(impact) -> None:
    budget = line(impact, amount=100)
    spend(impact, budget, 150)
    assert set(budget.alerts.values_list("threshold", flat=True)) == {90, 100}


def test_a_stale_edit_conflicts(impact) -> None:
    budget = line(impact)
    services.budget_line_update(actor=None, line=budget, data={"amount": 2}, version=1)
    with pytest.raises(ConflictError):
        services.budget_line_update(actor=None, line=budget, data={"amount": 3}, version=1)
    expenditure = spend(impact, budget, 1)
    services.expenditure_update(actor=None, expenditure=expenditure, data={"amount": 4}, version=1)
    with pytest.raises(ConflictError):
        services.expenditure_update(actor=None, expenditure=expenditure, data={"amount": 5}, version=1)


def test_in_kind_needs_a_value_and_its_basis(impact) -> None:
    data = {
        "contributor": impact["kanwil"],
        "kind": "facility",
        "description": "Ruang kelas",
        "contributed_on": dt.date(2022, 3, 1),
        "value": 0,
        "valuation_basis": " ",
    }
    with pytest.raises(ApplicationError) as error:
        services.in_kind_create(actor=None, program=impact["program"], data=data)
    assert set(error.value.detail) == {"value", "valuation_basis"}
    contribution = services.in_kind_create(
        actor=None,
        program=impact["program"],
        data=data | {"value": 6_000_000, "valuation_basis": "2 ruang × 30 hari × Rp 100.000"},
    )
    assert contribution.value == 6_000_000


def test_budget_against_realisation_per_line_and_year(impact) -> None:
    training = line(impact, amount=1_000_000, year=2022)
    materials = line(impact, amount=500_000, year=2023, category="materials")
    spend(impact, training, 890_000)
    rows = selectors.budget_realisation(program=impact["program"])
    assert [(r.line.pk, r.spent, r.percent) for r in rows] == [
        (training.pk, 890_000, D(89)),
        (materials.pk, 0, D(0)),
    ]
    assert selectors.realisation_by_year(rows) == [
        {"year": 2022, "budget": 1_000_000, "spent": 890_000, "percent": D(89)},
        {"year": 2023, "budget": 500_000, "spent": 0, "percent": D(0)},
    ]


# --- Value maps and snapshots --------------------------------------------------------------------------


def _map(impact, **data):
    value_map = services.value_map_create(
        actor=impact["tjsl"],
        program=impact["program"],
        data={
            "title": "Peta nilai uji",
            "stakeholders": ["Peserta", "Keluarga"],
            "inputs_source": "manual",
            "inputs_manual": 150_000_000,
        }
        | data,
    )
    services.outcome_add(actor=impact["tjsl"], value_map=value_map, data=OUTCOME)
    return value_map


def test_a_value_map_defaults_to_3_5_percent_and_the_program_period(impact) -> None:
    value_map = services.value_map_create(actor=None, program=impact["program"], data={"title": "Peta"})
    assert value_map.discount_rate == D("0.035")
    assert (value_map.period_start, value_map.period_end) == (dt.date(2021, 7, 1), dt.date(2023, 6, 1))


def test_value_map_numbers_follow_the_rules(impact) -> None:
    numbers = selectors.value_map_numbers(_map(impact))
    assert domain.sroi_summary(numbers.result)["ratio"] == D("1.4926")
    assert len(numbers.sensitivity) == 9


def test_inputs_from_finance_are_realisation_plus_in_kind_in_the_period(impact) -> None:
    budget = line(impact, amount=10_000_000)
    spend(impact, budget, 4_000_000, on=dt.date(2022, 5, 1))
    services.in_kind_create(
        actor=None,
        program=impact["program"],
        data={
            "contributor": impact["kanwil"],
            "kind": "staff_time",
            "description": "Instruktur",
            "contributed_on": dt.date(2022, 6, 1),
            "value": 1_000_000,
            "valuation_basis": "10 hari × Rp 100.000",
        },
    )
    value_map = _map(impact, inputs_source="finance", inputs_manual=None)
    assert selectors.value_map_inputs(value_map) == {
        "realisation": 4_000_000,
        "in_kind": 1_000_000,
        "total": 5_000_000,
        "aid": 0,
    }


@pytest.mark.parametrize(("field", "value"), [("deadweight", D("1.2")), ("drop_off", -1), ("duration", 0)])
def test_an_outcome_with_a_bad_value_is_refused_naming_the_field(impact, field, value) -> None:
    value_map = _map(impact)
    with pytest.raises(ApplicationError) as error:
        services.outcome_add(actor=None, value_map=value_map, data=OUTCOME | {field: value})
    assert list(error.value.detail) == [field]
    assert value_map.outcomes.count() == 1


def test_zero_inputs_are_refused(impact) -> None:
    with pytest.raises(ApplicationError) as error:
        services.value_map_create(
            actor=None,
            program=impact["program"],
            data={"title": "x", "inputs_source": "manual", "inputs_manual": 0},
        )
    assert "inputs_manual" in error.value.detail


def test_a_frozen_snapshot_never_changes(impact) -> None:
    value_map = _map(impact)
    snapshot = services.snapshot_freeze(actor=impact["tjsl"], value_map=value_map, label="Laporan TJSL 2022")
    frozen_text, frozen_results = snapshot.data, dict(snapshot.results)
    assert frozen_results["ratio"] == "1.4926"
    assert json.loads(frozen_text)["outcomes"][0]["quantity"] == 10
    # Editing the map afterwards leaves the snapshot as it was.
    outcome = value_map.outcomes.get()
    services.outcome_update(actor=None, outcome=outcome, data={"quantity": 20}, version=outcome.version)
    services.value_map_update(actor=None, value_map=value_map, data={"discount_rate": D("0.05")}, version=1)
    snapshot.refresh_from_db()
    assert (snapshot.data, snapshot.results) == (frozen_text, frozen_results)
    # Editing the snapshot itself is refused, by the service and by the model.
    with pytest.raises(services.SnapshotFrozenError) as error:
        services.snapshot_update(actor=impact["tjsl"], snapshot=snapshot, data={"label": "lain"})
    assert error.value.status == 409 and error.value.message == services.SNAPSHOT_FROZEN
    snapshot.label = "lain"
    with pytest.raises(FrozenError):
        snapshot.save()
    with pytest.raises(FrozenError):
        ValueMapSnapshot.objects.filter(pk=snapshot.pk).update(label="lain")
    with pytest.raises(FrozenError):
        snapshot.delete()
    assert ValueMapSnapshot.objects.get(pk=snapshot.pk).label == "Laporan TJSL 2022"


def test_export_then_import_gives_the_same_numbers(impact) -> None:
    source = _map(impact)
    exported = services.value_map_export(actor=impact["tjsl"], value_map=source)
    text = domain.to_json(exported, indent=2)
    assert domain.value_map_problems(domain.loads_value_map(text)) == []
    target = services.value_map_create(actor=None, program=impact["program"], data={"title": "Salinan"})
    services.value_map_import(actor=impact["tjsl"], value_map=target, text=text, version=target.version)
    assert target.version == 2
    assert selectors.value_map_numbers(target).result == selectors.value_map_numbers(source).result
    imported = target.outcomes.get()
    assert (imported.quantity_source, imported.indicator) == (
        OUTCOME["quantity_source"],
        OUTCOME["indicator"],
    )
    assert AuditEvent.objects.filter(action="value_map.export").count() == 1


def test_a_bad_import_changes_nothing_and_names_outcome_and_field(impact) -> None:
    value_map = _map(impact)
    bad = json.dumps(
        {
            "discount_rate": 0.035,
            "inputs": 0,
            "outcomes": [OUTCOME | {"deadweight": 2, "quantity": 1, "proxy": 1}],
        },
        default=str,
    )
    with pytest.raises(ApplicationError) as error:
        services.value_map_import(actor=None, value_map=value_map, text=bad, version=value_map.version)
    assert (
        "Bekerja" in error.value.message
        and "deadweight" in error.value.message
        and "inputs" in error.value.message
    )
    assert value_map.outcomes.get().quantity == 10
    with pytest.raises(ApplicationError):
        services.value_map_import(actor=None, value_map=value_map, text="{", version=value_map.version)


def test_an_import_over_a_stale_version_conflicts(impact) -> None:
    value_map = _map(impact)
    text = domain.to_json(services.value_map_export(actor=None, value_map=value_map))
    services.value_map_import(actor=None, value_map=value_map, text=text, version=1)
    with pytest.raises(ConflictError):
        services.value_map_import(actor=None, value_map=value_map, text=text, version=1)


def test_an_agreement_value_map_covers_its_programs(impact) -> None:
    value_map = services.value_map_create(
        actor=impact["kanwil_user"], agreement=impact["mou"], data={"title": "MoU"}
    )
    assert list(selectors.value_map_programs(value_map)) == [impact["program"]]


# --- IKM ------------------------------------------------------------------------------------------------


def _survey(impact):
    return services.survey_create(
        actor=impact["tjsl"],
        program=impact["program"],
        data={
            "title": "IKM 2022",
            "conducted_from": dt.date(2022, 11, 1),
            "conducted_to": dt.date(2022, 11, 30),
        },
    )


def test_an_answer_outside_1_to_4_is_refused(impact) -> None:
    survey = _survey(impact)
    answers = dict.fromkeys(survey.elements, 4) | {"U3": 5}
    with pytest.raises(ApplicationError) as error:
        services.response_add(actor=impact["tjsl"], survey=survey, answers=answers)
    assert "U3" in error.value.message
    assert survey.responses.count() == 0
    services.response_add(actor=impact["tjsl"], survey=survey, answers=answers | {"U3": 3}, respondent="R-01")
    assert survey.responses.get().answers["U3"] == 3


def test_a_csv_with_bom_and_semicolons_is_imported(impact) -> None:
    survey = _survey(impact)
    header = ";".join(["Responden", *survey.elements])
    rows = [";".join(["R1", *["4"] * 9]), ";".join(["R2", *["3"] * 9])]
    content = ("\ufeff" + "\n".join([header, *rows]) + "\n").encode("utf-8")
    assert (
        services.responses_import(actor=impact["tjsl"], survey=survey, content=content, name="ikm.csv") == 2
    )
    result = selectors.survey_results(actor=impact["tjsl"], survey=survey)
    assert result.suppressed  # 2 respondents: too few for a TJSL officer
    admin_view = selectors.survey_results(actor=impact["admin"], survey=survey)
    assert domain.ikm_display(admin_view.result.ikm) == D("87.50")
    assert admin_view.result.band.grade == "B"


def test_a_csv_with_a_bad_answer_is_refused_whole_naming_the_row(impact) -> None:
    survey = _survey(impact)
    content = "\n".join(
        [",".join(survey.elements), ",".join(["4"] * 9), ",".join(["4"] * 8 + ["7"])]
    ).encode()
    with pytest.raises(ApplicationError) as error:
        services.responses_import(actor=impact["tjsl"], survey=survey, content=content)
    assert str(services.ROW_PROBLEM % {"line": 3, "problems": ""}).strip() in error.value.message
    assert "U9" in error.value.message
    assert survey.responses.count() == 0


# --- SDGs -------------------------------------------------------------------------------------------------


def test_sdg_targets_are_checked_against_the_official_list_and_rolled_up(impact) -> None:
    program = impact["program"]
    with pytest.raises(ApplicationError) as error:
        services.program_sdg_set(actor=None, program=program, targets=["8.5", "8.99"], expected=[])
    assert "8.99" in error.value.message
    services.program_sdg_set(actor=None, program=program, targets=["8.5", "4.4", "16.3"], expected=[])
    with pytest.raises(ConflictError):
        services.program_sdg_set(actor=None, program=program, targets=["1.2"], expected=[])
    rollup = {row["goal"]: row for row in selectors.sdg_rollup(actor=impact["admin"])}
    assert set(rollup) == {4, 8, 16}  # goal 8 also from the program's own goal list
    assert rollup[8]["targets"] == ["8.5"] and rollup[4]["programs"] == [program]
