"""`sinergi sroi FILE.json`: good files print the four numbers; bad files exit non-zero with one line."""

from __future__ import annotations

import json
from decimal import Decimal as D
from pathlib import Path

import pytest
from django.utils import translation

from sinergi.cli import main
from sinergi.impact import domain

GOOD = {
    "discount_rate": 0.035,
    "inputs": 150000000,
    "outcomes": [
        {
            "name": "Bekerja",
            "quantity": 10,
            "proxy": 24000000,
            "duration": 3,
            "deadweight": 0.25,
            "displacement": 0.0,
            "attribution": 0.25,
            "drop_off": 0.5,
        }
    ],
}


def run(capsys, *args: str) -> tuple[int, str, str]:
    code = 0
    try:
        main(["sinergi", "sroi", *args])
    except SystemExit as exit_:
        code = int(exit_.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


def write(tmp_path: Path, content: str | dict, name: str = "peta.json") -> str:
    path = tmp_path / name
    path.write_text(content if isinstance(content, str) else json.dumps(content), encoding="utf-8")
    return str(path)


def test_a_good_file_prints_the_four_numbers_as_json(tmp_path, capsys) -> None:
    code, out, err = run(capsys, write(tmp_path, GOOD), "--format", "json")
    assert code == 0 and err == ""
    data = json.loads(out, parse_float=D)
    assert set(data) == {"present_value", "net_present_value", "ratio", "net_ratio"}
    assert all(isinstance(v, D) for v in data.values())  # numbers, not strings
    pv = D(135_000_000) / D("1.035") + D(67_500_000) / D("1.035") ** 2 + D(33_750_000) / D("1.035") ** 3
    assert data["present_value"] == pv.quantize(D("0.01"))
    assert data["ratio"] == (pv / 150_000_000).quantize(D("0.0001"))
    assert data["net_ratio"] == ((pv - 150_000_000) / 150_000_000).quantize(D("0.0001"))


def test_a_good_file_with_a_bom_prints_text_in_indonesian(tmp_path, capsys) -> None:
    path = tmp_path / "bom.json"
    path.write_text(json.dumps(GOOD), encoding="utf-8-sig")
    with translation.override("id"):
        code, out, _err = run(capsys, str(path))
    assert code == 0
    assert "Rp 223.887.321" in out
    assert "1,49 : 1" in out


def _one_line(err: str) -> str:
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, err
    assert "Traceback" not in err
    return lines[0]


@pytest.mark.parametrize(
    ("change", "needle"),
    [
        (lambda d: d["outcomes"][0].update(deadweight=1.25), ("Bekerja", "deadweight")),
        (lambda d: d["outcomes"][0].update(attribution=-0.5), ("Bekerja", "attribution")),
        (lambda d: d["outcomes"][0].update(duration=0), ("Bekerja", "duration")),
        (lambda d: d.update(inputs=0), ("inputs",)),
        (lambda d: d.update(inputs=-1), ("inputs",)),
        (lambda d: d["outcomes"][0].pop("drop_off"), ("Bekerja", "drop_off")),
        (lambda d: d.pop("discount_rate"), ("discount_rate",)),
        (lambda d: d["outcomes"][0].update(proxy="dua juta"), ("Bekerja", "proxy")),
    ],
)
def test_a_bad_value_map_exits_1_with_one_line_naming_outcome_and_field(tmp_path, capsys, change, needle):
    data = json.loads(json.dumps(GOOD))
    change(data)
    code, out, err = run(capsys, write(tmp_path, data), "--format", "json")
    assert code == 1 and out == ""
    line = _one_line(err)
    for word in needle:
        assert word in line


def test_the_message_is_the_domain_message(tmp_path, capsys) -> None:
    data = json.loads(json.dumps(GOOD))
    data["outcomes"][0]["deadweight"] = 1.25
    with translation.override("id"):
        _code, _out, err = run(capsys, write(tmp_path, data))
        expected = str(
            domain.Problem("Bekerja", "deadweight", str(domain.FRACTION_RANGE % {"value": "1.25"}))
        )
    assert expected in err


def test_broken_json_exits_2_with_the_line(tmp_path, capsys) -> None:
    code, out, err = run(capsys, write(tmp_path, '{"inputs": 1,\n "outcomes": [}'))
    assert code == 2 and out == ""
    assert "2" in _one_line(err)


def test_a_missing_file_exits_2(tmp_path, capsys) -> None:
    code, _out, err = run(capsys, str(tmp_path / "tidak-ada.json"))
    assert code == 2
    assert "tidak-ada.json" in _one_line(err)


def test_not_an_object_exits_1(tmp_path, capsys) -> None:
    code, _out, err = run(capsys, write(tmp_path, "[1, 2]"))
    assert code == 1
    _one_line(err)
