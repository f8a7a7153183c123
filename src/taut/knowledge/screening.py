"""The structured safety screen (data/screening.yaml): the questions every intake asks before treatment, grouped
by what they screen for, each with the vocabulary terms a "yes" means and what in the drawing or the story
contradicts a "no". Pure: it reads the data file, the vocabulary and the body map, nothing else."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from taut.anatomy.pain import QUALITIES, PainDrawing
from taut.anatomy.regions import body_map
from taut.knowledge.loader import KnowledgeBase, knowledge

DATA = Path(__file__).parent / "data" / "screening.yaml"
ANSWERS = ("yes", "no", "unsure")


class ScreeningError(ValueError):
    """The screening file is not valid; the message lists every problem found."""


@dataclass(frozen=True)
class Contradiction:
    """One way the drawing or the story says "yes" already: every part given must hold."""

    why: str
    regions: tuple[str, ...] = ()  # a painted region among these ids ...
    qualities: tuple[str, ...] = ()  # ... painted with one of these qualities
    terms: tuple[str, ...] = ()  # one of these terms among the story's terms

    def holds(self, drawing: PainDrawing, story: frozenset[str]) -> tuple[str, ...] | None:
        """What in the intake makes it hold (painted region names, terms), or None."""
        found: list[str] = []
        if self.regions:
            marks = [
                m
                for m in drawing
                if m.ref.region in self.regions
                and (not self.qualities or any(q in m.qualities for q in self.qualities))
            ]
            if not marks:
                return None
            regions = body_map().regions
            found.extend(regions[m.ref.region].name.lower() for m in marks)
        elif self.qualities and not any(q in m.qualities for m in drawing for q in self.qualities):
            return None
        if self.terms:
            hit = [t for t in self.terms if t in story]
            if not hit:
                return None
            found.extend(hit)
        return tuple(dict.fromkeys(found))


@dataclass(frozen=True)
class Question:
    id: str
    group: str
    ask: str  # plain words a client understands
    yes: tuple[str, ...]  # vocabulary terms a "yes" means
    contradicted_by: tuple[Contradiction, ...]
    sources: tuple[str, ...]
    note: str = ""

    def contradiction(self, drawing: PainDrawing, story: Iterable[str]) -> str | None:
        """Why a "no" to this question contradicts the intake (plain words), or None when "no" is possible.
        ``story``: the intake's symptoms, mechanisms and aggravators (vocabulary terms)."""
        told = frozenset(story)
        own = [t for t in self.yes if t in told]
        if own:
            return f"the intake already records {', '.join(own)}"
        for c in self.contradicted_by:
            found = c.holds(drawing, told)
            if found is not None:
                return f"{c.why} ({', '.join(found)})" if found else c.why
        return None


@dataclass(frozen=True)
class Group:
    id: str
    name: str
    screens_for: str
    sources: tuple[str, ...]
    questions: tuple[Question, ...]


@dataclass(frozen=True)
class Screen:
    groups: tuple[Group, ...]

    @property
    def questions(self) -> tuple[Question, ...]:
        return tuple(q for g in self.groups for q in g.questions)

    def question(self, qid: str) -> Question:
        for q in self.questions:
            if q.id == qid:
                return q
        raise LookupError(f"{qid!r} is not a question of the safety screen")

    def ids(self) -> tuple[str, ...]:
        return tuple(q.id for q in self.questions)

    def group(self, gid: str) -> Group:
        for g in self.groups:
            if g.id == gid:
                return g
        raise LookupError(f"{gid!r} is not a group of the safety screen")


def _strings(value: Any, where: str, problems: list[str], *, required: bool = False) -> tuple[str, ...]:
    if value is None:
        value = []
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        problems.append(f"{where}: must be a list of words")
        return ()
    if required and not value:
        problems.append(f"{where}: give at least one")
    return tuple(value)


def _text(d: dict[str, Any], key: str, where: str, problems: list[str], *, required: bool = True) -> str:
    v = d.get(key, "")
    if not isinstance(v, str) or (required and not v.strip()):
        problems.append(f"{where}.{key}: required text")
        return ""
    return v.strip()


_QUESTION_KEYS = {"id", "group", "ask", "yes_means", "contradicted_by", "sources", "note"}
_Head = tuple[str, str, str, tuple[str, ...]]


