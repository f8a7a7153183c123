"""The packaged knowledge base is complete, cited and consistent with the body map and the evaluation contract.

These tests need every muscle's data file; they read the contract files from shared/eval when present."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from tests.conftest import read_tsv

from taut.anatomy import body_map
from taut.knowledge import KnowledgeBase, load
from taut.knowledge.model import Frozen, Muscle, Sourced, fields


@pytest.fixture(scope="module")
def kb() -> KnowledgeBase:
    return load()  # the full check, not the cached copy


def sourced_groups(obj: object, where: str) -> Iterator[tuple[str, Sourced]]:
    """Every fact group (a Sourced model) inside a record, with a readable path to it."""
    if isinstance(obj, Sourced):
        yield where, obj
    if isinstance(obj, Frozen):
        for f in fields(obj):
            yield from sourced_groups(getattr(obj, f.name), f"{where}.{f.name}")
    elif isinstance(obj, tuple):
        for i, item in enumerate(obj):
            yield from sourced_groups(item, f"{where}[{i}]")


def zone(m: Muscle) -> tuple[set[str], set[str]]:
    ess = {r for tp in m.trigger_points for r in tp.essential}
    spill = {r for tp in m.trigger_points for r in tp.spillover}
    return ess, spill


# --- completeness -------------------------------------------------------------------------------------------------


def test_every_canonical_muscle_is_present(kb: KnowledgeBase) -> None:
    rows = [r for r in read_tsv("muscle-names.tsv") if not r[0].startswith("group:")]
    assert len(rows) == 116
    have = {n.lower() for n in kb.muscles}
    missing = [r[0] for r in rows if r[0].strip().lower() not in have]
    assert not missing, f"muscles without a data file: {missing}"


def test_contract_aliases_and_body_parts(kb: KnowledgeBase) -> None:
    for row in read_tsv("muscle-names.tsv"):
        if row[0].startswith("group:"):
            continue
        m = kb.muscle(row[0])
        assert m.body_part == row[1].strip(), m.name
        for alias in (a.strip() for a in (row[2] if len(row) > 2 else "").split(",") if a.strip()):
            assert kb.muscle(alias).name == m.name, f"{alias!r} should find {m.name}"


def test_scorer_groups_name_known_muscles(kb: KnowledgeBase) -> None:
    for row in read_tsv("muscle-names.tsv"):
        if row[0].startswith("group:"):
            members = row[0].split("=", 1)[1].split(";")
            for member in members:
                assert member.strip() in kb.muscles, member


# --- the body map -------------------------------------------------------------------------------------------------


def test_every_zone_region_exists_in_the_body_map(kb: KnowledgeBase) -> None:
    bm = body_map()
    bad = []
    for m in kb.muscles.values():
        for tp in m.trigger_points:
            for rid in (*tp.essential, *tp.spillover, tp.marker.region):
                if rid not in bm:
                    bad.append((tp.id, rid))
            if tp.marker.region in bm and tp.marker.view not in bm[tp.marker.region].views:
                bad.append((tp.id, f"{tp.marker.region} not on {tp.marker.view}"))
        for e in m.entrapments:
            bad.extend((m.name, rid) for rid in e.regions if rid not in bm)
    for r in kb.rules.values():
        for w in r.when:
            for rid in w.any_regions:
                try:
                    bm.expand(rid)  # a region id, area:ID or part:ID
                except KeyError:
                    bad.append((r.id, rid))
    assert not bad


def test_every_muscle_has_a_trigger_point_with_an_essential_zone(kb: KnowledgeBase) -> None:
    for m in kb.muscles.values():
        assert m.trigger_points, m.name
        assert any(tp.essential for tp in m.trigger_points), m.name
        for tp in m.trigger_points:
            assert not set(tp.essential) & set(tp.spillover), tp.id


def test_trigger_point_ids_are_unique_and_prefixed(kb: KnowledgeBase) -> None:
    seen: set[str] = set()
    for m in kb.muscles.values():
        for tp in m.trigger_points:
            assert tp.id.startswith(f"{m.slug}.trp"), tp.id
            assert tp.id not in seen, tp.id
            seen.add(tp.id)
            assert kb.trigger_point(tp.id) == (m, tp)


# --- sources ------------------------------------------------------------------------------------------------------


def test_every_fact_group_has_a_source_that_resolves(kb: KnowledgeBase) -> None:
    records: list[tuple[str, object]] = [
        *((f"muscle {m.name}", m) for m in kb.muscles.values()),
        *((f"condition {c.id}", c) for c in kb.conditions.values()),
        *((f"rule {r.id}", r) for r in kb.rules.values()),
        *((f"technique {t.id}", t) for t in kb.techniques.values()),
    ]
    count = 0
    for label, record in records:
        for where, group in sourced_groups(record, label):
            count += 1
            assert group.sources, f"{where} has no source"
            for ref in group.sources:
                key = ref.split(":", 1)[0].strip()
                assert key in kb.sources, f"{where}: unknown source {key!r}"
    for m in kb.muscles.values():
        assert m.anatomy_sources
        for ref in m.anatomy_sources:
            assert ref.split(":", 1)[0].strip() in kb.sources, m.name
    assert count > 1000  # muscles x (involvement, trigger points, examination, treatment, ...)


def test_every_source_has_a_citation(kb: KnowledgeBase) -> None:
    for s in kb.sources.values():
        assert len(s.citation) > 20, s.key


# --- vocabulary and safety rules ----------------------------------------------------------------------------------


def test_every_contract_term_is_in_the_vocabulary_with_its_kind(kb: KnowledgeBase) -> None:
    for term, kind, *_ in read_tsv("symptom-terms.tsv"):
        assert kb.term(term).kind == kind, term


@pytest.mark.parametrize("kind", ["redflag", "caution"])
def test_every_redflag_and_caution_term_is_covered_by_a_rule(kb: KnowledgeBase, kind: str) -> None:
    covered = {
        t for r in kb.rules.values() if r.kind == kind for w in r.when for t in (*w.any_terms, *w.all_terms)
    }
    terms = [row[0] for row in read_tsv("symptom-terms.tsv") if row[1] == kind]
    assert terms
    missing = [t for t in terms if t not in covered]
    assert not missing, f"{kind} terms no rule of that kind raises: {missing}"


def test_rules_have_a_message_and_an_action(kb: KnowledgeBase) -> None:
    for r in kb.rules.values():
        assert len(r.message) > 20, r.id
        if r.kind == "redflag":
            assert r.action.startswith("refer"), r.id


def test_every_treatment_names_known_techniques(kb: KnowledgeBase) -> None:
    for m in kb.muscles.values():
        assert all(t in kb.techniques for t in m.treatment.techniques), m.name


# --- conditions ---------------------------------------------------------------------------------------------------

ISSUE_CONDITIONS = [
    "muscle spasm",
    "strain",
    "sprain",
    "tendonitis",
    "whiplash",
    "hand tingling",
    "leg numbness",
    "sciatica",
    "carpal tunnel syndrome",
    "tension-type headache",
    "cervicogenic headache",
    "migraine",
    "temporomandibular disorder",
    "lateral epicondylalgia",
    "shoulder pain",
    "low back pain",
    "knee pain",
    "plantar heel pain",
]


@pytest.mark.parametrize("name", ISSUE_CONDITIONS)
def test_issue_conditions_exist_with_muscles_red_flags_and_differential(kb: KnowledgeBase, name: str) -> None:
    c = kb.condition(name)
    assert len(c.examine) >= 3, c.id
    for step in c.examine:
        assert step.muscle in kb.muscles, f"{c.id}: {step.muscle}"
    assert c.red_flags and all(rid in kb.rules for rid in c.red_flags), c.id
    assert c.differential, c.id
    assert c.sources, c.id


def test_condition_muscles_are_not_repeated(kb: KnowledgeBase) -> None:
    for c in kb.conditions.values():
        names = [s.muscle for s in c.examine]
        assert len(names) == len(set(names)), c.id


# --- clinical anchors (Travell & Simons) --------------------------------------------------------------------------


def test_upper_trapezius_refers_to_the_temple(kb: KnowledgeBase) -> None:
    ess, _ = zone(kb.muscle("upper trapezius"))
    assert {"head.temple", "neck.posterior_upper", "head.mastoid"} <= ess


def test_infraspinatus_refers_to_the_front_of_the_shoulder(kb: KnowledgeBase) -> None:
    ess, _ = zone(kb.muscle("infraspinatus"))
    assert "shoulder.anterior" in ess


def test_gluteus_minimus_refers_down_the_outer_thigh_and_leg(kb: KnowledgeBase) -> None:
    m = kb.muscle("gluteus minimus")
    ess, spill = zone(m)
    assert "thigh.lateral" in ess
    assert "leg.lateral" in ess | spill
    assert {"ankle.lateral", "leg.lateral"} & (ess | spill)


def test_scalenes_refer_to_the_thumb_and_index_finger(kb: KnowledgeBase) -> None:
    ess, spill = zone(kb.muscle("scalenes"))
    both = ess | spill
    assert {"hand.thumb_dorsal", "hand.thumb_palmar"} & both
    assert {"hand.index_dorsal", "hand.index_palmar"} & both
    assert {"chest.pectoral", "back.scapula_medial_border"} & ess
    assert kb.muscle("anterior scalene").name == "scalenes"


def test_soleus_refers_to_the_heel(kb: KnowledgeBase) -> None:
    ess, _ = zone(kb.muscle("soleus"))
    assert {"foot.heel", "foot.heel_plantar"} & ess


def test_sternocleidomastoid_with_dizziness(kb: KnowledgeBase) -> None:
    m = kb.muscle("SCM")
    assert m.name == "sternocleidomastoid"
    assert m.symptoms is not None and "dizziness" in m.symptoms.terms
    ess, _ = zone(m)
    assert {"head.orbit", "head.forehead", "head.vertex"} & ess


def test_typo_gets_did_you_mean(kb: KnowledgeBase) -> None:
    with pytest.raises(LookupError, match="did you mean: upper trapezius"):
        kb.muscle("uper trapezius")
    with pytest.raises(LookupError, match="did you mean"):
        kb.condition("sciatca")
