"""Load and validate the knowledge base. Every problem is reported as file:line with what is wrong."""

from __future__ import annotations

import difflib
import hashlib
import os
import pickle
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from taut.anatomy import body_map
from taut.knowledge.model import Condition, Muscle, Rule, Source, Technique

M = TypeVar("M", bound=BaseModel)

DATA_DIR = Path(str(resources.files("taut.knowledge").joinpath("data")))


def _unknown(what: str, given: str, key: str, names: dict[str, str], cutoff: float = 0.6) -> LookupError:
    """LookupError for an unknown name, with up to three close matches (``names``: normalised key -> name)."""
    close = difflib.get_close_matches(key, list(names), n=3, cutoff=cutoff)
    found = list(dict.fromkeys(names[c] for c in close))
    hint = f"; did you mean: {', '.join(found)}?" if found else ""
    return LookupError(f"unknown {what} {given!r}{hint}")


@dataclass(frozen=True)
class Problem:
    file: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.message}"


class KnowledgeError(ValueError):
    """The data files are not valid; ``problems`` lists each one as file:line."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        lines = "\n".join(str(p) for p in problems[:50])
        more = f"\n... and {len(problems) - 50} more" if len(problems) > 50 else ""
        super().__init__(f"{len(problems)} problem(s) in the knowledge base:\n{lines}{more}")


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


# --- reading YAML with line numbers -------------------------------------------------------------


_Loader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Doc:
    """A parsed YAML file that can tell the line of any path inside it."""

    def __init__(self, path: Path, root: Path) -> None:
        self.path = path
        self.rel = str(path.relative_to(root.parent)) if path.is_relative_to(root.parent) else str(path)
        self.text = path.read_text(encoding="utf-8")
        self.data = yaml.load(self.text, Loader=_Loader)
        self._node: Any = None

    @property
    def node(self) -> Any:
        """The YAML node tree, composed only when a line number is needed (an error)."""
        if self._node is None:
            self._node = yaml.compose(self.text, Loader=_Loader)
        return self._node

    def line(self, loc: Iterable[Any]) -> int:
        node = self.node
        line = node.start_mark.line + 1 if node is not None else 1
        for key in loc:
            if node is None:
                break
            nxt = None
            if isinstance(node, yaml.MappingNode):
                for k, v in node.value:
                    if k.value == str(key):
                        nxt = v
                        line = k.start_mark.line + 1
                        break
            elif isinstance(node, yaml.SequenceNode) and isinstance(key, int) and key < len(node.value):
                nxt = node.value[key]
                line = nxt.start_mark.line + 1
            node = nxt
        return line


def _validate(model: type[BaseModel], data: Any, doc: _Doc, base: tuple[Any, ...], problems: list[Problem]):
    try:
        return model.model_validate(data)
    except ValidationError as e:
        for err in e.errors():
            loc = base + tuple(err["loc"])
            where = ".".join(str(x) for x in err["loc"]) or "(top)"
            problems.append(Problem(doc.rel, doc.line(loc), f"{where}: {err['msg']}"))
        return None


def load(root: Path | None = None, *, complete: bool = True) -> KnowledgeBase:
    """Read and check every data file. Raises KnowledgeError listing every problem found.

    With ``complete`` (the default) every canonical muscle must have its data file.
    """
    root = root or DATA_DIR
    problems: list[Problem] = []
    docs: list[_Doc] = []

    def read(path: Path) -> _Doc | None:
        try:
            d = _Doc(path, root)
        except yaml.YAMLError as e:
            mark = getattr(e, "problem_mark", None)
            problems.append(Problem(str(path), (mark.line + 1) if mark else 1, f"not valid YAML: {e}"))
            return None
        except OSError as e:
            problems.append(Problem(str(path), 1, f"cannot read: {e}"))
            return None
        docs.append(d)
        return d

    def listed(doc: _Doc | None, key: str) -> list[tuple[int, Any]]:
        if doc is None:
            return []
        if not isinstance(doc.data, dict) or not isinstance(doc.data.get(key), list):
            problems.append(Problem(doc.rel, 1, f"expected a top-level list '{key}:'"))
            return []
        return list(enumerate(doc.data[key]))

    sources: dict[str, Source] = {}
    for spath in [root / "sources.yaml", *sorted((root / "sources").glob("*.yaml"))]:
        sdoc = read(spath)
        for i, item in listed(sdoc, "sources"):
            s = _validate(Source, item, sdoc, ("sources", i), problems)  # type: ignore[arg-type]
            if s is not None and sdoc is not None:
                if s.key in sources:
                    problems.append(
                        Problem(sdoc.rel, sdoc.line(("sources", i)), f"source key {s.key!r} is defined twice")
                    )
                sources[s.key] = s

    vocabulary: dict[str, VocabularyTerm] = {}
    vdoc = read(root / "vocabulary.yaml")
    if vdoc is not None and isinstance(vdoc.data, dict):
        for term, spec in (vdoc.data.get("terms") or {}).items():
            vocabulary[term] = VocabularyTerm(
                term, spec["kind"], spec.get("meaning", ""), tuple(spec.get("synonyms") or ())
            )

    canonical: dict[str, tuple[str, tuple[str, ...]]] = {}
    groups: dict[str, tuple[str, ...]] = {}
    ndoc = read(root / "muscle_names.yaml")
    if ndoc is not None and isinstance(ndoc.data, dict):
        for name, spec in (ndoc.data.get("muscles") or {}).items():
            canonical[name] = (spec["body_part"], tuple(spec.get("aliases") or ()))
        for g, members in (ndoc.data.get("groups") or {}).items():
            groups[g] = tuple(members)

    def by_id(filename: str, key: str, model: type[M]) -> tuple[dict[str, M], _Doc | None]:
        """Validate every item of a top-level list and index it by id; a repeated id is a problem."""
        doc = read(root / filename)
        out: dict[str, M] = {}
        for i, item in listed(doc, key):
            obj = _validate(model, item, doc, (key, i), problems)  # type: ignore[arg-type]
            if obj is None or doc is None:
                continue
            oid = obj.id  # type: ignore[attr-defined]
            if oid in out:
                problems.append(Problem(doc.rel, doc.line((key, i, "id")), f"id {oid!r} is used twice"))
            out[oid] = obj
        return out, doc

    techniques, tdoc = by_id("techniques.yaml", "techniques", Technique)
    rules, rdoc = by_id("red_flags.yaml", "rules", Rule)
    conditions, cdoc = by_id("conditions.yaml", "conditions", Condition)

    muscles: dict[str, Muscle] = {}
    files: dict[str, str] = {}
    muscle_docs: dict[str, _Doc] = {}
    for path in sorted((root / "muscles").rglob("*.yaml")):
        mdoc = read(path)
        if mdoc is None:
            continue
        m = _validate(Muscle, mdoc.data, mdoc, (), problems)
        if m is None:
            continue
        if m.name not in canonical:
            close = difflib.get_close_matches(m.name, list(canonical), n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            problems.append(
                Problem(mdoc.rel, mdoc.line(("name",)), f"{m.name!r} is not a canonical muscle name{hint}")
            )
            continue
        missing_aliases = [a for a in canonical[m.name][1] if a.lower() not in {x.lower() for x in m.aliases}]
        if missing_aliases:
            problems.append(
                Problem(
                    mdoc.rel,
                    mdoc.line(("aliases",)),
                    f"aliases must include the contract's names: {missing_aliases}",
                )
            )
        if m.name in muscles:
            problems.append(
                Problem(mdoc.rel, mdoc.line(("name",)), f"muscle {m.name!r} is also in {files[m.name]}")
            )
            continue
        muscles[m.name] = m
        files[m.name] = mdoc.rel
        muscle_docs[m.name] = mdoc

    # --- cross-references -------------------------------------------------------------------------
    bm = body_map()

    def check_source(doc: _Doc, loc: tuple[Any, ...], refs: Iterable[str]) -> None:
        for j, ref in enumerate(refs):
            key = ref.split(":", 1)[0].strip()
            if key not in sources:
                close = difflib.get_close_matches(key, list(sources), n=1)
                hint = f" (did you mean {close[0]!r}?)" if close else ""
                problems.append(Problem(doc.rel, doc.line((*loc, j)), f"unknown source {key!r}{hint}"))

    def check_regions(doc: _Doc, loc: tuple[Any, ...], regions: Iterable[str], groups: bool = False) -> None:
        for j, rid in enumerate(regions):
            if groups and rid.partition(":")[2] in (bm.areas if rid.startswith("area:") else bm.parts):
                continue  # area:ID or part:ID (rules name groups of regions)
            if rid not in bm:
                close = difflib.get_close_matches(rid, list(bm.regions), n=2)
                hint = f" (did you mean {', '.join(close)}?)" if close else ""
                problems.append(
                    Problem(doc.rel, doc.line((*loc, j)), f"unknown body-map region {rid!r}{hint}")
                )

    def check_terms(
        doc: _Doc, loc: tuple[Any, ...], terms: Iterable[str], kinds: set[str] | None = None
    ) -> None:
        for j, term in enumerate(terms):
            vt = vocabulary.get(term)
            if vt is None:
                close = difflib.get_close_matches(term, list(vocabulary), n=2)
                hint = f" (did you mean {', '.join(close)}?)" if close else ""
                problems.append(
                    Problem(doc.rel, doc.line((*loc, j)), f"unknown vocabulary term {term!r}{hint}")
                )
            elif kinds and vt.kind not in kinds:
                problems.append(
                    Problem(
                        doc.rel,
                        doc.line((*loc, j)),
                        f"{term!r} is a {vt.kind}, expected {'/'.join(sorted(kinds))}",
                    )
                )

    def check_muscles(doc: _Doc, loc: tuple[Any, ...], names: Iterable[str]) -> None:
        for j, name in enumerate(names):
            if name not in canonical:
                close = difflib.get_close_matches(name, list(canonical), n=1)
                hint = f" (did you mean {close[0]!r}?)" if close else ""
                problems.append(Problem(doc.rel, doc.line((*loc, j)), f"unknown muscle {name!r}{hint}"))

    trp_ids: set[str] = set()
    for name, m in muscles.items():
        d = muscle_docs[name]
        check_source(d, ("anatomy_sources",), m.anatomy_sources)
        check_source(d, ("involvement", "sources"), m.involvement.sources)
        for i, tp in enumerate(m.trigger_points):
            loc = ("trigger_points", i)
            if not tp.id.startswith(m.slug + ".trp"):
                problems.append(
                    Problem(
                        d.rel,
                        d.line((*loc, "id")),
                        f"trigger point id {tp.id!r} must start with '{m.slug}.trp'",
                    )
                )
            if tp.id in trp_ids:
                problems.append(
                    Problem(d.rel, d.line((*loc, "id")), f"trigger point id {tp.id!r} is used twice")
                )
            trp_ids.add(tp.id)
            check_regions(d, (*loc, "essential"), tp.essential)
            check_regions(d, (*loc, "spillover"), tp.spillover)
            check_regions(d, (*loc, "marker"), [tp.marker.region])
            check_regions(d, (*loc, "crossing"), tp.crossing)
            if tp.crossing and tp.laterality != "crosses_midline":
                problems.append(
                    Problem(
                        d.rel, d.line((*loc, "crossing")), "crossing is only for laterality crosses_midline"
                    )
                )
            stray = set(tp.crossing) - set(tp.essential) - set(tp.spillover)
            if stray:
                problems.append(
                    Problem(
                        d.rel,
                        d.line((*loc, "crossing")),
                        f"crossing regions must be in the zone: {sorted(stray)}",
                    )
                )
            if tp.marker.region in bm and tp.marker.view not in bm[tp.marker.region].views:
                problems.append(
                    Problem(
                        d.rel,
                        d.line((*loc, "marker", "view")),
                        f"region {tp.marker.region!r} is not drawn on the {tp.marker.view} view "
                        f"(it is on: {', '.join(bm[tp.marker.region].views)})",
                    )
                )
            both = set(tp.essential) & set(tp.spillover)
            if both:
                problems.append(
                    Problem(
                        d.rel,
                        d.line((*loc, "spillover")),
                        f"region(s) in both essential and spillover: {sorted(both)}",
                    )
                )
            check_source(d, (*loc, "sources"), tp.sources)
        for group, kinds in (
            ("symptoms", {"quality", "associated"}),
            ("aggravators", {"aggravator"}),
            ("mechanisms", {"mechanism"}),
        ):
            g = getattr(m, group)
            if g is not None:
                check_terms(d, (group, "terms"), g.terms, kinds)
                check_source(d, (group, "sources"), g.sources)
        for group in ("perpetuating_factors", "restricted_motion"):
            g = getattr(m, group)
            if g is not None:
                check_source(d, (group, "sources"), g.sources)
        for i, ent in enumerate(m.entrapments):
            check_terms(d, ("entrapments", i, "symptoms"), ent.symptoms)
            check_regions(d, ("entrapments", i, "regions"), ent.regions)
            check_source(d, ("entrapments", i, "sources"), ent.sources)
        if m.relations is not None:
            check_muscles(d, ("relations", "satellites"), m.relations.satellites)
            check_muscles(d, ("relations", "key_muscles"), m.relations.key_muscles)
            check_source(d, ("relations", "sources"), m.relations.sources)
        check_source(d, ("examination", "sources"), m.examination.sources)
        check_source(d, ("treatment", "sources"), m.treatment.sources)
        for j, tech in enumerate(m.treatment.techniques):
            if tech not in techniques:
                problems.append(
                    Problem(
                        d.rel,
                        d.line(("treatment", "techniques", j)),
                        f"unknown technique {tech!r}; known: {', '.join(techniques)}",
                    )
                )

    if tdoc is not None:
        for i, t in enumerate(techniques.values()):
            check_source(tdoc, ("techniques", i, "sources"), t.sources)
    if rdoc is not None:
        for i, r in enumerate(rules.values()):
            check_source(rdoc, ("rules", i, "sources"), r.sources)
            for k, w in enumerate(r.when):
                for field, terms in w.term_fields().items():
                    check_terms(rdoc, ("rules", i, "when", k, field), terms)
                check_regions(rdoc, ("rules", i, "when", k, "any_regions"), w.any_regions, groups=True)
    if cdoc is not None:
        for i, c in enumerate(conditions.values()):
            check_source(cdoc, ("conditions", i, "sources"), c.sources)
            check_muscles(cdoc, ("conditions", i, "examine"), [s.muscle for s in c.examine])
            for j, rid in enumerate(c.red_flags):
                if rid not in rules:
                    problems.append(
                        Problem(
                            cdoc.rel,
                            cdoc.line(("conditions", i, "red_flags", j)),
                            f"unknown red-flag rule {rid!r}",
                        )
                    )

    if complete and ndoc is not None:
        for name in canonical:
            if name not in muscles:
                problems.append(
                    Problem(
                        ndoc.rel,
                        ndoc.line(("muscles", name)),
                        f"no data file for muscle {name!r} under muscles/",
                    )
                )
    if problems:
        raise KnowledgeError(problems)
    return KnowledgeBase(
        muscles, conditions, rules, techniques, sources, vocabulary, files, canonical, groups
    )


def _fingerprint(root: Path) -> str:
    h = hashlib.sha1(__file__.encode())
    for p in sorted(root.rglob("*.yaml")):
        st = p.stat()
        h.update(f"{p.relative_to(root)}:{st.st_size}:{st.st_mtime_ns};".encode())
    return h.hexdigest()[:16]


def _cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "taut"


@cache
def knowledge() -> KnowledgeBase:
    """The packaged knowledge base, loaded and checked once per process.

    A checked copy is kept in the user's cache directory (keyed by the data files' names, sizes and times),
    so the command line starts fast; any change to a data file loads and checks everything again.
    """
    path = _cache_dir() / f"knowledge-{_fingerprint(DATA_DIR)}.pickle"
    try:
        with path.open("rb") as f:
            kb = pickle.load(f)
        if isinstance(kb, KnowledgeBase):
            return kb
    except Exception:  # a missing, stale or unreadable cache is simply rebuilt
        pass
    kb = load()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        with tmp.open("wb") as f:
            pickle.dump(kb, f, protocol=pickle.HIGHEST_PROTOCOL)
        tmp.replace(path)
    except OSError:
        pass  # a read-only home still works, just slower
    return kb
