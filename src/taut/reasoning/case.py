"""What the engine reads: a pain drawing, the client's terms (symptoms, aggravators, mechanisms, red flags,
cautions), age and sex. Parsed from plain words or from a case file (shared/eval/FORMAT.md)."""

from __future__ import annotations

import json
import re
from array import array
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from taut.anatomy.pain import PainDrawing, PainDrawingError, PainMark, marks_for_term
from taut.anatomy.regions import RegionRef
from taut.knowledge import KnowledgeBase, knowledge


class CaseError(ValueError):
    """A case that cannot be read; the message names the case and the field."""


@dataclass(frozen=True)
class Case:
    drawing: PainDrawing
    terms: tuple[str, ...] = ()  # canonical vocabulary terms
    age: int | None = None
    sex: str | None = None
    id: str | None = None
    # Regions painted together under one term ("index finger" = its palm and back) are one observation.
    groups: tuple[tuple[RegionRef, ...], ...] = ()
    onset: str | None = None  # "sudden" or "gradual" (shared/eval/FORMAT.md)
    duration_days: int | None = None  # how long the pain has lasted, in whole days

    def region_groups(self) -> tuple[tuple[RegionRef, ...], ...]:
        """Disjoint groups covering every painted region (a region alone when no term grouped it)."""
        if not self.groups:
            return tuple([(m.ref,) for m in self.drawing.marks])
        seen: set[RegionRef] = set()
        out: list[tuple[RegionRef, ...]] = []
        refs = self.drawing.refs
        for g in self.groups:
            members = tuple(r for r in g if r in refs and r not in seen)
            if members:
                out.append(members)
                seen.update(members)
        out.extend((m.ref,) for m in self.drawing if m.ref not in seen)
        return tuple(out)

    def terms_of_kind(self, *kinds: str, kb: KnowledgeBase | None = None) -> tuple[str, ...]:
        kb = kb or knowledge()
        return tuple(t for t in self.terms if kb.vocabulary[t].kind in kinds)

    @property
    def qualities(self) -> frozenset[str]:
        """Pain qualities from the terms and from the painted regions. Worked out at each use rather than kept on
        the case: a batch of cases each keeping a new object makes the garbage collector walk the whole heap
        again and again (issue 18: it cost more than working it out twice)."""
        out = {q for m in self.drawing.marks for q in m.qualities}
        if self.terms:
            out |= _quality_terms(knowledge()).intersection(self.terms)
        return frozenset(out)


@cache
def _quality_terms(kb: KnowledgeBase) -> frozenset[str]:
    """The vocabulary's pain qualities."""
    return frozenset(t for t, v in kb.vocabulary.items() if v.kind == "quality")


def canonical_terms(words: list[str] | tuple[str, ...], kb: KnowledgeBase | None = None) -> tuple[str, ...]:
    """Vocabulary terms for the words given (synonyms allowed). Raises CaseError naming an unknown word."""
    kb = kb or knowledge()
    out: list[str] = []
    for w in words:
        if not isinstance(w, str) or not w.strip():
            raise CaseError(f"symptom {w!r} is not a term")
        try:
            t = kb.term(w).term
        except LookupError as e:
            raise CaseError(str(e)) from None
        if t not in out:
            out.append(t)
    return tuple(out)


def check_age_sex(age: Any, sex: Any, where: str = "") -> tuple[int | None, str | None]:
    if age is not None and (isinstance(age, bool) or not isinstance(age, int) or not 0 <= age <= 120):
        raise CaseError(f"{where}age must be a whole number 0-120, not {age!r}")
    if sex is not None and sex not in ("female", "male"):
        raise CaseError(f"{where}sex must be 'female' or 'male', not {sex!r}")
    return age, sex


ONSETS = ("sudden", "gradual")


def check_onset_duration(onset: Any, duration_days: Any, where: str = "") -> tuple[str | None, int | None]:
    """Optional onset (sudden / gradual) and duration in whole days; CaseError naming the field otherwise."""
    if onset is not None and onset not in ONSETS:
        raise CaseError(f"{where}onset must be 'sudden' or 'gradual', not {onset!r}")
    if duration_days is not None and (
        isinstance(duration_days, bool)
        or not isinstance(duration_days, int)
        or not 0 <= duration_days <= 36500
    ):
        raise CaseError(f"{where}duration_days must be a whole number of days 0-36500, not {duration_days!r}")
    return onset, duration_days


