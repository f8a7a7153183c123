"""What the engine answers: red flags first, cautions, the ranked muscles with their reasons, what stays
unexplained, likely entrapments, a covering set of trigger points and an examination order."""

from __future__ import annotations

import json
from dataclasses import dataclass, field, fields
from functools import cached_property
from math import isfinite
from typing import Any

# Compact JSON written straight from the answer objects: byte for byte what
# ``json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode(obj.to_dict())`` writes (the tests check it),
# without building the dictionaries. Texts from the knowledge base (names, ids, region keys) are quoted once.
_quote = json.encoder.encode_basestring  # type: ignore[attr-defined]
_encode = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
_KEEP = 100_000  # texts and lists kept quoted, at most


class _Quoted(dict[str, str]):
    """A knowledge-base text -> its JSON string, quoted when first asked for (``_Q[text]``) and kept: there are
    only so many."""

    def __missing__(self, text: str) -> str:
        got = _quote(text)
        if len(self) < _KEEP:
            self[text] = got
        return got


class _Lists(dict[tuple[str, ...], str]):
    """A tuple of knowledge-base texts -> its JSON list, kept (the same lists recur: trigger points, zones)."""

    def __missing__(self, items: tuple[str, ...]) -> str:
        got = "[" + ",".join([_Q[t] for t in items]) + "]"
        if len(self) < _KEEP:
            self[items] = got
        return got


_Q = _Quoted()
_L = _Lists()
_new = object.__new__
_set = object.__setattr__


def _q(text: str) -> str:
    """A knowledge-base text as a JSON string (kept: there are only so many)."""
    return _Q[text]


def _num(x: float) -> str:
    """A float as the json module writes it."""
    return float.__repr__(x) if isfinite(x) else _encode(x)


def _texts(items: tuple[str, ...]) -> str:
    """A tuple of knowledge-base texts as a JSON list (kept, up to a bound: the same lists recur)."""
    return _L[items]


def _texts_once(items: tuple[str, ...]) -> str:
    """A tuple of texts as a JSON list, not kept: lists made for one case (what stays unexplained, the
    examination order) rarely recur, and keeping them would only fill memory."""
    return "[" + ",".join([_Q[t] for t in items]) + "]"


def _score(score: float) -> str:
    """``round(score, 4)`` as the json module writes it, for a score between 0 and 1: the four decimals without
    their trailing zeros (``%.4f`` rounds the float's exact value as ``round`` does; no shorter text reads back
    as the same float). tests/unit/reasoning/test_fast_paths.py checks it against the json module. Kept by value
    (the same scores recur: a muscle explaining nothing scores alike across drawings), zero aside (0.0 and -0.0
    are one key but two texts)."""
    got = _SCORES.get(score)
    if got is not None:
        return got
    if 0.0 <= score <= 1.0:
        text = "%.4f" % score  # noqa: UP031 (the fastest way to four decimals)
        text = text.rstrip("0")
        if text[-1] == ".":
            text += "0"
    else:
        text = _num(round(score, 4))
    if score and len(_SCORES) < _KEEP:
        _SCORES[score] = text
    return text


_SCORES: dict[float, str] = {}


@dataclass(frozen=True)
class Flag:
    code: str
    name: str
    message: str
    action: str
    because: tuple[str, ...]  # the client's terms (and facts) that raised it
    level: str = "refer"  # emergency | urgent | refer | caution (knowledge.model.LEVELS)

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "name": self.name,
            "message": self.message,
            "action": self.action,
            "level": self.level,
            "because": list(self.because),
        }

    @cached_property
    def json(self) -> str:
        """to_dict() as compact JSON."""
        return _encode(self.to_dict())


