"""What the clinical records may refer to in the knowledge base: trigger points, techniques and the
symptom vocabulary. Records store the ids; this checks them."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from taut.clinic.errors import RecordValidationError
from taut.knowledge import KnowledgeBase, KnowledgeError, knowledge, load


@dataclass(frozen=True)
class Catalogue:
    trigger_points: frozenset[str]  # "upper_trapezius.trp1", ...
    muscle_slugs: frozenset[str]  # every canonical muscle, whether or not its data file is written yet
    techniques: frozenset[str]
    term_kinds: dict[str, str]  # vocabulary term (or synonym, lower case) -> kind
    canonical_terms: dict[str, str]  # synonym -> the term itself

    @classmethod
    def from_knowledge(cls, kb: KnowledgeBase) -> Catalogue:
        tps = {tp.id for m in kb.muscles.values() for tp in m.trigger_points}
        slugs = {m.slug for m in kb.muscles.values()}
        slugs |= {name.replace(" ", "_").replace("-", "_") for name in kb.canonical}
        kinds: dict[str, str] = {}
        canon: dict[str, str] = {}
        for t in kb.vocabulary.values():
            for word in (t.term, *t.synonyms):
                kinds.setdefault(word.lower(), t.kind)
                canon.setdefault(word.lower(), t.term)
        return cls(frozenset(tps), frozenset(slugs), frozenset(kb.techniques), kinds, canon)

    def check_trigger_point(self, field: str, trp_id: str) -> str:
        """A known trigger point id. A canonical muscle whose data file is not written yet is known to
        have ``<slug>.trp1`` (every canonical muscle has at least that one)."""
        if trp_id in self.trigger_points:
            return trp_id
        slug, _, point = trp_id.partition(".")
        if point == "trp1" and slug in self.muscle_slugs:
            return trp_id
        if slug in self.muscle_slugs:
            raise RecordValidationError(
                field, f"{trp_id!r} is not a trigger point of {slug} in the knowledge base"
            )
        raise RecordValidationError(
            field, f"{trp_id!r} is not a trigger point id of the knowledge base (form: muscle_slug.trpN)"
        )

    def check_technique(self, field: str, technique: str) -> str:
        if technique not in self.techniques:
            raise RecordValidationError(
                field, f"unknown technique {technique!r}; known: {', '.join(sorted(self.techniques))}"
            )
        return technique

    def check_term(self, field: str, word: str, kinds: tuple[str, ...]) -> str:
        """A vocabulary term of one of the given kinds; returns the canonical term."""
        kind = self.term_kinds.get(word.strip().lower())
        if kind is None:
            raise RecordValidationError(field, f"{word!r} is not a term of the symptom vocabulary")
        if kind not in kinds:
            raise RecordValidationError(field, f"{word!r} is a {kind} term, expected {' or '.join(kinds)}")
        return self.canonical_terms[word.strip().lower()]

    def terms_of_kind(self, kind: str) -> tuple[str, ...]:
        return tuple(sorted({t for w, t in self.canonical_terms.items() if self.term_kinds[w] == kind}))


@cache
def catalogue() -> Catalogue:
    """The catalogue of the packaged knowledge base. While the muscle files are still being written the
    base may be incomplete; the ids that are present are still the valid ones."""
    try:
        kb = knowledge()
    except KnowledgeError:
        kb = load(complete=False)
    return Catalogue.from_knowledge(kb)
