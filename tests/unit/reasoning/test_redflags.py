from tests.conftest import read_tsv

from taut.anatomy.pain import drawing_from_specs
from taut.knowledge import knowledge
from taut.reasoning.case import Case, canonical_terms
from taut.reasoning.engine import suggest


def run(terms, specs=("lower back:right:5",), age=None):
    return suggest(Case(drawing_from_specs(list(specs)), canonical_terms(list(terms)), age=age))


def test_every_redflag_term_raises_a_red_flag_and_keeps_the_ranking():
    for term, kind, _ in read_tsv("symptom-terms.tsv"):
        if kind != "redflag":
            continue
        s = run([term])
        assert s.red_flags, term
        assert s.ranking, "a red-flag case still gets its ranking"
        assert s.to_dict()["advice"] == "refer before treatment"


def test_cautions_are_not_red_flags():
    for term, kind, _ in read_tsv("symptom-terms.tsv"):
        if kind != "caution":
            continue
        s = run([term])
        assert not s.red_flags, term
        assert s.cautions, term


def test_ordinary_case_raises_nothing():
    s = run(["aching", "desk work", "turning the head"], ["back of neck:right:5"])
    assert not s.red_flags and not s.cautions


def test_age_conditioned_caution():
    assert any(c.code == "older_adult_light_pressure" for c in run(["anticoagulants"], age=80).cautions)
    assert not any(c.code == "older_adult_light_pressure" for c in run(["anticoagulants"], age=40).cautions)


def test_flag_says_why():
    s = run(["saddle numbness", "numbness"])
    flag = next(f for f in s.red_flags if f.code == "cauda_equina")
    assert "saddle numbness" in flag.because and flag.action == "refer_urgently"
    assert knowledge().rules["cauda_equina"].kind == "redflag"