@dataclass(frozen=True)
class Explained:
    """A painted region a muscle explains, and through which zone of which trigger point."""

    ref: str  # region key, e.g. head.temple:right
    region_name: str
    zone: str  # essential | spillover
    trigger_point: str

    def __getattr__(self, name: str) -> str:
        """``json``: the reason as compact JSON, as RankedMuscle.to_dict() lists it, worked out when first asked
        for and then kept as a plain attribute (read faster than a cached_property; the engine's model makes
        thousands of these, so none is written before it is needed)."""
        if name != "json":
            raise AttributeError(name)
        got = (
            f'{{"region":{_q(self.ref)},"name":{_q(self.region_name)},"zone":{_q(self.zone)},'
            f'"trigger_point":{_q(self.trigger_point)}}}'
        )
        _set(self, "json", got)
        return got


@dataclass(frozen=True)
class Support:
    """Other evidence for a muscle: a symptom, aggravating movement, mechanism or entrapment."""

    kind: str  # symptom | aggravator | mechanism | entrapment | prior
    term: str
    factor: float  # likelihood ratio (or prior odds) it contributed

    def __getattr__(self, name: str) -> str:
        """``json``: the reason as compact JSON, worked out when first asked for, then a plain attribute."""
        if name != "json":
            raise AttributeError(name)
        got = f'{{"kind":{_q(self.kind)},"term":{_q(self.term)},"factor":{_num(round(self.factor, 2))}}}'
        _set(self, "json", got)
        return got


@dataclass(frozen=True, slots=True)
class RankedMuscle:
    muscle: str
    side: str  # right | left | both
    score: float  # 0-1
    logodds: float
    trigger_points: tuple[str, ...]
    explains: tuple[Explained, ...]
    support: tuple[Support, ...]
    missing_essential: tuple[str, ...] = ()  # essential regions of its main TrP the client did not paint

    def to_dict(self) -> dict[str, Any]:
        return {
            "muscle": self.muscle,
            "side": self.side,
            "score": round(self.score, 4),
            "trigger_points": list(self.trigger_points),
            "explains": [
                {"region": e.ref, "name": e.region_name, "zone": e.zone, "trigger_point": e.trigger_point}
                for e in self.explains
            ],
            "support": [{"kind": s.kind, "term": s.term, "factor": round(s.factor, 2)} for s in self.support],
            "missing_essential": list(self.missing_essential),
        }

    def to_json(self) -> str:
        """to_dict() as compact JSON, written directly (``_ranking_json``)."""
        return _ranking_json((self,))


def _ranking_json(ranking: tuple[RankedMuscle, ...]) -> str:
    """The muscles' to_json(), comma-separated. The text before the score is kept per (muscle, side); the text
    around the support (trigger points, explained regions, missing regions) is written once per set of those three
    objects and kept (``_around``): the engine shares them between answers."""
    out: list[str] = []
    heads, around, scores = _HEADS, _AROUND, _SCORES
    for m in ranking:
        head = heads.get((m.muscle, m.side))
        if head is None:
            head = _head(m.muscle, m.side)
        t, e, missing = m.trigger_points, m.explains, m.missing_essential
        got = around.get((id(t), id(e), id(missing)))
        before, after = _around(t, e, missing) if got is None else got[1]
        support = m.support
        score = scores.get(m.score) or _score(m.score)
        out.append(
            f"{head}{score},{before}"
            f"{support[0].json if len(support) == 1 else ','.join([s.json for s in support])}{after}"
        )
    return ",".join(out)


def _head(muscle: str, side: str) -> str:
    """A ranked muscle's JSON up to its score, kept (there are only so many muscles and sides)."""
    got = f'{{"muscle":{_Q[muscle]},"side":{_Q[side]},"score":'
    if len(_HEADS) < _KEEP:
        _HEADS[(muscle, side)] = got
    return got


_HEADS: dict[tuple[str, str], str] = {}


