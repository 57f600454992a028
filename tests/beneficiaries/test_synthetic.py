"""Synthetic registry files (beneficiaries.synthetic): valid for the importer, deterministic, labelled."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from sinergi.beneficiaries import importing
from sinergi.beneficiaries.models import CustodyEpisode, Person
from sinergi.beneficiaries.services import wbp_import
from sinergi.beneficiaries.synthetic import COLUMNS, write_registry_file
from tests.conftest import SMALL_REGIONS

pytestmark = pytest.mark.django_db


def test_a_synthetic_file_imports_with_no_error_and_no_warning(tmp_path: Path) -> None:
    path = write_registry_file(tmp_path / "sintetis.csv", 400, seed=3, provinces=SMALL_REGIONS)
    summary = wbp_import(actor=None, path=path, source="sintetis.csv (data sintetis)", synthetic=True)
    assert summary.errors == []
    assert summary.warnings == []
    assert summary.written
    assert (summary.rows, summary.created, summary.invalid) == (400, 400, 0)
    assert CustodyEpisode.objects.filter(registration_number__startswith="SINTETIS-3-").count() == 400
    # Every person is distinct: NIKs never repeat and no row was matched to another's person.
    assert Person.objects.count() == 400
    statuses = set(CustodyEpisode.objects.values_list("status", flat=True))
    assert {"tahanan", "narapidana", "bebas"} <= statuses


def test_the_file_has_the_import_columns_and_is_the_same_for_the_same_seed(tmp_path: Path) -> None:
    first = write_registry_file(tmp_path / "a.csv", 200, seed=5, provinces=SMALL_REGIONS)
    again = write_registry_file(tmp_path / "b.csv", 200, seed=5, provinces=SMALL_REGIONS)
    other = write_registry_file(tmp_path / "c.csv", 200, seed=6, provinces=SMALL_REGIONS)
    assert first.read_bytes() == again.read_bytes()
    assert first.read_bytes() != other.read_bytes()
    with first.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle, delimiter=";"))
    assert tuple(rows[0]) == COLUMNS
    assert set(importing.REQUIRED_COLUMNS) <= set(COLUMNS)
    assert len(rows) == 200
    assert all(r["no_registrasi"].startswith("SINTETIS-5-") for r in rows)
    niks = [r["nik"] for r in rows if r["nik"]]
    assert len(niks) == len(set(niks)) and len(niks) > 100


def test_units_are_the_ones_given(tmp_path: Path) -> None:
    path = write_registry_file(tmp_path / "u.csv", 50, units=[("LPKA-PLG", "lpka")], provinces=SMALL_REGIONS)
    with path.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle, delimiter=";"))
    assert {r["upt"] for r in rows} == {"LPKA-PLG"}
    assert {r["status"] for r in rows} <= {"tahanan", "anak binaan", "bebas"}
    summary = wbp_import(actor=None, path=path)
    assert (summary.errors, summary.warnings, summary.created) == ([], [], 50)
