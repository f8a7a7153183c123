"""Load and validate the knowledge base. Every problem is reported as file:line with what is wrong."""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any, TypeVar

from taut.anatomy import body_map
from taut.anatomy.datafile import DataFileError, Doc, Problem, Problems
from taut.anatomy.diskcache import cached, code_key, files_key
from taut.knowledge.model import Condition, Frozen, Muscle, Rule, Source, Technique

R = TypeVar("R", bound=Frozen)

DATA_DIR = Path(__file__).parent / "data"


def _unknown(what: str, given: str, key: str, names: dict[str, str], cutoff: float = 0.6) -> LookupError:
    """LookupError for an unknown name, with up to three close matches (``names``: normalised key -> name)."""
    close = difflib.get_close_matches(key, list(names), n=3, cutoff=cutoff)
    found = list(dict.fromkeys(names[c] for c in close))
    hint = f"; did you mean: {', '.join(found)}?" if found else ""
    return LookupError(f"unknown {what} {given!r}{hint}")


class KnowledgeError(DataFileError):
    """The data files are not valid; ``problems`` lists each one as file:line."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(problems, "the knowledge base")


@dataclass(frozen=True)
class VocabularyTerm:
    term: str
    kind: str
    meaning: str
    synonyms: tuple[str, ...]


@dataclass(eq=False)
class KnowledgeBase:
    muscles: dict[str, Muscle]  # canonical name -> muscle
    conditions: dict[str, Condition]
    rules: dict[str, Rule]
    techniques: dict[str, Technique]
    sources: dict[str, Source]
    vocabulary: dict[str, VocabularyTerm]
    files: dict[str, str] = field(default_factory=dict)  # muscle name -> data file (relative)
    canonical: dict[str, tuple[str, tuple[str, ...]]] = field(default_factory=dict)  # name -> (part, aliases)
    groups: dict[str, tuple[str, ...]] = field(default_factory=dict)  # scorer groups, e.g. hamstrings
    _aliases: dict[str, str] = field(default_factory=dict)
    _synonyms: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for m in self.muscles.values():
            self._aliases[_norm(m.name)] = m.name
            self._aliases[_norm(m.slug)] = m.name
        for m in self.muscles.values():
            for a in m.aliases:
                self._aliases.setdefault(_norm(a), m.name)
        for t in self.vocabulary.values():
            self._synonyms[_norm(t.term)] = t.term
        for t in self.vocabulary.values():
            for s in t.synonyms:
                self._synonyms.setdefault(_norm(s), t.term)

    def muscle(self, name: str) -> Muscle:
        """A muscle by canonical name, alias or slug; a typo raises LookupError with 'did you mean'."""
        key = _norm(name)
        if key in self._aliases:
            return self.muscles[self._aliases[key]]
        raise _unknown("muscle", name, key, self._aliases)

    def condition(self, name: str) -> Condition:
        key = _norm(name)
        for c in self.conditions.values():
            if key in {_norm(c.id), _norm(c.name), *(_norm(a) for a in c.aliases)}:
                return c
        choices = {_norm(c.name): c.name for c in self.conditions.values()}
        choices.update({_norm(c.id): c.name for c in self.conditions.values()})
        raise _unknown("condition", name, key, choices, cutoff=0.5)

    def term(self, word: str) -> VocabularyTerm:
        """A vocabulary term by its name or a synonym; unknown words raise LookupError with suggestions."""
        key = _norm(word)
        if key in self._synonyms:
            return self.vocabulary[self._synonyms[key]]
        raise _unknown("symptom or history term", word, key, self._synonyms)

    def trigger_point(self, trp_id: str) -> tuple[Muscle, Any]:
        slug, _, _ = trp_id.partition(".")
        m = self.muscles.get(self._aliases.get(_norm(slug), ""))
        if m is not None:
            for tp in m.trigger_points:
                if tp.id == trp_id:
                    return m, tp
        raise LookupError(f"unknown trigger point {trp_id!r}")


def _norm(s: str) -> str:
    return " ".join(s.lower().replace("-", " ").replace("_", " ").split())


# --- reading the data files ---------------------------------------------------------------------


class _Files(Problems):
    """The data files under ``root``, read with line numbers; problems collect as they are found."""

    def __init__(self, root: Path) -> None:
        super().__init__()
        self.root = root

    def doc(self, path: Path) -> Doc | None:
        rel = str(path.relative_to(self.root.parent)) if path.is_relative_to(self.root.parent) else str(path)
        return self.read(path, rel)

    def check(self, kind: type[R], data: Any, doc: Doc, base: tuple[Any, ...] = ()) -> R | None:
        """``data`` as a ``kind`` record, or None with every problem its schema finds noted at its own line."""
        from taut.knowledge.schema import record, schema

        checked = self.validate(schema(kind), data, doc, base)
        return None if checked is None else record(checked)  # type: ignore[no-any-return]

    def by_id(self, filename: str, key: str, kind: type[R]) -> tuple[dict[str, R], Doc | None]:
        """Validate every item of a top-level list and index it by id; a repeated id is a problem."""
        doc = self.doc(self.root / filename)
        out: dict[str, R] = {}
        for i, item in self.listed(doc, key):
            assert doc is not None
            obj = self.check(kind, item, doc, (key, i))
            if obj is None:
                continue
            oid = obj.id  # type: ignore[attr-defined]
            if oid in out:
                self.add(doc, (key, i, "id"), f"id {oid!r} is used twice")
            out[oid] = obj
        return out, doc


def _sources(fs: _Files) -> dict[str, Source]:
    sources: dict[str, Source] = {}
    for path in [fs.root / "sources.yaml", *sorted((fs.root / "sources").glob("*.yaml"))]:
        doc = fs.doc(path)
        for i, item in fs.listed(doc, "sources"):
            assert doc is not None
            s = fs.check(Source, item, doc, ("sources", i))
            if s is None:
                continue
            if s.key in sources:
                fs.add(doc, ("sources", i), f"source key {s.key!r} is defined twice")
            sources[s.key] = s
    return sources


def _vocabulary(fs: _Files) -> dict[str, VocabularyTerm]:
    vocabulary: dict[str, VocabularyTerm] = {}
    doc = fs.doc(fs.root / "vocabulary.yaml")
    if doc is None or not isinstance(doc.data, dict):
        return vocabulary
    for term, spec in (doc.data.get("terms") or {}).items():
        if not isinstance(spec, dict) or not isinstance(spec.get("kind"), str):
            fs.add(doc, ("terms", term), f"term {term!r} needs a kind")
            continue
        vocabulary[term] = VocabularyTerm(
            term, spec["kind"], spec.get("meaning", ""), tuple(spec.get("synonyms") or ())
        )
    return vocabulary


@dataclass
class _Names:
    """muscle_names.yaml: the evaluation contract's muscles (body part, the names a user may type) and the
    scorer's groups. A muscle beyond the contract is not listed here: its data file alone describes it."""

    doc: Doc | None
    canonical: dict[str, tuple[str, tuple[str, ...]]]
    groups: dict[str, tuple[str, ...]]


