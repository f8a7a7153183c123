"""Searching the atlas: muscles by name or alias, by body region (where their trigger points lie or refer pain),
by symptom (the symptom vocabulary and its synonyms), by body part, and by condition (the muscles to examine).
Results are grouped by body part, head to toe."""

from __future__ import annotations

from dataclasses import dataclass, field

from taut.anatomy.regions import body_map
from taut.knowledge import KnowledgeBase
from taut.knowledge.model import Condition, Muscle

# Body parts of the muscle records, head to toe (a part not listed here comes after them).
PART_ORDER = (
    "head",
    "neck",
    "shoulder",
    "upper back",
    "chest",
    "arm",
    "elbow",
    "forearm",
    "hand",
    "trunk",
    "abdomen",
    "back",
    "pelvis",
    "hip",
    "thigh",
    "knee",
    "leg",
    "foot",
)
MIN_QUERY = 2  # shorter queries list everything (one letter would match almost every name)
MAX_REASONS = 3


@dataclass
class Hit:
    muscle: Muscle
    score: int = 0
    reasons: list[str] = field(default_factory=list)

    def add(self, score: int, reason: str) -> None:
        self.score = max(self.score, score)
        if reason not in self.reasons:
            self.reasons.append(reason)


@dataclass(frozen=True)
class Results:
    query: str
    groups: list[tuple[str, list[Hit]]]  # body part -> hits, head to toe
    conditions: list[Condition]
    regions: list[str]  # names of the body regions the query matched
    terms: list[str]  # symptom vocabulary terms the query matched

    @property
    def total(self) -> int:
        return sum(len(hits) for _, hits in self.groups)


def norm(s: str) -> str:
    return " ".join(s.lower().replace("-", " ").replace("_", " ").split())


def head_to_toe(kb: KnowledgeBase) -> list[Muscle]:
    """Muscles in the order of muscle_names.yaml (head to toe); any others after them, by name."""
    order = {name: i for i, name in enumerate(kb.canonical)}
    return sorted(kb.muscles.values(), key=lambda m: (order.get(m.name, len(order)), m.name))


def muscle_or_none(kb: KnowledgeBase, name: str) -> Muscle | None:
    try:
        return kb.muscle(name)
    except LookupError:
        return None


def search(kb: KnowledgeBase, query: str) -> Results:
    q = norm(query)
    muscles = head_to_toe(kb)
    if len(q) < MIN_QUERY:
        return Results(
            query, _group(muscles, {m.name: Hit(m) for m in muscles}), list(kb.conditions.values()), [], []
        )
    hits = _Hits()
    _by_name(hits, muscles, q)
    regions = _regions(q)
    if regions:
        _by_region(hits, muscles, regions)
    terms = _terms(kb, q)
    if terms:
        _by_term(hits, muscles, terms)
    conditions = [
        c
        for c in kb.conditions.values()
        if q in norm(c.name) or q in norm(c.id) or any(q in norm(a) for a in c.aliases)
    ]
    for c in conditions:
        for step in c.examine:
            examined = muscle_or_none(kb, step.muscle)
            if examined is not None:
                hits.add(examined, 58, f"examined in {c.name}")
    bm = body_map()
    return Results(
        query, _group(muscles, hits.by_name), conditions, sorted(bm[r].name for r in regions), sorted(terms)
    )


class _Hits:
    """The muscles found so far, by name, each with its score and the reasons it was found."""

    def __init__(self) -> None:
        self.by_name: dict[str, Hit] = {}

    def add(self, m: Muscle, score: int, reason: str) -> None:
        self.by_name.setdefault(m.name, Hit(m)).add(score, reason)


def _by_name(hits: _Hits, muscles: list[Muscle], q: str) -> None:
    """The query in a muscle's name, slug, aliases, or its body part."""
    for m in muscles:
        if q == norm(m.name) or q == norm(m.slug):
            hits.add(m, 120, "name")
        elif q in norm(m.name):
            hits.add(m, 100, "name")
        for a in m.aliases:
            if q in norm(a):
                hits.add(m, 110 if q == norm(a) else 90, f"also called {a}")
        if q == norm(m.body_part):
            hits.add(m, 60, f"body part: {m.body_part}")


def _by_region(hits: _Hits, muscles: list[Muscle], regions: set[str]) -> None:
    """Muscles that refer pain to the regions the query names, or have a trigger point there."""
    bm = body_map()
    for m in muscles:
        for tp in m.trigger_points:
            essential = [r for r in tp.essential if r in regions]
            spill = [r for r in tp.spillover if r in regions]
            if essential:
                hits.add(m, 55, "refers pain to " + ", ".join(bm[r].name for r in essential))
            elif spill:
                hits.add(m, 40, "sometimes refers pain to " + ", ".join(bm[r].name for r in spill))
            if tp.marker.region in regions:
                hits.add(m, 50, f"trigger point at {bm[tp.marker.region].name}")


def _by_term(hits: _Hits, muscles: list[Muscle], terms: set[str]) -> None:
    """Muscles whose symptoms, aggravators, causes or entrapments use the vocabulary terms of the query."""
    for m in muscles:
        for label, group in (
            ("symptom", m.symptoms),
            ("aggravated by", m.aggravators),
            ("cause", m.mechanisms),
        ):
            if group is not None:
                found = [t for t in group.terms if t in terms]
                if found:
                    hits.add(m, 45, f"{label}: {', '.join(found)}")
        for e in m.entrapments:
            found = [t for t in e.symptoms if t in terms]
            if found:
                hits.add(m, 40, f"entraps the {e.structure}: {', '.join(found)}")


def _regions(q: str) -> set[str]:
    """Region ids whose name, or whose body part's or area's name, contains the query."""
    bm = body_map()
    out = {r.id for r in bm if q in norm(r.name)}
    for node in (*bm.parts.values(), *bm.areas.values()):
        if q in norm(node.name):
            out.update(node.regions)
    return out


def _terms(kb: KnowledgeBase, q: str) -> set[str]:
    """Vocabulary terms (symptoms, aggravators, causes) whose name or a synonym contains the query."""
    out = set()
    for t in kb.vocabulary.values():
        if t.kind in ("redflag", "caution"):
            continue
        if q in norm(t.term) or any(q in norm(s) for s in t.synonyms):
            out.add(t.term)
    return out


def _group(muscles: list[Muscle], hits: dict[str, Hit]) -> list[tuple[str, list[Hit]]]:
    groups: dict[str, list[Hit]] = {}
    for m in muscles:  # head to toe within each body part
        if m.name in hits:
            groups.setdefault(m.body_part, []).append(hits[m.name])
    rank = {part: i for i, part in enumerate(PART_ORDER)}
    ordered = sorted(groups.items(), key=lambda g: rank.get(g[0], len(rank)))
    for _, found in ordered:
        found.sort(key=lambda h: -h.score)  # stable: head to toe within the same score
        for h in found:
            del h.reasons[MAX_REASONS:]
    return ordered