def _around(
    trigger_points: tuple[str, ...], explains: tuple[Explained, ...], missing: tuple[str, ...]
) -> tuple[str, str]:
    """A RankedMuscle's JSON from its trigger points to its support's opening bracket, and from the support's
    closing bracket on; kept by the identity of the three objects (the entry holds them, so no other object has
    their ids while it is kept)."""
    key = (id(trigger_points), id(explains), id(missing))
    got = _AROUND.get(key)
    if got is not None:
        return got[1]
    text = (
        f'"trigger_points":{_L[trigger_points]},"explains":[{",".join([e.json for e in explains])}],"support":[',
        f'],"missing_essential":{_L[missing]}}}',
    )
    if len(_AROUND) >= _KEEP_AROUND:
        _AROUND.clear()
    _AROUND[key] = ((trigger_points, explains, missing), text)
    return text


_AROUND: dict[tuple[int, int, int], tuple[tuple[object, ...], tuple[str, str]]] = {}
_KEEP_AROUND = 20_000  # kept at most (then started afresh)


_RANKED_FIELDS = (
    "muscle",
    "side",
    "score",
    "logodds",
    "trigger_points",
    "explains",
    "support",
    "missing_essential",
)


class RankedMuscleDraft:
    """A plain object laid out as a RankedMuscle (the same slots): ``ranked_muscle`` fills one, then makes it one
    by setting its ``__class__``."""

    __slots__ = _RANKED_FIELDS

    muscle: str
    side: str
    score: float
    logodds: float
    trigger_points: tuple[str, ...]
    explains: tuple[Explained, ...]
    support: tuple[Support, ...]
    missing_essential: tuple[str, ...]


def ranked_muscle(
    muscle: str,
    side: str,
    score: float,
    logodds: float,
    trigger_points: tuple[str, ...],
    explains: tuple[Explained, ...],
    support: tuple[Support, ...],
    missing_essential: tuple[str, ...] = (),
) -> RankedMuscle:
    """``RankedMuscle(...)`` without the frozen dataclass's field-by-field __init__ (the engine makes twenty a
    case): the same object, equal to the one the constructor makes (tests/unit/reasoning checks both)."""
    # A plain object's attributes are set the fast way; its class is then made RankedMuscle (the same layout:
    # Python allows it), which is frozen from then on.
    u = _new(RankedMuscleDraft)
    u.muscle = muscle
    u.side = side
    u.score = score
    u.logodds = logodds
    u.trigger_points = trigger_points
    u.explains = explains
    u.support = support
    u.missing_essential = missing_essential
    u.__class__ = RankedMuscle  # type: ignore[assignment]
    m: RankedMuscle = u  # type: ignore[assignment]
    return m


@dataclass(frozen=True)
class Entrapment:
    muscle: str
    side: str
    structure: str
    symptoms: tuple[str, ...]
    regions: tuple[str, ...]

    def to_json(self) -> str:
        return (
            f'{{"muscle":{_q(self.muscle)},"side":{_q(self.side)},"structure":{_q(self.structure)},'
            f'"symptoms":{_texts(self.symptoms)},"regions":{_texts(self.regions)}}}'
        )


@dataclass(frozen=True)
class CoverStep:
    muscle: str
    side: str
    trigger_point: str
    trigger_point_name: str
    explains: tuple[str, ...]  # region keys newly explained by this step

    def to_json(self) -> str:
        return (
            f'{{"muscle":{_q(self.muscle)},"side":{_q(self.side)},"trigger_point":{_q(self.trigger_point)},'
            f'"name":{_q(self.trigger_point_name)},"explains":{_texts(self.explains)}}}'
        )


def cover_step(
    muscle: str, side: str, trigger_point: str, trigger_point_name: str, explains: tuple[str, ...]
) -> CoverStep:
    """``CoverStep(...)`` without the frozen dataclass's field-by-field __init__: the same object, equal to the one
    the constructor makes (tests/unit/reasoning checks both)."""
    c = _new(CoverStep)
    d = c.__dict__
    d["muscle"] = muscle
    d["side"] = side
    d["trigger_point"] = trigger_point
    d["trigger_point_name"] = trigger_point_name
    d["explains"] = explains
    return c


