"""The structured safety screen: the questions file is valid, asks every red-flag and risk term, reads plainly,
and a "no" the drawing or the story contradicts is found."""

from __future__ import annotations

import re
from typing import Any

import pytest
import yaml

from taut.anatomy.pain import PainDrawing, PainMark
from taut.anatomy.regions import RegionRef, Side
from taut.knowledge import knowledge
from taut.knowledge.screening import DATA, ScreeningError, parse, safety_screen

GROUPS = {
    "spinal",
    "cervical_arterial",
    "giant_cell_arteritis",
    "cardiac",
    "dvt",
    "malignancy",
    "infection",
    "fracture",
    "risk",
}


def _raw() -> Any:
    return yaml.safe_load(DATA.read_text(encoding="utf-8"))


def test_the_packaged_screen_loads_with_every_group() -> None:
    screen = safety_screen()
    assert {g.id for g in screen.groups} == GROUPS
    assert len(screen.ids()) == len(set(screen.ids())) >= 30


def test_every_red_flag_and_risk_term_is_asked_by_some_question() -> None:
    asked = {t for q in safety_screen().questions for t in q.yes}
    kb = knowledge()
    wanted = {t for t, e in kb.vocabulary.items() if e.kind in ("redflag", "risk")}
    assert wanted - asked == set()


def test_the_cervical_arterial_group_asks_the_5_ds_3_ns_and_ataxia() -> None:
    terms = {t for q in safety_screen().group("cervical_arterial").questions for t in q.yes}
    assert {
        "dizziness",
        "double vision",
        "slurred speech",
        "difficulty swallowing",
        "drop attacks",
        "nausea",
        "facial numbness",
        "unsteady walking",
    } <= terms


def test_every_question_and_group_cites_a_known_source() -> None:
    kb = knowledge()
    screen = safety_screen()
    for g in screen.groups:
        assert g.sources and all(s.partition(":")[0] in kb.sources for s in g.sources), g.id
    for q in screen.questions:
        assert q.sources and all(s.partition(":")[0] in kb.sources for s in q.sources), q.id
    cited = {s for q in screen.questions for s in q.sources}
    assert {"finucane2020", "rushton2023", "ponte2022", "wells2003dvt", "knuuti2019esc"} <= cited


def test_questions_are_plain_words_for_a_client() -> None:
    """Short questions in the second person, without the clinical words a client would not know."""
    jargon = re.compile(
        r"\b(anaesthesia|paraesthesia|diplopia|dysarthria|dysphagia|ataxia|nystagmus|claudication|ptosis|"
        r"ischaemi\w*|thrombosis|malignan\w*|metasta\w*|perine\w*|immunosuppress\w*)\b",
        re.IGNORECASE,
    )
    for q in safety_screen().questions:
        assert q.ask.endswith("?"), q.id
        assert len(q.ask) <= 160, q.id
        assert re.search(r"\byou(r)?\b", q.ask, re.IGNORECASE), q.id
        assert not jargon.search(q.ask), (q.id, q.ask)


def _drawing(*marks: tuple[str, Side | None, tuple[str, ...]]) -> PainDrawing:
    return PainDrawing.of([PainMark(RegionRef(r, s), 5, q) for r, s, q in marks])


def test_numbness_painted_in_the_saddle_contradicts_no_saddle_numbness() -> None:
    q = safety_screen().question("saddle_numbness")
    saddle = _drawing(
        ("pelvis.perineum", None, ("numbness",)),
        ("thigh.medial", Side.LEFT, ("numbness",)),
        ("thigh.medial", Side.RIGHT, ("tingling",)),
    )
    why = q.contradiction(saddle, ())
    assert why is not None and "perineum" in why.lower() and "inner thigh" in why.lower()
    # aching in the same regions says nothing about numbness; numbness elsewhere neither
    assert q.contradiction(_drawing(("pelvis.perineum", None, ("aching",))), ()) is None
    assert q.contradiction(_drawing(("hand.palm", Side.RIGHT, ("numbness",))), ()) is None


def test_the_story_contradicts_a_no() -> None:
    screen = safety_screen()
    neck = _drawing(("neck.lateral", Side.RIGHT, ("aching",)))
    # the question's own term already told as a symptom
    assert screen.question("dizziness").contradiction(neck, ("dizziness",)) is not None
    assert screen.question("dizziness").contradiction(neck, ("headache",)) is None
    # a car accident is a serious accident
    assert screen.question("major_trauma").contradiction(neck, ("whiplash",)) is not None
    # an exertional pattern painted where cardiac pain is felt
    jaw_arm = _drawing(("head.mandible", Side.LEFT, ()), ("arm.upper_medial", Side.LEFT, ()))
    assert screen.question("exertional_pain").contradiction(jaw_arm, ("walking uphill",)) is not None
    # walking uphill hurting the calf is not chest pain on exertion
    calf = _drawing(("leg.calf_upper", Side.RIGHT, ("aching",)))
    assert screen.question("exertional_pain").contradiction(calf, ("walking uphill",)) is None


def _parse_with(change: Any) -> None:
    data = _raw()
    change(data)
    parse(data, knowledge())


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d["questions"][0].update(yes_means=["no such term"]), "not a term of vocabulary.yaml"),
        (lambda d: d["questions"][0].update(group="nowhere"), "not a group id"),
        (lambda d: d["questions"][0].update(sources=["nobody1999"]), "not a key of sources.yaml"),
        (lambda d: d["questions"][0].update(ask="Numb"), "ends with '?'"),
        (lambda d: d["questions"][1].update(id=d["questions"][0]["id"]), "used twice"),
        (
            lambda d: d["questions"][0]["contradicted_by"][0].update(regions=["pelvis.nowhere"]),
            "not a region id",
        ),
        (lambda d: d["questions"][0]["contradicted_by"][0].update(qualities=["itchy"]), "not a pain quality"),
        (lambda d: d["questions"][0].update(yes=["fever"]), "unknown keys"),
    ],
)
def test_a_bad_questions_file_is_refused_naming_the_problem(change: Any, message: str) -> None:
    with pytest.raises(ScreeningError, match=re.escape(message)):
        _parse_with(change)