def _names(fs: _Files) -> _Names:
    names = _Names(fs.doc(fs.root / "muscle_names.yaml"), {}, {})
    doc = names.doc
    if doc is None or not isinstance(doc.data, dict):
        return names
    for name, spec in (doc.data.get("muscles") or {}).items():
        if not isinstance(spec, dict) or not isinstance(spec.get("body_part"), str):
            fs.add(doc, ("muscles", name), f"muscle {name!r} needs a body_part")
            continue
        names.canonical[name] = (spec["body_part"], tuple(spec.get("aliases") or ()))
    for g, members in (doc.data.get("groups") or {}).items():
        names.groups[g] = tuple(members)
    return names


@dataclass
class _Muscles:
    muscles: dict[str, Muscle] = field(default_factory=dict)
    files: dict[str, str] = field(default_factory=dict)  # name -> data file
    docs: dict[str, Doc] = field(default_factory=dict)
    broken: set[str] = field(default_factory=set)  # names of files that failed their schema


def _muscles(fs: _Files, names: _Names) -> _Muscles:
    """Every muscle file, checked against the schema and the contract's names. A name the contract does not
    list is a new muscle, unless it is close to a listed name that has no file yet (a typo)."""
    found = _Muscles()
    read: list[tuple[Doc, Muscle]] = []
    for path in sorted((fs.root / "muscles").rglob("*.yaml")):
        doc = fs.doc(path)
        if doc is None:
            continue
        m = fs.check(Muscle, doc.data, doc)
        if m is None:
            raw = doc.data.get("name") if isinstance(doc.data, dict) else None
            found.broken.add(str(raw))  # its problems are reported; it is not also "missing"
            continue
        read.append((doc, m))
    with_files = {m.name for _, m in read} | found.broken
    for doc, m in read:
        if m.name not in names.canonical and not _new_muscle(fs, doc, m, names, with_files):
            continue
        _contract_aliases(fs, doc, m, names)
        if m.name in found.muscles:
            fs.add(doc, ("name",), f"muscle {m.name!r} is also in {found.files[m.name]}")
            continue
        found.muscles[m.name] = m
        found.files[m.name] = doc.rel
        found.docs[m.name] = doc
    return found


