"""The knowledge base's records: plain immutable objects, so reading the cached copy needs no pydantic.

Data files are validated against the pydantic schema ``taut.knowledge.schema`` makes from these classes (the
``metadata`` of a field holds its constraints: ``min_length``, ``ge``, ``le``); the loader turns what passes into
these records. ``as_json()`` gives a record as JSON-ready data (what pydantic's ``model_dump(mode="json")`` gave).

A record class is declared like a frozen, keyword-only dataclass (type checkers treat it as one:
``dataclass_transform``), but ``Frozen`` makes it without generating code: the 23 classes below cost about
1 ms to create instead of about 17 ms as dataclasses, and every command that reads the knowledge base creates them.
"""

from __future__ import annotations

import inspect
from dataclasses import FrozenInstanceError
from typing import Any, ClassVar, Literal, NamedTuple, dataclass_transform

SourceRef = str  # "key" or "key:locator" with key from sources.yaml, e.g. "simons1999:ch. 6"

NONEMPTY: dict[str, Any] = {"min_length": 1}  # a field's constraint: at least one item


class _Missing:
    def __repr__(self) -> str:
        return "MISSING"


MISSING: Any = _Missing()  # a field without a default: it must be given


class Field(NamedTuple):
    """One field of a record class: its name, default (``MISSING`` when required) and constraints."""

    name: str
    default: Any = MISSING
    metadata: dict[str, Any] = {}  # noqa: RUF012 (never changed: read by the schema)


def field(*, default: Any = MISSING, metadata: dict[str, Any] | None = None) -> Any:
    """A field with constraints (``metadata``) and, optionally, a default: ``x: int = field(metadata={...})``."""
    return Field("", default, metadata or {})


def fields(record: Frozen | type[Frozen]) -> tuple[Field, ...]:
    """The fields of a record (class), inherited ones first, each in the order declared."""
    return record._fields


def _json(value: Any) -> Any:
    if isinstance(value, Frozen):
        return value.as_json()
    if isinstance(value, tuple):
        return [_json(v) for v in value]
    return value


@dataclass_transform(kw_only_default=True, frozen_default=True, field_specifiers=(field,))
class Frozen:
    """A record of the knowledge base: made with keyword arguments, immutable, compared and hashed by value."""

    _fields: ClassVar[tuple[Field, ...]] = ()

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        found = {f.name: f for f in cls._fields}
        for name in inspect.get_annotations(cls):
            value = cls.__dict__.get(name, MISSING)
            if isinstance(value, Field):
                found[name] = value._replace(name=name)
                if value.default is MISSING:
                    delattr(cls, name)
                else:
                    setattr(cls, name, value.default)
            else:
                found[name] = Field(name, value)
        cls._fields = tuple(found.values())

    def __init__(self, **values: Any) -> None:
        for f in self._fields:
            value = values.pop(f.name, f.default)
            if value is MISSING:
                raise TypeError(f"{type(self).__name__}: missing field {f.name!r}")
            object.__setattr__(self, f.name, value)
        if values:
            raise TypeError(f"{type(self).__name__}: unknown field(s) {', '.join(sorted(values))}")

    def _values(self) -> tuple[Any, ...]:
        return tuple(getattr(self, f.name) for f in self._fields)

    def __eq__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        return self._values() == other._values()  # type: ignore[attr-defined]

    def __hash__(self) -> int:
        return hash(self._values())

    def __repr__(self) -> str:
        inner = ", ".join(f"{f.name}={getattr(self, f.name)!r}" for f in self._fields)
        return f"{type(self).__name__}({inner})"

    def __setattr__(self, name: str, value: Any) -> None:
        raise FrozenInstanceError(f"cannot assign to field {name!r}")

    def __delattr__(self, name: str) -> None:
        raise FrozenInstanceError(f"cannot delete field {name!r}")

    def as_json(self) -> dict[str, Any]:
        """The record as JSON-ready data, fields in order (tuples as lists, records as objects)."""
        return {f.name: _json(getattr(self, f.name)) for f in self._fields}


class Sourced(Frozen):
    """A group of facts with the sources they come from (at least one)."""

    sources: tuple[SourceRef, ...] = field(metadata=NONEMPTY)
    confidence: Literal["high", "moderate", "low"] = "high"
    note: str | None = None


