"""Each kind of evidence moves a muscle the way the model says it should."""

import pytest

from taut.anatomy.pain import drawing_from_specs
from taut.reasoning.case import Case, CaseError, canonical_terms
from taut.reasoning.engine import suggest
from taut.reasoning.params import Params


def rank(specs, terms=(), **kw):
    s = suggest(Case(drawing_from_specs(list(specs)), canonical_terms(list(terms)), **kw))
    return s, {m.muscle: m for m in s.ranking}


def logodds(name, specs, terms=()):
    from taut.reasoning import engine

    s = engine.suggest(
        Case(drawing_from_specs(list(specs)), canonical_terms(list(terms))), params=Params(top_n=200)
    )
    return next(m.logodds for m in s.ranking if m.muscle == name)


def test_essential_zone_outweighs_spillover_outweighs_outside():
    # the temple is essential for upper trapezius TrP1; the angle of the jaw is spillover; the heel is outside
    essential = logodds("upper trapezius", ["temple:right:5"])
    spill = logodds("upper trapezius", ["angle of jaw:right:5"])
    outside = logodds("upper trapezius", ["heel:right:5"])
    assert essential > spill > outside


def test_intensity_weighs_the_evidence():
    assert logodds("soleus", ["bottom of heel:right:9"]) > logodds("soleus", ["bottom of heel:right:2"])


def test_a_listed_symptom_raises_the_muscle():
    assert logodds("sternocleidomastoid", ["forehead:right:5"], ["dizziness"]) > logodds(
        "sternocleidomastoid", ["forehead:right:5"]
    )


def test_aggravator_and_mechanism_support():
    base = logodds("upper trapezius", ["side of neck:right:5"])
    assert logodds("upper trapezius", ["side of neck:right:5"], ["turning the head"]) > base
    assert logodds("upper trapezius", ["side of neck:right:5"], ["desk work"]) > base


def test_tingling_in_an_entrapment_area_supports_the_entrapping_muscle():
    specs = ["buttock:right:5", "back of thigh:right:5"]
    assert logodds("piriformis", specs, ["tingling"]) > logodds("piriformis", specs)
    s, _ = rank(specs, ["tingling", "numbness"])
    assert any(e.muscle == "piriformis" and "sciatic" in e.structure for e in s.entrapments)


def test_reasons_name_the_regions_and_zones():
    _, by = rank(["temple:right:6", "upper teeth:right:4", "eyebrow:right:3"], ["tooth sensitivity"])
    temporalis = by["temporalis"]
    zones = {e.ref: e.zone for e in temporalis.explains}
    assert zones.get("head.temple:right") == "essential"
    assert any(x.kind == "symptom" and x.term == "tooth sensitivity" for x in temporalis.support)
    assert temporalis.side == "right"


def test_both_sides_when_the_drawing_is_bilateral():
    _, by = rank(["jaw joint:both:5", "cheek:both:4"])
    assert by["masseter"].side == "both" or by["lateral pterygoid"].side == "both"


def test_unexplained_regions_cover_and_exam_order():
    s, _ = rank(["temple:right:6", "bottom of heel:left:6"])
    assert s.cover, "a covering set of trigger points is proposed"
    covered = {r for step in s.cover for r in step.explains}
    assert "head.temple:right" in covered and "foot.heel_plantar:left" in covered
    assert s.exam_order and s.exam_order[0] == s.cover[0].muscle


def test_unknown_symptom_is_a_clear_error():
    with pytest.raises(CaseError, match="did you mean"):
        canonical_terms(["dizzyness"])


def test_synonyms_of_symptoms_are_understood():
    assert canonical_terms(["pins and needles", "Blood thinners"]) == ("tingling", "anticoagulants")
