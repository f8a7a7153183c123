"""Typed, frozen models of the knowledge base. Data files are validated against these at load time."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

SourceRef = str  # "key" or "key:locator" with key from sources.yaml, e.g. "simons1999:ch. 6"


class Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Sourced(Frozen):
    """A group of facts with the sources they come from (at least one)."""

    sources: tuple[SourceRef, ...] = Field(min_length=1)
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
    essential: tuple[str, ...] = Field(min_length=1)  # region ids: referred pain almost always felt here
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

    terms: tuple[str, ...] = Field(min_length=1)


class TextGroup(Sourced):
    items: tuple[str, ...] = Field(min_length=1)


class Entrapment(Sourced):
    structure: str  # e.g. "sciatic nerve"
    symptoms: tuple[str, ...] = Field(min_length=1)  # vocabulary terms, e.g. tingling, numbness
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
    techniques: tuple[str, ...] = Field(min_length=1)  # technique ids from techniques.yaml
    cautions: tuple[str, ...] = ()
    self_care: SelfCare


class Muscle(Frozen):
    name: str  # canonical, exactly as in muscle-names.tsv
    aliases: tuple[str, ...] = ()
    body_part: str
    action: str
    innervation: str
    anatomy_sources: tuple[SourceRef, ...] = Field(min_length=1)
    involvement: Involvement
    trigger_points: tuple[TriggerPoint, ...] = Field(min_length=1)
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

    @field_validator("name")
    @classmethod
    def _lower(cls, v: str) -> str:
        if v != v.strip().lower():
            raise ValueError("the canonical name is written in lower case without surrounding spaces")
        return v

    @property
    def slug(self) -> str:
        return self.name.replace(" ", "_").replace("-", "_")


class ExamineStep(Frozen):
    muscle: str  # canonical muscle name
    why: str | None = None
    prevalence: float | None = Field(
        default=None, ge=0, le=1
    )  # share of patients with TrPs, where a study says


class Condition(Sourced):
    id: str
    name: str
    aliases: tuple[str, ...] = ()
    summary: str
    examine: tuple[ExamineStep, ...] = Field(min_length=1)  # in order
    entrapment_sites: tuple[str, ...] = ()
    red_flags: tuple[str, ...] = ()  # rule ids from red_flags.yaml
    differential: tuple[str, ...] = Field(min_length=1)


Onset = Literal["sudden", "gradual"]


class RuleWhen(Frozen):
    """When a red flag or caution is raised: every given part must hold (a list part: at least one of it).

    Terms are vocabulary terms; regions are body-map region ids, ``area:ID`` or ``part:ID`` (regions.yaml).
    A part about the story (age, sex, onset, duration) does not hold when the case does not tell it.
    """

    any_terms: tuple[str, ...] = ()  # at least one of these vocabulary terms
    all_terms: tuple[str, ...] = ()  # every one of these
    any_regions: tuple[str, ...] = ()  # at least one painted region among these
    # The painted regions of any_regions must be felt this way (numbness or tingling painted on the region,
    # or said as a symptom of the case): "numbness in the saddle regions".
    felt_as: tuple[str, ...] = ()
    both_sides: bool = False  # any_regions painted on the left and on the right (bilateral leg symptoms)
    min_age: int | None = Field(default=None, ge=0, le=120)
    max_age: int | None = Field(default=None, ge=0, le=120)
    sex: Literal["female", "male"] | None = None
    onset: Onset | None = None  # how the pain began
    min_days: int | None = Field(default=None, ge=0)  # the pain has lasted at least this many days
    max_days: int | None = Field(default=None, ge=0)  # ... at most this many days (a new pain)
    mechanism: tuple[str, ...] = ()  # what led to it: at least one (fall, lifting, recent neck manipulation)
    aggravated_by: tuple[str, ...] = ()  # brought on by: at least one (walking uphill, stairs = exertional)
    signs: tuple[str, ...] = ()  # associated signs: at least one (facial numbness, sweating with the pain)
    risk_factors: tuple[str, ...] = ()  # at least min_risk_factors of these
    min_risk_factors: int = Field(default=1, ge=1)
    # Nothing told explains the pain by movement: no aggravating movement or posture and no mechanism (injury,
    # strain, new exercise). Pain that movement does not change points away from muscle (visceral referral).
    unexplained_by_movement: bool = False
    # No mechanism told (no injury, strain, new exercise, posture at work): what brings the pain on may be said.
    no_mechanism: bool = False
    none_of: tuple[str, ...] = ()  # the alternative does not hold when one of these terms is told

    @model_validator(mode="after")
    def _coherent(self) -> RuleWhen:
        if not any(getattr(self, f) not in (None, (), False) for f in _CONDITION_FIELDS):
            raise ValueError("a 'when' alternative needs at least one condition")
        if (self.felt_as or self.both_sides) and not self.any_regions:
            raise ValueError("felt_as and both_sides need any_regions (the regions they apply to)")
        if self.min_age is not None and self.max_age is not None and self.min_age > self.max_age:
            raise ValueError(f"min_age {self.min_age} is above max_age {self.max_age}")
        if self.min_days is not None and self.max_days is not None and self.min_days > self.max_days:
            raise ValueError(f"min_days {self.min_days} is above max_days {self.max_days}")
        if self.risk_factors and self.min_risk_factors > len(self.risk_factors):
            raise ValueError(
                f"min_risk_factors {self.min_risk_factors} is more than the {len(self.risk_factors)} listed"
            )
        if self.min_risk_factors != 1 and not self.risk_factors:
            raise ValueError("min_risk_factors needs risk_factors")
        return self

    def term_fields(self) -> dict[str, tuple[str, ...]]:
        """The parts that name vocabulary terms, by field name (for validation against the vocabulary)."""
        return {f: getattr(self, f) for f in _TERM_FIELDS}


_TERM_FIELDS = (
    "any_terms",
    "all_terms",
    "felt_as",
    "mechanism",
    "aggravated_by",
    "signs",
    "risk_factors",
    "none_of",
)
_CONDITION_FIELDS = (
    *_TERM_FIELDS,
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
    when: tuple[RuleWhen, ...] = Field(min_length=1)  # raised when any alternative holds
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
