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


RISKS = ["smoker", "high blood pressure", "high cholesterol", "diabetes", "family history of heart disease"]


@pytest.mark.parametrize(
    "specs",
    [
        ["temple:right:6", "back of neck:right:4"],
        ["upper chest:left:5", "inner upper arm:left:3"],
        ["calf:right:5"],
    ],
)
def test_risk_factors_never_change_a_muscles_rank(specs):
    plain = suggest(Case(drawing_from_specs(specs), ()), params=Params(top_n=200))
    risky = suggest(Case(drawing_from_specs(specs), canonical_terms(RISKS)), params=Params(top_n=200))
    assert [(m.muscle, m.logodds) for m in plain.ranking] == [(m.muscle, m.logodds) for m in risky.ranking]


def test_night_pain_is_weak_evidence_for_any_one_muscle():
    from taut.knowledge import knowledge
    from taut.reasoning.engine import _model

    model = _model(knowledge(), Params())
    lrs = [lr for ev in model.evidence.values() for kind, t, lr in ev if t == "night pain"]
    assert lrs and max(lrs) <= 1.2
    dizzy = [lr for ev in model.evidence.values() for kind, t, lr in ev if t == "dizziness"]
    assert min(dizzy) > max(lrs)


def test_tingling_counts_only_where_the_muscle_refers_or_its_nerve_runs():
    # scalenes list tingling; painted heel and shin lie outside its zones and its nerve's territory
    far = ["heel:right:5", "shin:right:4"]
    assert logodds("scalenes", far, ["tingling"]) == pytest.approx(logodds("scalenes", far))
    near = ["shoulder blade:right:5", "thumb:right:4", "index finger:right:4"]
    assert logodds("scalenes", near, ["tingling"]) > logodds("scalenes", near)


def test_numbness_painted_on_one_region_supports_only_muscles_that_explain_it():
    from taut.anatomy.pain import PainDrawing, PainMark
    from taut.anatomy.regions import RegionRef, Side

    def odds(name, qualities):
        marks = [
            PainMark(RegionRef("hip.buttock_upper", Side.RIGHT), 5),
            PainMark(RegionRef("foot.heel", Side.RIGHT), 5, qualities),
        ]
        s = suggest(Case(PainDrawing.of(marks)), params=Params(top_n=200))
        return next(m.logodds for m in s.ranking if m.muscle == name)

    # gluteus minimus lists numbness but does not refer to the heel: numbness felt in the heel is no evidence
    assert odds("gluteus minimus", ("numbness",)) == pytest.approx(odds("gluteus minimus", ()))


def test_a_mechanisms_weight_is_per_muscle():
    from taut.knowledge import knowledge
    from taut.reasoning.engine import _model

    model = _model(knowledge(), Params())
    by_term: dict[str, set[float]] = {}
    for ev in model.evidence.values():
        for kind, t, lr in ev:
            if kind == "mechanism":
                by_term.setdefault(t, set()).add(round(lr, 6))
    assert len(by_term["repetitive strain"]) > 1  # the muscle files' confidence differs
    # a mechanism few muscles list tells more than one most muscles list
    assert max(by_term["dental work"]) > max(by_term["repetitive strain"])
