"""Conditions inform the ranking where a study gives the prevalence of trigger points (reasoning/conditions.py)."""

from __future__ import annotations

import math

import pytest

from taut.anatomy.pain import PainDrawing, PainMark
from taut.anatomy.regions import RegionRef, Side
from taut.reasoning.case import Case, case_from_dict
from taut.reasoning.engine import suggest
from taut.reasoning.params import Params

OFF = Params(condition_weight=0.0)


def case(pain, symptoms=(), **story):
    raw = {"id": "T", "pain": [dict(zip(("region", "side"), p.split("/"), strict=True)) for p in pain]}
    return case_from_dict({**raw, "symptoms": list(symptoms), **story})


def ranked(s):
    return {m.muscle: m for m in s.ranking}


# Tingling in the thumb, index and middle fingers: the hand of carpal tunnel syndrome.
MEDIAN_HAND = ["thumb/right", "index finger/right", "middle finger/right"]


def test_a_median_nerve_hand_with_tingling_supports_infraspinatus_by_its_prevalence():
    with_, without = (
        suggest(case(MEDIAN_HAND, ["tingling", "numbness"])),
        suggest(case(MEDIAN_HAND, ["tingling", "numbness"]), params=OFF),
    )
    got = ranked(with_)["infraspinatus"]
    cond = [s for s in got.support if s.kind == "condition"]
    assert [(s.term, s.factor) for s in cond] == [("Carpal tunnel syndrome", pytest.approx(1.34))]
    before = ranked(without)["infraspinatus"]
    assert got.logodds == pytest.approx(before.logodds + math.log(1.34))
    order = [m.muscle for m in with_.ranking]
    assert order.index("infraspinatus") < [m.muscle for m in without.ranking].index("infraspinatus")


def test_the_same_hand_without_tingling_or_numbness_is_not_carpal_tunnel():
    s = suggest(case(MEDIAN_HAND, ["aching"]))
    assert not any(sup.kind == "condition" for m in s.ranking for sup in m.support)
    assert [m.logodds for m in s.ranking] == [
        m.logodds for m in suggest(case(MEDIAN_HAND, ["aching"]), params=OFF).ranking
    ]


def test_tingling_painted_in_the_region_counts_like_tingling_said():
    painted = Case(PainDrawing.of([PainMark(RegionRef("hand.index_palmar", Side.RIGHT), 5, ("tingling",))]))
    ache = Case(PainDrawing.of([PainMark(RegionRef("hand.index_palmar", Side.RIGHT), 5, ("aching",))]))
    assert any(sup.kind == "condition" for m in suggest(painted).ranking for sup in m.support)
    assert not any(sup.kind == "condition" for m in suggest(ache).ranking for sup in m.support)


def test_outer_elbow_pain_supports_the_wrist_extensors_by_their_prevalence():
    s = ranked(suggest(case(["outer elbow/left"], ["gripping"])))
    factors = {
        name: next((x.factor for x in m.support if x.kind == "condition"), None) for name, m in s.items()
    }
    assert factors["extensor carpi radialis brevis"] == pytest.approx(1.65)
    assert factors["brachioradialis"] == pytest.approx(1.5)
    assert factors.get("supinator") is None  # examined for the condition, but no published prevalence


def test_a_muscle_two_conditions_support_keeps_the_stronger():
    # the shoulder (Bron 2011: infraspinatus 77%) and a carpal-tunnel hand (Qerama 2009: 34%)
    s = ranked(suggest(case(["back of shoulder/right", *MEDIAN_HAND], ["tingling"])))
    cond = [x for x in s["infraspinatus"].support if x.kind == "condition"]
    assert len(cond) == 1 and cond[0].factor == pytest.approx(1.77)


def test_conditions_do_not_move_a_case_elsewhere():
    s, off = (
        suggest(case(["lower back/right", "buttock/right"])),
        suggest(case(["lower back/right", "buttock/right"]), params=OFF),
    )
    assert [(m.muscle, m.logodds) for m in s.ranking] == [(m.muscle, m.logodds) for m in off.ranking]


def test_the_reason_a_therapist_reads():
    from taut.web.intake.present import reasons

    m = ranked(suggest(case(MEDIAN_HAND, ["tingling"])))["infraspinatus"]
    assert (
        "Looks like carpal tunnel syndrome: a study found trigger points in this muscle in 34% of patients."
        in reasons(m, [])
    )