class Marker(Frozen):
    """Where the trigger point is drawn: an X at the region's centre on one view, nudged by offset."""

    region: str
    view: Literal["front", "back", "side"]
    offset: tuple[float, float] = (0.0, 0.0)


class TriggerPoint(Sourced):
    id: str  # "<muscle_slug>.trp<N>", stable once published
    name: str  # "TrP1, central"
    location: str  # in words
    marker: Marker
    essential: tuple[str, ...] = field(metadata=NONEMPTY)  # region ids: referred pain almost always felt here
    spillover: tuple[str, ...] = ()  # region ids: sometimes felt here
    laterality: Literal["ipsilateral", "bilateral", "crosses_midline", "midline"] = "ipsilateral"
    # With crosses_midline: the regions whose pain reaches the other side too (empty = the whole pattern).
    crossing: tuple[str, ...] = ()
    # A trigger point found on one side only (e.g. the right parasternal arrhythmia TrP of pectoralis major).
    only_side: Literal["left", "right"] | None = None


class Involvement(Sourced):
    """How often the muscle harbours clinically relevant trigger points (the engine's prior)."""

    frequency: Literal["very_common", "common", "occasional", "rare"]


class TermGroup(Sourced):
    """Terms of the symptom vocabulary (symptom-terms.tsv) with their sources."""

    terms: tuple[str, ...] = field(metadata=NONEMPTY)


class TextGroup(Sourced):
    items: tuple[str, ...] = field(metadata=NONEMPTY)


class Entrapment(Sourced):
    structure: str  # e.g. "sciatic nerve"
    symptoms: tuple[str, ...] = field(metadata=NONEMPTY)  # vocabulary terms, e.g. tingling, numbness
    regions: tuple[str, ...] = ()  # where the entrapment symptoms are felt (region ids)


class Relations(Sourced):
    satellites: tuple[str, ...] = ()  # muscles that develop satellite TrPs from this one (canonical names)
    key_muscles: tuple[str, ...] = ()  # muscles whose TrPs induce satellites in this one


class Examination(Sourced):
    position: str
    palpation: Literal["flat", "pincer", "flat and pincer"]
    notes: str | None = None


class SelfCare(Frozen):
    stretch: str
    pressure: str | None = None


class Treatment(Sourced):
    techniques: tuple[str, ...] = field(metadata=NONEMPTY)  # technique ids from techniques.yaml
    cautions: tuple[str, ...] = ()
    self_care: SelfCare


class Muscle(Frozen):
    # canonical, exactly as in muscle-names.tsv; lower case without surrounding spaces (the schema checks it)
    name: str
    aliases: tuple[str, ...] = ()
    body_part: str
    action: str
    innervation: str
    anatomy_sources: tuple[SourceRef, ...] = field(metadata=NONEMPTY)
    involvement: Involvement
    trigger_points: tuple[TriggerPoint, ...] = field(metadata=NONEMPTY)
    symptoms: TermGroup | None = None
    aggravators: TermGroup | None = None
    mechanisms: TermGroup | None = None
    perpetuating_factors: TextGroup | None = None
    restricted_motion: TextGroup | None = None
    entrapments: tuple[Entrapment, ...] = ()
    relations: Relations | None = None
    examination: Examination
    treatment: Treatment
    confidence_note: str | None = None

    @property
    def slug(self) -> str:
        return self.name.replace(" ", "_").replace("-", "_")


class ExamineStep(Frozen):
    muscle: str  # canonical muscle name
    why: str | None = None
    # share of patients with TrPs, where a study says
    prevalence: float | None = field(default=None, metadata={"ge": 0, "le": 1})


class Presentation(Frozen):
    """How a case looks when it may be the condition: a painted region among ``any_regions`` (ids, ``area:ID``
    or ``part:ID``), felt as one of ``felt_as`` when that is given (a quality painted there, or a symptom of the
    case)."""

    any_regions: tuple[str, ...] = field(metadata=NONEMPTY)
    felt_as: tuple[str, ...] = ()


class Condition(Sourced):
    id: str
    name: str
    aliases: tuple[str, ...] = ()
    summary: str
    examine: tuple[ExamineStep, ...] = field(metadata=NONEMPTY)  # in order
    # When a case presents so, the published prevalence of its examine steps informs the engine's ranking.
    presents_as: tuple[Presentation, ...] = ()
    entrapment_sites: tuple[str, ...] = ()
    red_flags: tuple[str, ...] = ()  # rule ids from red_flags.yaml
    differential: tuple[str, ...] = field(metadata=NONEMPTY)