def case_from_dict(raw: Any, index: int = 0) -> Case:
    """One case of a case file. ``expected`` is never read."""
    if not isinstance(raw, dict):
        raise CaseError(f"case #{index + 1}: must be an object")
    cid = raw.get("id")
    if not isinstance(cid, str) or not cid:
        raise CaseError(f"case #{index + 1}: field 'id' is required (a non-empty string)")
    where = f"case {cid}: "
    pain = raw.get("pain")
    if not isinstance(pain, list) or not pain:
        raise CaseError(f"{where}field 'pain' must be a non-empty list")
    marks: list[PainMark] = []
    groups: list[tuple[RegionRef, ...]] = []
    for j, p in enumerate(pain):
        field = f"pain[{j}]"
        if not isinstance(p, dict):
            raise CaseError(f"{where}field '{field}' must be an object with 'region'")
        region = p.get("region")
        if not isinstance(region, str):
            raise CaseError(f"{where}field '{field}.region' is required")
        side = p.get("side")
        if side is not None and not isinstance(side, str):
            raise CaseError(f"{where}field '{field}.side' must be left, right or both")
        intensity = p.get("intensity")
        try:
            term_marks, term_groups = _term_marks(region, side, intensity)
        except PainDrawingError as e:
            raise CaseError(f"{where}field '{field}': {e}") from None
        marks.extend(term_marks)
        groups.extend(term_groups)
    symptoms = raw.get("symptoms", [])
    if not isinstance(symptoms, list):
        raise CaseError(f"{where}field 'symptoms' must be a list of terms")
    try:
        terms = canonical_terms(symptoms)
    except CaseError as e:
        raise CaseError(f"{where}field 'symptoms': {e}") from None
    age, sex = check_age_sex(raw.get("age"), raw.get("sex"), where)
    onset, duration_days = check_onset_duration(raw.get("onset"), raw.get("duration_days"), where)
    try:
        drawing = PainDrawing.of(marks).require_nonempty()
    except PainDrawingError as e:
        raise CaseError(f"{where}{e}") from None
    return Case(drawing, terms, age, sex, cid, tuple(groups), onset, duration_days)


_TermMarks = tuple[tuple[PainMark, ...], tuple[tuple[RegionRef, ...], ...]]
_TERM_MARKS: dict[tuple[str, str | None, int | None], _TermMarks] = {}
_TERMS_KEPT = 50_000


def _term_marks(region: str, side: str | None, intensity: Any) -> _TermMarks:
    """``marks_for_term`` and the groups of its marks, kept for the terms of a case file (marks are immutable; the
    same few hundred terms, sides and intensities recur through a file, and reading one in plain words costs
    more than the rest of a case)."""
    if intensity is not None and type(intensity) is not int:
        marks = marks_for_term(region, side, intensity)  # raises: not a whole number
        return tuple(marks), tuple(_groups_of(marks))
    key = (region, side, intensity)
    got = _TERM_MARKS.get(key)
    if got is None:
        marks = marks_for_term(region, side, intensity)
        got = (tuple(marks), tuple(_groups_of(marks)))
        if len(_TERM_MARKS) < _TERMS_KEPT:
            _TERM_MARKS[key] = got
    return got


def _groups_of(marks: list[PainMark]) -> list[tuple[RegionRef, ...]]:
    """One group per side: 'index finger, both sides' is two observations, one per hand."""
    by_side: dict[object, list[RegionRef]] = {}
    for m in marks:
        by_side.setdefault(m.ref.side, []).append(m.ref)
    return [tuple(v) for v in by_side.values()]


def case_from_specs(
    specs: list[str],
    words: list[str] | tuple[str, ...] = (),
    age: Any = None,
    sex: Any = None,
    onset: Any = None,
    duration_days: Any = None,
) -> Case:
    """A case from command-line pain specs (``temple:right:6``), symptom words and the story."""
    from taut.anatomy.pain import parse_spec

    marks: list[PainMark] = []
    groups: list[tuple[RegionRef, ...]] = []
    try:
        for spec in specs:
            spec_marks = parse_spec(spec)
            marks.extend(spec_marks)
            groups.extend(_groups_of(spec_marks))
        drawing = PainDrawing.of(marks).require_nonempty()
    except PainDrawingError as e:
        raise CaseError(str(e)) from None
    age, sex = check_age_sex(age, sex)
    onset, duration_days = check_onset_duration(onset, duration_days)
    return Case(drawing, canonical_terms(list(words)), age, sex, None, tuple(groups), onset, duration_days)


def read_case_file(path: Path) -> list[Case]:
    """All cases of a ``taut-cases/1`` file; the first problem found is raised as CaseError."""
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except OSError as e:
        raise CaseError(f"cannot read {path}: {e.strerror}") from None
    except json.JSONDecodeError as e:
        raise CaseError(f"{path} is not valid JSON (line {e.lineno}, column {e.colno}: {e.msg})") from None
    if not isinstance(doc, dict) or not isinstance(doc.get("cases"), list):
        raise CaseError(f"{path}: expected an object with a 'cases' list (format taut-cases/1)")
    fmt = doc.get("format")
    if fmt is not None and fmt != "taut-cases/1":
        raise CaseError(f"{path}: unknown format {fmt!r}; expected 'taut-cases/1'")
    cases = [case_from_dict(c, i) for i, c in enumerate(doc["cases"])]
    seen: set[str] = set()
    for c in cases:
        if c.id in seen:
            raise CaseError(f"case {c.id}: the id is used twice in {path}")
        seen.add(c.id or "")
    return cases


KEEP = 20_000  # a case file up to this many cases is read once; a larger one twice (checked, then answered)
_SPACE = re.compile(r"[ \t\n\r]*")


