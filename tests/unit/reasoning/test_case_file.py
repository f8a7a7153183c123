"""``CaseFile`` (what ``taut suggest --cases`` reads) gives the cases ``read_case_file`` gives, checks the whole
file before giving any, and says exactly what ``read_case_file`` says about a bad file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from tests.conftest import SHARED_EVAL, shared_eval

from taut.reasoning import case as case_module
from taut.reasoning.case import CaseError, CaseFile, read_case_file

GOOD = {"id": "A", "pain": [{"region": "temple", "side": "right", "intensity": 6}], "symptoms": ["headache"]}
OTHER = {"id": "B", "pain": [{"region": "calf", "side": "left"}]}


@pytest.mark.parametrize("keep", [20_000, 1], ids=["kept", "read twice"])
def test_the_same_cases_as_read_case_file(keep: int, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(case_module, "KEEP", keep)
    shared_eval("dev-cases.json")
    path = SHARED_EVAL / "dev-cases.json"
    cases = CaseFile(path)
    assert len(cases) == len(read_case_file(path))
    assert list(cases) == read_case_file(path)
    assert list(cases) == list(cases)  # given out again, the same


@pytest.mark.parametrize(
    "text",
    [
        json.dumps({"format": "taut-cases/1", "cases": [GOOD, OTHER]}, indent=2),
        json.dumps({"cases": [GOOD, OTHER], "format": "taut-cases/1", "note": {"x": [1, 2]}}),
        '\n { "cases" : [ ' + json.dumps(GOOD) + " ,\n" + json.dumps(OTHER) + " ] } \n",
        json.dumps({"cases": []}),
        json.dumps({"format": None, "cases": [GOOD]}),
    ],
)
def test_any_layout_of_a_good_file(text: str, tmp_path: Path) -> None:
    f = tmp_path / "c.json"
    f.write_text(text)
    assert list(CaseFile(f)) == read_case_file(f)


@pytest.mark.parametrize(
    "text",
    [
        "{oops",
        "",
        "[]",
        '{"cases": {}}',
        '{"format": "taut-cases/2", "cases": []}',
        json.dumps({"cases": [GOOD, 7]}),
        json.dumps({"cases": [GOOD, {**OTHER, "pain": []}]}),
        json.dumps(
            {"cases": [GOOD, GOOD, {**OTHER, "pain": "x"}]}
        ),  # a bad case is named before a repeated id
        json.dumps({"cases": [GOOD, OTHER, GOOD]}),
        json.dumps({"cases": [GOOD]}) + " trailing",
        '{"cases": [' + json.dumps(GOOD) + " " + json.dumps(OTHER) + "]}",
        '{"cases": [], "cases": [' + json.dumps(GOOD) + "]}",
        "\ufeff" + json.dumps({"cases": [GOOD]}),
    ],
)
def test_a_bad_file_is_refused_with_read_case_files_words(text: str, tmp_path: Path) -> None:
    f = tmp_path / "c.json"
    f.write_text(text, encoding="utf-8")
    try:
        expected: object = read_case_file(f)
    except CaseError as e:
        expected = str(e)
    try:
        got: object = list(CaseFile(f))
    except CaseError as e:
        got = str(e)
    assert got == expected


def test_a_missing_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(CaseError, match="cannot read"):
        CaseFile(tmp_path / "nope.json")
