"""The red-flag screen: runs before any ranking. Red flags mean "refer before treatment"; cautions change how
pressure is applied and are reported separately."""

from __future__ import annotations

from taut.knowledge import KnowledgeBase, knowledge
from taut.knowledge.model import Rule, RuleWhen
from taut.reasoning.case import Case
from taut.reasoning.result import Flag


def _holds(when: RuleWhen, case: Case, terms: set[str], regions: set[str]) -> tuple[str, ...] | None:
    because: list[str] = []
    if when.any_terms:
        hit = [t for t in when.any_terms if t in terms]
        if not hit:
            return None
        because.extend(hit)
    if when.all_terms:
        if not all(t in terms for t in when.all_terms):
            return None
        because.extend(t for t in when.all_terms if t not in because)
    if when.any_regions:
        hit = [r for r in when.any_regions if r in regions]
        if not hit:
            return None
        because.append("pain in " + ", ".join(hit))
    if when.min_age is not None:
        if case.age is None or case.age < when.min_age:
            return None
        because.append(f"age {case.age}")
    if when.max_age is not None and (case.age is None or case.age > when.max_age):
        return None
    if when.sex is not None and case.sex != when.sex:
        return None
    return tuple(because)


def _flag(rule: Rule, because: tuple[str, ...]) -> Flag:
    return Flag(rule.id, rule.name, rule.message, rule.action, because, rule.urgency)


def screen(case: Case, kb: KnowledgeBase | None = None) -> tuple[tuple[Flag, ...], tuple[Flag, ...]]:
    """(red flags, cautions) raised by the case."""
    kb = kb or knowledge()
    terms = set(case.terms) | set(case.qualities)
    regions = {m.ref.region for m in case.drawing}
    red: list[Flag] = []
    cautions: list[Flag] = []
    for rule in kb.rules.values():
        for when in rule.when:
            because = _holds(when, case, terms, regions)
            if because is not None:
                (red if rule.kind == "redflag" else cautions).append(_flag(rule, because))
                break
    return tuple(red), tuple(cautions)