class CaseFile:
    """The cases of a ``taut-cases/1`` file, checked whole when made (the first problem is raised as CaseError,
    as ``read_case_file`` raises it), then given out one at a time. Memory does not grow with the file beyond its
    text: a file of up to ``KEEP`` cases keeps the cases it checked; a larger one keeps where each case lies in the
    text and reads it again when it is given out."""

    def __init__(self, path: Path) -> None:
        try:
            self.text = path.read_text(encoding="utf-8")
        except OSError as e:
            raise CaseError(f"cannot read {path}: {e.strerror}") from None
        check = _Check()
        spans = _case_spans(self.text, check)
        if spans is None:  # not the plain shape: the whole-document reader says what is wrong (or reads it)
            self._kept: list[Case] | None = read_case_file(path)
            self._starts = array("q")
            return
        if check.problem is not None:
            raise check.problem
        if check.twice is not None:  # after every case is checked, as read_case_file does
            raise CaseError(f"case {check.twice}: the id is used twice in {path}")
        self._kept = check.kept if len(spans) <= KEEP else None
        # where each case starts, as machine integers: 8 bytes a case and no objects (a worker process forked to
        # answer a block of cases reads them without copying the pages they lie on: cli/batch.py)
        self._starts = array("q", [start for start, _ in spans])

    def __len__(self) -> int:
        return len(self._kept) if self._kept is not None else len(self._starts)

    def __iter__(self) -> Iterator[Case]:
        return self.between(0, len(self))

    def between(self, start: int, stop: int) -> Iterator[Case]:
        """The cases from index ``start`` up to ``stop`` (not included), as iterating gives them."""
        if self._kept is not None:
            yield from self._kept[start:stop]
            return
        decode = json.JSONDecoder().raw_decode
        starts = self._starts
        for i in range(start, min(stop, len(starts))):
            yield case_from_dict(decode(self.text, starts[i])[0], i)


class _Check:
    """Each case of a file checked as the file is read (``case_from_dict``): the first problem, the first id given
    twice, and the cases themselves while there are at most ``KEEP``."""

    def __init__(self) -> None:
        self.problem: CaseError | None = None
        self.twice: str | None = None
        self.seen: set[str] = set()
        self.kept: list[Case] = []

    def __call__(self, index: int, raw: Any) -> None:
        if self.problem is not None:
            return
        try:
            c = case_from_dict(raw, index)
        except CaseError as e:
            self.problem = e
            self.kept = []
            return
        if self.twice is None and c.id in self.seen:
            self.twice = c.id
        self.seen.add(c.id or "")
        if index < KEEP:
            self.kept.append(c)
        elif self.kept:
            self.kept = []  # too many to keep: read again when given out


def _case_spans(text: str, each: Callable[[int, Any], None] | None = None) -> list[tuple[int, int]] | None:
    """Where each case of a ``{"format": "taut-cases/1", "cases": [...]}`` document lies in the text, the
    document's JSON checked on the way; None when the text is anything else (invalid JSON, another shape, a key
    given twice, another format), for ``read_case_file`` to read and judge. ``each`` is given every case as it is
    decoded (its index and value)."""
    decode = json.JSONDecoder().raw_decode
    space = _SPACE.match
    spans: list[tuple[int, int]] | None = None
    keys: set[str] = set()
    try:
        pos = space(text, 0).end()  # type: ignore[union-attr]
        if text[pos : pos + 1] != "{":
            return None
        pos = space(text, pos + 1).end()  # type: ignore[union-attr]
        if text[pos : pos + 1] == "}":
            return None
        while True:
            key, pos = decode(text, pos)
            if not isinstance(key, str) or key in keys:
                return None
            keys.add(key)
            pos = space(text, pos).end()  # type: ignore[union-attr]
            if text[pos : pos + 1] != ":":
                return None
            pos = space(text, pos + 1).end()  # type: ignore[union-attr]
            if key == "cases":
                if text[pos : pos + 1] != "[":
                    return None
                spans = []
                pos = space(text, pos + 1).end()  # type: ignore[union-attr]
                if text[pos : pos + 1] == "]":
                    pos += 1
                else:
                    while True:
                        value, end = decode(text, pos)
                        if each is not None:
                            each(len(spans), value)
                        spans.append((pos, end))
                        pos = space(text, end).end()  # type: ignore[union-attr]
                        if text[pos : pos + 1] == "]":
                            pos += 1
                            break
                        if text[pos : pos + 1] != ",":
                            return None
                        pos = space(text, pos + 1).end()  # type: ignore[union-attr]
            else:
                value, pos = decode(text, pos)
                if key == "format" and value is not None and value != "taut-cases/1":
                    return None
            pos = space(text, pos).end()  # type: ignore[union-attr]
            if text[pos : pos + 1] == "}":
                pos = space(text, pos + 1).end()  # type: ignore[union-attr]
                return spans if pos == len(text) else None
            if text[pos : pos + 1] != ",":
                return None
            pos = space(text, pos + 1).end()  # type: ignore[union-attr]
    except (json.JSONDecodeError, RecursionError):
        return None