def _new_muscle(fs: _Files, doc: Doc, m: Muscle, names: _Names, with_files: set[str]) -> bool:
    """Accept a muscle beyond the contract (its body part and aliases from its own file), or report a typo."""
    unfiled = [n for n in names.canonical if n not in with_files]
    close = difflib.get_close_matches(m.name, unfiled, n=1)
    if close:
        fs.add(doc, ("name",), f"{m.name!r} is not a canonical muscle name (did you mean {close[0]!r}?)")
        return False
    names.canonical[m.name] = (m.body_part, m.aliases)
    return True


def _contract_aliases(fs: _Files, doc: Doc, m: Muscle, names: _Names) -> None:
    part, aliases = names.canonical[m.name]
    missing = [a for a in aliases if a.lower() not in {x.lower() for x in m.aliases}]
    if missing:
        fs.add(doc, ("aliases",), f"aliases must include the contract's names: {missing}")
    if m.body_part != part:
        fs.add(doc, ("body_part",), f"body part {m.body_part!r} differs from muscle_names.yaml ({part!r})")


# --- cross-references ---------------------------------------------------------------------------


class _Check:
    """Checks the names one data file uses against the rest of the knowledge base."""

    def __init__(
        self,
        fs: _Files,
        sources: dict[str, Source],
        vocabulary: dict[str, VocabularyTerm],
        canonical: dict[str, tuple[str, tuple[str, ...]]],
        techniques: dict[str, Technique],
    ) -> None:
        self.fs, self.sources, self.vocabulary = fs, sources, vocabulary
        self.canonical, self.techniques = canonical, techniques
        self.bm = body_map()
        self.trp_ids: set[str] = set()

    def sources_of(self, doc: Doc, loc: tuple[Any, ...], refs: Iterable[str]) -> None:
        for j, ref in enumerate(refs):
            key = ref.split(":", 1)[0].strip()
            if key not in self.sources:
                self.fs.add(doc, (*loc, j), f"unknown source {key!r}{_hint(key, self.sources, 1)}")

    def regions(self, doc: Doc, loc: tuple[Any, ...], regions: Iterable[str], groups: bool = False) -> None:
        for j, rid in enumerate(regions):
            if groups and rid.partition(":")[2] in (
                self.bm.areas if rid.startswith("area:") else self.bm.parts
            ):
                continue  # area:ID or part:ID (rules name groups of regions)
            if rid not in self.bm:
                self.fs.add(
                    doc, (*loc, j), f"unknown body-map region {rid!r}{_hint(rid, self.bm.regions, 2)}"
                )

    def terms(
        self, doc: Doc, loc: tuple[Any, ...], terms: Iterable[str], kinds: set[str] | None = None
    ) -> None:
        for j, term in enumerate(terms):
            vt = self.vocabulary.get(term)
            if vt is None:
                self.fs.add(
                    doc, (*loc, j), f"unknown vocabulary term {term!r}{_hint(term, self.vocabulary, 2)}"
                )
            elif kinds and vt.kind not in kinds:
                self.fs.add(doc, (*loc, j), f"{term!r} is a {vt.kind}, expected {'/'.join(sorted(kinds))}")

    def muscles(self, doc: Doc, loc: tuple[Any, ...], names: Iterable[str]) -> None:
        for j, name in enumerate(names):
            if name not in self.canonical:
                self.fs.add(doc, (*loc, j), f"unknown muscle {name!r}{_hint(name, self.canonical, 1)}")