class _Reading:
    """One reading of the screening file: the knowledge it checks against and every problem found so far."""

    def __init__(self, kb: KnowledgeBase) -> None:
        self.kb = kb
        self.regions = body_map().regions
        self.problems: list[str] = []

    def sources(self, value: Any, where: str) -> tuple[str, ...]:
        refs = _strings(value, where, self.problems, required=True)
        for r in refs:
            if r.partition(":")[0] not in self.kb.sources:
                self.problems.append(f"{where}: {r!r} is not a key of sources.yaml")
        return refs

    def terms(self, value: Any, where: str, *, required: bool = False) -> tuple[str, ...]:
        words = _strings(value, where, self.problems, required=required)
        for w in words:
            if w not in self.kb.vocabulary:
                self.problems.append(f"{where}: {w!r} is not a term of vocabulary.yaml")
        return words

    def heads(self, raw_groups: list[Any]) -> list[_Head]:
        """Each group's id, name, what it screens for and its sources, in the file's order."""
        heads: list[_Head] = []
        for i, g in enumerate(raw_groups):
            where = f"groups[{i}]"
            if not isinstance(g, dict):
                self.problems.append(f"{where}: must be a mapping")
                continue
            gid = _text(g, "id", where, self.problems)
            if any(h[0] == gid for h in heads):
                self.problems.append(f"{where}: group id {gid!r} is used twice")
            name = _text(g, "name", where, self.problems)
            screens_for = _text(g, "screens_for", where, self.problems)
            heads.append((gid, name, screens_for, self.sources(g.get("sources"), f"{where}.sources")))
        return heads

    def questions(self, raw_questions: list[Any], by_group: dict[str, list[Question]]) -> None:
        """Read every question into its group's list."""
        seen: set[str] = set()
        for i, q in enumerate(raw_questions):
            if not isinstance(q, dict):
                self.problems.append(f"questions[{i}]: must be a mapping")
                continue
            qid = _text(q, "id", f"questions[{i}]", self.problems)
            where = f"question {qid or i}"
            if qid in seen:
                self.problems.append(f"{where}: the id is used twice")
            seen.add(qid)
            question = self.question(q, qid, where)
            if question.group not in by_group:
                self.problems.append(f"{where}.group: {question.group!r} is not a group id")
            else:
                by_group[question.group].append(question)

    def question(self, q: dict[str, Any], qid: str, where: str) -> Question:
        """One question (its id already read)."""
        unknown = set(q) - _QUESTION_KEYS
        if unknown:
            self.problems.append(f"{where}: unknown keys {', '.join(sorted(unknown))}")
        contradictions = self.contradictions(q.get("contradicted_by") or [], where)
        gid = _text(q, "group", where, self.problems)
        question = Question(
            id=qid,
            group=gid,
            ask=_text(q, "ask", where, self.problems),
            yes=self.terms(q.get("yes_means"), f"{where}.yes_means", required=True),
            contradicted_by=contradictions,
            sources=self.sources(q.get("sources"), f"{where}.sources"),
            note=_text(q, "note", where, self.problems, required=False),
        )
        if question.ask and not question.ask.endswith("?"):
            self.problems.append(f"{where}.ask: a question ends with '?'")
        return question

    def contradictions(self, raw: Iterable[Any], where: str) -> tuple[Contradiction, ...]:
        """What contradicts a "no" to one question."""
        out: list[Contradiction] = []
        for j, c in enumerate(raw):
            cw = f"{where}.contradicted_by[{j}]"
            if not isinstance(c, dict):
                self.problems.append(f"{cw}: must be a mapping")
                continue
            rids = _strings(c.get("regions"), f"{cw}.regions", self.problems)
            for r in rids:
                if r not in self.regions:
                    self.problems.append(f"{cw}.regions: {r!r} is not a region id of regions.yaml")
            quals = _strings(c.get("qualities"), f"{cw}.qualities", self.problems)
            for ql in quals:
                if ql not in QUALITIES:
                    self.problems.append(f"{cw}.qualities: {ql!r} is not a pain quality")
            cterms = self.terms(c.get("terms"), f"{cw}.terms")
            if not (rids or quals or cterms):
                self.problems.append(f"{cw}: give regions, qualities or terms")
            out.append(Contradiction(_text(c, "why", cw, self.problems), rids, quals, cterms))
        return tuple(out)


def parse(data: Any, kb: KnowledgeBase) -> Screen:
    """The screen a parsed screening file describes; ScreeningError listing every problem otherwise."""
    if not isinstance(data, dict):
        raise ScreeningError("screening.yaml: expected 'groups:' and 'questions:'")
    raw_groups = data.get("groups") or []
    raw_questions = data.get("questions") or []
    if not isinstance(raw_groups, list) or not isinstance(raw_questions, list):
        raise ScreeningError("screening.yaml: 'groups' and 'questions' must be lists")
    reading = _Reading(kb)
    heads = reading.heads(raw_groups)
    by_group: dict[str, list[Question]] = {h[0]: [] for h in heads}
    reading.questions(raw_questions, by_group)
    for gid, qs in by_group.items():
        if not qs:
            reading.problems.append(f"group {gid}: has no question")
    if reading.problems:
        raise ScreeningError("screening.yaml: " + "; ".join(reading.problems))
    return Screen(tuple(Group(gid, n, s, src, tuple(by_group[gid])) for gid, n, s, src in heads))


def load_screen(path: Path = DATA, kb: KnowledgeBase | None = None) -> Screen:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as e:
        raise ScreeningError(f"cannot read {path.name}: {e}") from None
    return parse(data, kb or knowledge())


@cache
def safety_screen() -> Screen:
    """The packaged safety screen (read once)."""
    return load_screen()