Onset = Literal["sudden", "gradual"]
_AGE = {"ge": 0, "le": 120}
_DAYS = {"ge": 0}


class RuleWhen(Frozen):
    """When a red flag or caution is raised: every given part must hold (a list part: at least one of it).

    Terms are vocabulary terms; regions are body-map region ids, ``area:ID`` or ``part:ID`` (regions.yaml).
    A part about the story (age, sex, onset, duration) does not hold when the case does not tell it.
    The schema checks that the parts agree (``taut.knowledge.schema``).
    """

    any_terms: tuple[str, ...] = ()  # at least one of these vocabulary terms
    all_terms: tuple[str, ...] = ()  # every one of these
    any_regions: tuple[str, ...] = ()  # at least one painted region among these
    # The painted regions of any_regions must be felt this way (numbness or tingling painted on the region,
    # or said as a symptom of the case): "numbness in the saddle regions".
    felt_as: tuple[str, ...] = ()
    both_sides: bool = False  # any_regions painted on the left and on the right (bilateral leg symptoms)
    min_age: int | None = field(default=None, metadata=_AGE)
    max_age: int | None = field(default=None, metadata=_AGE)
    sex: Literal["female", "male"] | None = None
    onset: Onset | None = None  # how the pain began
    min_days: int | None = field(default=None, metadata=_DAYS)  # the pain has lasted at least this many days
    max_days: int | None = field(default=None, metadata=_DAYS)  # ... at most this many days (a new pain)
    mechanism: tuple[str, ...] = ()  # what led to it: at least one (fall, lifting, recent neck manipulation)
    aggravated_by: tuple[str, ...] = ()  # brought on by: at least one (walking uphill, stairs = exertional)
    signs: tuple[str, ...] = ()  # associated signs: at least one (facial numbness, sweating with the pain)
    risk_factors: tuple[str, ...] = ()  # at least min_risk_factors of these
    min_risk_factors: int = field(default=1, metadata={"ge": 1})
    # Nothing told explains the pain by movement: no aggravating movement or posture and no mechanism (injury,
    # strain, new exercise). Pain that movement does not change points away from muscle (visceral referral).
    unexplained_by_movement: bool = False
    # No mechanism told (no injury, strain, new exercise, posture at work): what brings the pain on may be said.
    no_mechanism: bool = False
    none_of: tuple[str, ...] = ()  # the alternative does not hold when one of these terms is told

    def term_fields(self) -> dict[str, tuple[str, ...]]:
        """The parts that name vocabulary terms, by field name (for validation against the vocabulary)."""
        return {f: getattr(self, f) for f in TERM_FIELDS}


TERM_FIELDS = (
    "any_terms",
    "all_terms",
    "felt_as",
    "mechanism",
    "aggravated_by",
    "signs",
    "risk_factors",
    "none_of",
)
CONDITION_FIELDS = (
    *TERM_FIELDS,
    "unexplained_by_movement",
    "no_mechanism",
    "any_regions",
    "min_age",
    "max_age",
    "sex",
    "onset",
    "min_days",
    "max_days",
)


Level = Literal["emergency", "urgent", "refer", "caution"]
# What each level asks of the therapist, most pressing first.
LEVELS: tuple[Level, ...] = ("emergency", "urgent", "refer", "caution")


class Rule(Sourced):
    id: str
    kind: Literal["redflag", "caution"]
    name: str
    when: tuple[RuleWhen, ...] = field(metadata=NONEMPTY)  # raised when any alternative holds
    message: str
    action: Literal[
        "refer_urgently", "refer_before_treatment", "lighten_pressure", "avoid_area", "modify_position"
    ]
    # emergency: call emergency services now; urgent: same-day medical review; refer: refer before treatment;
    # caution: limits shown in the session. Omitted: derived from kind and action.
    level: Level | None = None

    @property
    def urgency(self) -> Level:
        if self.level is not None:
            return self.level
        if self.kind == "caution":
            return "caution"
        return "urgent" if self.action == "refer_urgently" else "refer"


class Technique(Sourced):
    id: str
    name: str
    what: str
    when: str
    dose: str
    hold_seconds: tuple[int, int] | None = None  # default hold range for the session timer
    cautions: tuple[str, ...] = ()


class Source(Frozen):
    key: str
    citation: str
    kind: Literal["book", "study", "review", "web", "guideline"]