def _hint(given: str, known: Iterable[str], n: int) -> str:
    close = difflib.get_close_matches(given, list(known), n=n)
    if not close:
        return ""
    return f" (did you mean {close[0]!r}?)" if n == 1 else f" (did you mean {', '.join(close)}?)"


def _check_muscle(ck: _Check, d: Doc, m: Muscle) -> None:
    ck.sources_of(d, ("anatomy_sources",), m.anatomy_sources)
    ck.sources_of(d, ("involvement", "sources"), m.involvement.sources)
    for i, tp in enumerate(m.trigger_points):
        _check_trigger_point(ck, d, m, i, tp)
    for group, kinds in (
        ("symptoms", {"quality", "associated"}),
        ("aggravators", {"aggravator"}),
        ("mechanisms", {"mechanism"}),
    ):
        g = getattr(m, group)
        if g is not None:
            ck.terms(d, (group, "terms"), g.terms, kinds)
            ck.sources_of(d, (group, "sources"), g.sources)
    for group in ("perpetuating_factors", "restricted_motion"):
        g = getattr(m, group)
        if g is not None:
            ck.sources_of(d, (group, "sources"), g.sources)
    for i, ent in enumerate(m.entrapments):
        ck.terms(d, ("entrapments", i, "symptoms"), ent.symptoms)
        ck.regions(d, ("entrapments", i, "regions"), ent.regions)
        ck.sources_of(d, ("entrapments", i, "sources"), ent.sources)
    if m.relations is not None:
        ck.muscles(d, ("relations", "satellites"), m.relations.satellites)
        ck.muscles(d, ("relations", "key_muscles"), m.relations.key_muscles)
        ck.sources_of(d, ("relations", "sources"), m.relations.sources)
    ck.sources_of(d, ("examination", "sources"), m.examination.sources)
    ck.sources_of(d, ("treatment", "sources"), m.treatment.sources)
    for j, tech in enumerate(m.treatment.techniques):
        if tech not in ck.techniques:
            known = ", ".join(ck.techniques)
            ck.fs.add(d, ("treatment", "techniques", j), f"unknown technique {tech!r}; known: {known}")


def _check_trigger_point(ck: _Check, d: Doc, m: Muscle, i: int, tp: Any) -> None:
    loc = ("trigger_points", i)
    add = ck.fs.add
    if not tp.id.startswith(m.slug + ".trp"):
        add(d, (*loc, "id"), f"trigger point id {tp.id!r} must start with '{m.slug}.trp'")
    if tp.id in ck.trp_ids:
        add(d, (*loc, "id"), f"trigger point id {tp.id!r} is used twice")
    ck.trp_ids.add(tp.id)
    for key in ("essential", "spillover", "crossing"):
        ck.regions(d, (*loc, key), getattr(tp, key))
    ck.regions(d, (*loc, "marker"), [tp.marker.region])
    if tp.crossing and tp.laterality != "crosses_midline":
        add(d, (*loc, "crossing"), "crossing is only for laterality crosses_midline")
    stray = set(tp.crossing) - set(tp.essential) - set(tp.spillover)
    if stray:
        add(d, (*loc, "crossing"), f"crossing regions must be in the zone: {sorted(stray)}")
    region = ck.bm.regions.get(tp.marker.region)
    if region is not None and tp.marker.view not in region.views:
        add(
            d,
            (*loc, "marker", "view"),
            f"region {tp.marker.region!r} is not drawn on the {tp.marker.view} view "
            f"(it is on: {', '.join(region.views)})",
        )
    both = set(tp.essential) & set(tp.spillover)
    if both:
        add(d, (*loc, "spillover"), f"region(s) in both essential and spillover: {sorted(both)}")
    ck.sources_of(d, (*loc, "sources"), tp.sources)


