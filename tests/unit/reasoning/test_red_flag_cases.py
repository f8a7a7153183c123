"""Taut's own evidence: published case reports of serious disease presenting as musculoskeletal pain and of benign
pain that looks serious (tests/cases/red-flag-cases.json), scored with the contract's scorer.

The cases are written from what each report says the patient had, not to fit the rules, so a few are missed;
they are listed here by name so that any change in what the screen catches shows up."""

import importlib.util
import json
import re
from pathlib import Path

import pytest
from tests.conftest import SHARED_EVAL

from taut.reasoning.case import read_case_file
from taut.reasoning.engine import suggest

CASES = Path(__file__).resolve().parents[2] / "cases" / "red-flag-cases.json"

# Serious cases the screen does not catch, with why (see each case's note).
# (RF-45, an aneurysm felt as 3 weeks of back pain at 58, is caught since the de Boer 2010 alternative.)
KNOWN_MISSES: dict[str, str] = {}
# Benign cases the screen flags.
KNOWN_FALSE_ALARMS = {
    "RF-20": "gluteus minimus pain with numbness and weakness of both legs: bilateral_neurological",
}


@pytest.fixture(scope="module")
def answered():
    raw = json.loads(CASES.read_text(encoding="utf-8"))["cases"]
    answers = {c.id: suggest(c).to_dict() for c in read_case_file(CASES)}
    return raw, answers


def test_at_least_25_published_cases_of_both_kinds_each_citing_its_report(answered):
    raw, _ = answered
    assert len(raw) >= 25
    kinds = {c["note"].split("]")[0] + "]" for c in raw}
    assert kinds == {"[serious]", "[benign]"}
    for c in raw:
        assert c["expected"]["red_flag"] == c["note"].startswith("[serious]"), c["id"]
        assert re.search(r"\b(19|20)\d\d\b", c["note"]), f"{c['id']}: the note must cite the report (year)"


def test_every_serious_case_is_flagged_except_the_known_misses(answered):
    raw, answers = answered
    missed = {c["id"] for c in raw if c["expected"]["red_flag"] and not answers[c["id"]]["red_flags"]}
    assert missed == set(KNOWN_MISSES)


def test_no_benign_case_is_flagged_except_the_known_false_alarms(answered):
    raw, answers = answered
    alarms = {c["id"] for c in raw if not c["expected"]["red_flag"] and answers[c["id"]]["red_flags"]}
    assert alarms == set(KNOWN_FALSE_ALARMS)


def test_the_contract_scorer_on_our_cases(answered):
    raw, answers = answered
    spec = importlib.util.spec_from_file_location("contract_score", SHARED_EVAL / "score.py")
    if spec is None or spec.loader is None or not (SHARED_EVAL / "score.py").exists():
        pytest.skip("shared/eval/score.py is not present")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    m = mod.score(raw, answers, quiet=True)
    serious = sum(c["expected"]["red_flag"] for c in raw)
    benign = len(raw) - serious
    assert m["redflag_sens"] == pytest.approx((serious - len(KNOWN_MISSES)) / serious)
    assert m["redflag_spec"] == pytest.approx((benign - len(KNOWN_FALSE_ALARMS)) / benign)
    # The benign cases' muscles (those with a muscle named in the report): 0.684 measured. Several reports name a
    # muscle for a pain outside its charted zones (iliopsoas felt in the abdomen, RF-40 and RF-41; the trapezius
    # for an earache, RF-38), so this guards the ranking against getting worse, not a target.
    assert m["hit@3"] >= 0.65


def test_the_serious_cases_are_flagged_at_a_referral_level(answered):
    raw, answers = answered
    for c in raw:
        for f in answers[c["id"]]["red_flags"]:
            assert f["level"] in ("emergency", "urgent", "refer"), (c["id"], f)