@dataclass(frozen=True)
class Suggestion:
    case_id: str | None
    red_flags: tuple[Flag, ...]
    cautions: tuple[Flag, ...]
    ranking: tuple[RankedMuscle, ...]
    unexplained: tuple[str, ...] = ()
    entrapments: tuple[Entrapment, ...] = ()
    cover: tuple[CoverStep, ...] = ()
    exam_order: tuple[str, ...] = ()
    method: str = "engine"
    notes: tuple[str, ...] = field(default_factory=tuple)

    def to_dict(self) -> dict[str, Any]:
        """The answer object of shared/eval/FORMAT.md, with Taut's extra keys."""
        return {
            "id": self.case_id,
            "method": self.method,
            "advice": "refer before treatment" if self.red_flags else None,
            "red_flags": [f.to_dict() for f in self.red_flags],
            "cautions": [f.to_dict() for f in self.cautions],
            "ranking": [m.to_dict() for m in self.ranking],
            "unexplained": list(self.unexplained),
            "entrapments": [
                {
                    "muscle": e.muscle,
                    "side": e.side,
                    "structure": e.structure,
                    "symptoms": list(e.symptoms),
                    "regions": list(e.regions),
                }
                for e in self.entrapments
            ],
            "cover": [
                {
                    "muscle": c.muscle,
                    "side": c.side,
                    "trigger_point": c.trigger_point,
                    "name": c.trigger_point_name,
                    "explains": list(c.explains),
                }
                for c in self.cover
            ],
            "exam_order": list(self.exam_order),
        }

    def to_json(self) -> str:
        """to_dict() as compact JSON, written directly from the objects: the same text as
        ``json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode(self.to_dict())``."""
        advice = '"refer before treatment"' if self.red_flags else "null"
        return (
            f'{{"id":{_encode(self.case_id)},"method":{_q(self.method)},"advice":{advice},'
            f'"red_flags":[{",".join([f.json for f in self.red_flags])}],'
            f'"cautions":[{",".join([f.json for f in self.cautions])}],'
            f'"ranking":[{_ranking_json(self.ranking)}],'
            f'"unexplained":{_texts_once(self.unexplained)},'
            f'"entrapments":[{",".join([e.to_json() for e in self.entrapments])}],'
            f'"cover":[{",".join([c.to_json() for c in self.cover])}],'
            f'"exam_order":{_texts_once(self.exam_order)}}}'
        )


_SUGGESTION_FIELDS = (
    "case_id",
    "red_flags",
    "cautions",
    "ranking",
    "unexplained",
    "entrapments",
    "cover",
    "exam_order",
    "method",
    "notes",
)


def engine_suggestion(
    case_id: str | None,
    red_flags: tuple[Flag, ...],
    cautions: tuple[Flag, ...],
    ranking: tuple[RankedMuscle, ...],
    unexplained: tuple[str, ...],
    entrapments: tuple[Entrapment, ...],
    cover: tuple[CoverStep, ...],
    exam_order: tuple[str, ...],
) -> Suggestion:
    """``Suggestion(..., method="engine")`` without the frozen dataclass's field-by-field __init__: the same
    object, equal to the one the constructor makes (tests/unit/reasoning checks both)."""
    s = _new(Suggestion)
    _set(
        s,
        "__dict__",
        {
            "case_id": case_id,
            "red_flags": red_flags,
            "cautions": cautions,
            "ranking": ranking,
            "unexplained": unexplained,
            "entrapments": entrapments,
            "cover": cover,
            "exam_order": exam_order,
            "method": "engine",
            "notes": (),
        },
    )
    return s


assert tuple(f.name for f in fields(RankedMuscle)) == _RANKED_FIELDS, "ranked_muscle() must list every field"
assert RankedMuscle.__slots__ == RankedMuscleDraft.__slots__, "a draft must be laid out as a RankedMuscle"
assert tuple(f.name for f in fields(CoverStep)) == (
    "muscle",
    "side",
    "trigger_point",
    "trigger_point_name",
    "explains",
), "cover_step() must list every field"
assert tuple(f.name for f in fields(Suggestion)) == _SUGGESTION_FIELDS, (
    "engine_suggestion() must list every field"
)
