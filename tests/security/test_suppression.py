"""Small cells are hidden with their complements: no shown total minus shown parts gives a hidden one."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from sinergi.core.suppression import Group, Unresolvable, masked, masked_table, suppress


def test_a_small_cell_alone_is_hidden_as_less_than_five() -> None:
    assert masked({"a": 3, "b": 0, "c": 12}) == {"a": "<5", "b": 0, "c": 12}


def test_with_a_shown_total_one_more_part_is_hidden() -> None:
    counts = {"total": 30, "a": 3, "b": 12, "c": 15}
    shown = masked(counts, [Group(parts=["a", "b", "c"], total="total")])
    assert shown["a"] == "<5" and shown["b"] == "×" and shown["c"] == 15 and shown["total"] == 30


def test_two_small_parts_that_sum_under_five_take_a_third() -> None:
    counts = {"total": 22, "a": 1, "b": 2, "c": 9, "d": 10}
    hidden = suppress(counts, [Group(parts=["a", "b", "c", "d"], total="total")])
    assert set(hidden) == {"a", "b", "c"}


def test_when_no_part_can_be_hidden_the_total_is() -> None:
    counts = {"total": 3, "a": 3, "b": 0}
    assert masked(counts, [Group(parts=["a", "b"], total="total")])["total"] == "<5"


def test_a_subtotal_hidden_for_another_group_takes_one_of_its_parts_both_ways() -> None:
    # `sub` (= a + b) is hidden in the outer group with `c`; shown a and b would add it back up.
    counts = {"total": 23, "sub": 20, "a": 12, "b": 8, "c": 3}
    groups = [Group(parts=["sub", "c"], total="total"), Group(parts=["a", "b"], total="sub")]
    # Without the flag, sub = a + b is still an equation the viewer knows: with a, b and the total shown,
    # c = 23 − (12 + 8) would come back, so the bound check hides the outer total as well.
    assert set(suppress(counts, groups)) == {"c", "sub", "total"}
    both = [groups[0], Group(parts=["a", "b"], total="sub", both_ways=True)]
    assert set(suppress(counts, both)) == {"c", "sub", "b"}


def test_cells_given_by_another_table_stay_as_given() -> None:
    """`given`: a cell given hidden starts hidden, one given shown is never chosen; another is instead."""
    counts = {"total": 40, "a": 3, "b": 6, "c": 7, "d": 24}
    groups = [Group(parts=["a", "b", "c", "d"], total="total")]
    assert set(suppress(counts, groups)) == {"a", "b"}
    assert set(suppress(counts, groups, given={"b": False})) == {"a", "c"}
    assert suppress(counts, groups, given={"d": True}) == {"a": "primary", "d": "secondary"}


def test_a_cell_that_only_a_given_one_could_protect_is_unresolvable() -> None:
    """Hiding `sub` (= `a`, shown elsewhere) protects nothing: the caller learns which cells were stuck."""
    counts = {"total": 20, "sub": 7, "x": 3, "y": 10, "a": 7}
    groups = [Group(parts=["sub", "x", "y"], total="total"), Group(parts=["a"], total="sub", both_ways=True)]
    try:
        suppress(counts, groups, given={"a": False})
    except Unresolvable as stuck:
        assert stuck.cells == {"sub": "secondary"}
    else:
        raise AssertionError("expected Unresolvable")
    assert set(suppress(counts, groups, given={"a": False, "sub": False})) == {"x", "y"}


def test_a_table_hides_across_the_column_total() -> None:
    rows = [
        {"name": "A", "completed": 10},
        {"name": "B", "completed": 2},
        {"name": "C", "completed": 7},
    ]
    table, totals = masked_table(rows, ["completed"])
    assert [r["completed"] for r in table] == ["×", "<5", 10] or [r["completed"] for r in table] == [
        10,
        "<5",
        "×",
    ]
    assert totals["completed"] == 19


def _recoverable(counts: dict, hidden: set, total: str, parts: list[str]) -> bool:
    """True when a hidden part is fixed by the shown total and the shown parts (the only hidden one)."""
    if total in hidden:
        return False
    secret = [p for p in parts if p in hidden]
    return len(secret) == 1


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(min_value=0, max_value=40), min_size=1, max_size=8))
def test_no_hidden_part_is_ever_fixed_by_a_shown_total(values: list[int]) -> None:
    parts = [f"p{i}" for i in range(len(values))]
    counts = dict(zip(parts, values, strict=True)) | {"total": sum(values)}
    hidden = set(suppress(counts, [Group(parts=parts, total="total")]))
    assert not _recoverable(counts, hidden, "total", parts)
    secret = [p for p in parts if p in hidden]
    if secret and "total" not in hidden:
        # What the viewer can work out is only the sum of the hidden parts, and that sum is not small.
        assert sum(counts[p] for p in secret) >= 5 or all(counts[p] == 0 for p in secret)
    for part in parts:
        if 0 < counts[part] < 5:
            assert part in hidden


def test_the_monitors_program_table_has_a_total_row_and_hides_complements(db) -> None:
    from sinergi.programs.selectors import program_figures

    assert program_figures() == [] or program_figures()[-1]["is_total"]


def test_the_monitor_dashboard_renders_with_complement_suppression(world) -> None:
    from django.test import Client

    from sinergi.accounts.choices import Role

    client = Client()
    client.force_login(world.users[Role.MONITOR])
    assert client.get("/").status_code == 200


def test_a_breakdown_beside_its_total_hides_the_complement(world, monkeypatch) -> None:
    from django.test import Client

    from sinergi.accounts.choices import Role
    from sinergi.reports import selectors

    monkeypatch.setattr(
        selectors,
        "reached",
        lambda scope: {
            "total": [("", "Orang terjangkau", 15)],
            "district": [],
            "unit": [],
            "sex": [("L", "Laki-laki", 12), ("P", "Perempuan", 3)],
            "age": [],
        },
    )
    client = Client()
    client.force_login(world.users[Role.MONITOR])
    response = client.get("/")
    assert response.status_code == 200
    sexes = {f.label: f.value for f in response.context["reached"]["sex"]}
    assert sexes == {"Laki-laki": "×", "Perempuan": "<5"}
    assert response.context["reached_total"].value == 15


def test_breakdowns_of_one_total_hide_complements_in_each() -> None:
    from sinergi.core.suppression import masked_breakdowns

    shown = masked_breakdowns(
        15,
        {
            "sex": [("L", "Laki-laki", 12), ("P", "Perempuan", 3)],
            "age": [("18-25", "18–25", 7), ("26-35", "26–35", 8)],
        },
    )
    assert shown["sex"] == [("L", "Laki-laki", "×"), ("P", "Perempuan", "<5")]
    assert shown["age"] == [("18-25", "18–25", 7), ("26-35", "26–35", 8)]


def test_the_joint_report_masks_breakdowns_for_a_monitor(world, monkeypatch) -> None:
    import datetime as dt
    from types import SimpleNamespace

    from sinergi.accounts.choices import Role
    from sinergi.reports import joint, selectors
    from tests.partnerships.conftest import make_agreement

    agreement = make_agreement(
        None, [world.organisation(Role.KANWIL_OFFICER, "own"), world.organisation(Role.CSR_OFFICER, "own")]
    )
    monkeypatch.setattr(
        selectors,
        "funnel",
        lambda scope: [SimpleNamespace(key="enrolled", label="Terdaftar", count=15, listable=False)],
    )
    monkeypatch.setattr(
        selectors,
        "reached",
        lambda scope: {
            "total": [("", "Orang terjangkau", 15)],
            "district": [],
            "unit": [],
            "sex": [("L", "Laki-laki", 12), ("P", "Perempuan", 3)],
            "age": [],
        },
    )
    content = joint.build(
        actor=world.users[Role.MONITOR],
        agreement=agreement,
        program=None,
        start=dt.date(2021, 6, 9),
        end=dt.date(2022, 6, 8),
        language="id",
    )
    rows = [row for section in content.sections for table in section.tables for row in table.rows]
    sexes = [row for row in rows if row and row[0] in ("Laki-laki", "Perempuan")]
    assert sexes == [["Laki-laki", "×"], ["Perempuan", "<5"]]