def _check_lists(
    ck: _Check,
    docs: tuple[Doc | None, Doc | None, Doc | None],
    techniques: dict[str, Technique],
    rules: dict[str, Rule],
    conditions: dict[str, Condition],
) -> None:
    """The cross-references of techniques.yaml, red_flags.yaml and conditions.yaml."""
    tdoc, rdoc, cdoc = docs
    if tdoc is not None:
        for i, t in enumerate(techniques.values()):
            ck.sources_of(tdoc, ("techniques", i, "sources"), t.sources)
    if rdoc is not None:
        for i, r in enumerate(rules.values()):
            ck.sources_of(rdoc, ("rules", i, "sources"), r.sources)
            for k, w in enumerate(r.when):
                for field, terms in w.term_fields().items():
                    ck.terms(rdoc, ("rules", i, "when", k, field), terms)
                ck.regions(rdoc, ("rules", i, "when", k, "any_regions"), w.any_regions, groups=True)
    if cdoc is not None:
        for i, c in enumerate(conditions.values()):
            ck.sources_of(cdoc, ("conditions", i, "sources"), c.sources)
            ck.muscles(cdoc, ("conditions", i, "examine"), [s.muscle for s in c.examine])
            if c.presents_as and not any(st.prevalence is not None for st in c.examine):
                ck.fs.add(
                    cdoc,
                    ("conditions", i, "presents_as"),
                    "presents_as needs an examine step with a prevalence (the evidence it gives the ranking)",
                )
            for k, pr in enumerate(c.presents_as):
                loc = ("conditions", i, "presents_as", k)
                ck.regions(cdoc, (*loc, "any_regions"), pr.any_regions, groups=True)
                ck.terms(cdoc, (*loc, "felt_as"), pr.felt_as)
            for j, rid in enumerate(c.red_flags):
                if rid not in rules:
                    ck.fs.add(cdoc, ("conditions", i, "red_flags", j), f"unknown red-flag rule {rid!r}")


def load(root: Path | None = None, *, complete: bool = True) -> KnowledgeBase:
    """Read and check every data file. Raises KnowledgeError listing every problem found.

    With ``complete`` (the default) every muscle of the contract (muscle_names.yaml) must have its data file;
    a file that fails its schema reports its own problems and is not also reported missing.
    """
    fs = _Files(root or DATA_DIR)
    sources = _sources(fs)
    vocabulary = _vocabulary(fs)
    names = _names(fs)
    contract = list(names.canonical)
    techniques, tdoc = fs.by_id("techniques.yaml", "techniques", Technique)
    rules, rdoc = fs.by_id("red_flags.yaml", "rules", Rule)
    conditions, cdoc = fs.by_id("conditions.yaml", "conditions", Condition)
    found = _muscles(fs, names)
    ck = _Check(fs, sources, vocabulary, names.canonical, techniques)
    for name, m in found.muscles.items():
        _check_muscle(ck, found.docs[name], m)
    _check_lists(ck, (tdoc, rdoc, cdoc), techniques, rules, conditions)
    if complete and names.doc is not None:
        for name in contract:
            if name not in found.muscles and name not in found.broken:
                fs.add(names.doc, ("muscles", name), f"no data file for muscle {name!r} under muscles/")
    if fs:
        raise KnowledgeError(fs.found)
    return KnowledgeBase(
        found.muscles,
        conditions,
        rules,
        techniques,
        sources,
        vocabulary,
        found.files,
        names.canonical,
        names.groups,
    )


# --- the cache ----------------------------------------------------------------------------------

# the code whose classes the cached copy holds, or whose rules checked it: a change to any of them is a new key
_CODE = (
    "knowledge/loader.py",
    "knowledge/model.py",
    "knowledge/schema.py",
    "anatomy/regions.py",
    "anatomy/datafile.py",
)


def _fingerprint(root: Path) -> str:
    """The key of the cached copy: Taut's version, Python's, the code that built it and the data files'
    names, sizes and times."""
    import taut

    package = Path(taut.__file__).parent
    h = code_key(*(rel.encode() + b"\0" + (package / rel).read_bytes() for rel in _CODE))
    return files_key(h, root.rglob("*.yaml"), root)


@cache
def knowledge() -> KnowledgeBase:
    """The packaged knowledge base, loaded and checked once per process.

    A checked copy is kept in the user's cache directory (``taut.anatomy.diskcache``, beside the body map's),
    keyed by the data files (names, sizes and times) and by the code that reads them (Taut's version and the
    loader's and model's source), so the command line starts fast; any change to a data file or to that code
    loads and checks everything again.
    """
    return cached("knowledge", _fingerprint(DATA_DIR), load, KnowledgeBase)
