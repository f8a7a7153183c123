"""The perpetuating factors of the method, declared once: biomechanical, biochemical and psychosocial, each a
few structured fields with free text beside them (issue 17, item 10; Simons et al. 1999, ch. 4).

A declaration says what every adapter needs: the therapist's label, the client's words (the phone intake), the
kind (free text, a whole number, a decimal number or one of some choices), unit and range, and the SOAP note's
words. The record (``clinic.intake.Biomechanical`` and its siblings) checks its values by the declaration; the
staff intake form, the JSON API, the client's phone form, the SOAP note and FHIR read it, and the store keeps
the groups as they are (the intake's ``factors`` JSON). ``tests/unit/clinic/test_factors.py`` fails when a
record's attributes and the declaration differ.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Literal

from taut.clinic import rules
from taut.clinic.errors import RecordValidationError

FactorKind = Literal["text", "whole", "number", "choice"]
TEXT_MAX = 1000


@dataclass(frozen=True, kw_only=True)
class FactorField:
    """One factor: ``text`` is free text ("" when not told); the others are None when not told."""

    name: str  # attribute of the group's record, key of the JSON API and of the stored JSON
    label: str  # what the therapist reads
    ask: str  # the client's words on the phone
    kind: FactorKind
    unit: str = ""  # shown after a number: "h/day"
    low: float | None = None
    high: float | None = None
    choices: tuple[tuple[str, str], ...] = ()  # (stored value, words) of a choice
    form: str = ""  # name in the staff intake form when it differs from ``name`` (kept for saved forms)
    hint: str = ""

    def __post_init__(self) -> None:
        if self.kind in ("whole", "number") and (self.low is None or self.high is None):
            raise ValueError(f"{self.name}: a number needs a range")
        if (self.kind == "choice") != bool(self.choices):
            raise ValueError(f"{self.name}: choices are for a choice, and a choice needs them")

    @property
    def form_key(self) -> str:
        return self.form or self.name

    @property
    def empty(self) -> object:
        return "" if self.kind == "text" else None

    def check(self, where: str, value: object) -> None:
        """RecordValidationError naming ``where`` when ``value`` breaks the declaration."""
        if self.kind == "text":
            rules.text(where, value, required=False, max_len=TEXT_MAX)
        elif value is None:
            return
        elif self.kind == "whole":
            assert self.low is not None and self.high is not None
            rules.whole_number(where, value, int(self.low), int(self.high))
        elif self.kind == "number":
            assert self.low is not None
            rules.number(where, value, self.low, self.high)
        else:
            rules.one_of(where, value, [k for k, _ in self.choices])

    def words(self, value: object) -> str | None:
        """The value in words for the therapist ("Desk work 8 h/day"), None when not told."""
        if value is None or value == "":
            return None
        if self.kind == "choice":
            return f"{self.label} {dict(self.choices).get(str(value), str(value)).lower()}"
        if self.kind == "text":
            return f"{self.label}: {value}"
        shown = f"{value:g}" if isinstance(value, float) else str(value)
        if self.unit.startswith("/"):
            return f"{self.label} {shown}{self.unit}"
        return f"{self.label} {shown}" + (f" {self.unit}" if self.unit else "")


@dataclass(frozen=True)
class FactorGroup:
    name: str  # biomechanical | biochemical | psychosocial
    label: str
    ask: str  # the client's heading
    fields: tuple[FactorField, ...]

    def __iter__(self) -> Iterator[FactorField]:
        return iter(self.fields)

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.fields)

    def field(self, name: str) -> FactorField:
        for f in self.fields:
            if f.name == name:
                return f
        raise LookupError(f"{name!r} is not a {self.name} factor")

    def check(self, record: object) -> None:
        for f in self.fields:
            f.check(f"factors.{self.name}.{f.name}", getattr(record, f.name))

    def words(self, record: object) -> tuple[str, ...]:
        return tuple(w for f in self.fields if (w := f.words(getattr(record, f.name))) is not None)


def _text(name: str, label: str, ask: str, *, form: str = "", hint: str = "") -> FactorField:
    return FactorField(name=name, label=label, ask=ask, kind="text", form=form, hint=hint)


QUALITY = (("good", "Good"), ("fair", "Fair"), ("poor", "Poor"))

BIOMECHANICAL = FactorGroup(
    "biomechanical",
    "Biomechanical",
    "Work, posture, sport and old injuries",
    (
        _text("work", "Work", "What is your work, and how do you do it?", hint="e.g. accountant, laptop"),
        FactorField(
            name="desk_hours",
            label="Desk or screen work",
            ask="Hours a day at a desk or a screen",
            kind="number",
            unit="h/day",
            low=0,
            high=24,
        ),
        _text("posture", "Posture", "How do you sit, stand or sleep most of the time?"),
        _text("gait", "Gait", "Anything about how you walk?"),
        _text("sport", "Sport", "Which sports or exercise do you do?"),
        FactorField(
            name="sport_hours",
            label="Sport",
            ask="Hours of sport or exercise a week",
            kind="number",
            unit="h/week",
            low=0,
            high=100,
        ),
        _text("injuries", "Old injuries", "Old injuries, operations or accidents"),
    ),
)

BIOCHEMICAL = FactorGroup(
    "biochemical",
    "Biochemical",
    "Sleep, drinking, eating, medicines and health",
    (
        FactorField(
            name="sleep_hours",
            label="Sleep",
            ask="Hours of sleep a night",
            kind="number",
            unit="h/night",
            low=0,
            high=24,
        ),
        FactorField(
            name="sleep_quality",
            label="Sleep quality",
            ask="How well do you sleep?",
            kind="choice",
            choices=QUALITY,
        ),
        _text("sleep", "Sleep notes", "Anything about your sleep (waking with pain, ...)"),
        _text("hydration", "Hydration", "How much do you drink in a day (water, coffee, ...)?"),
        _text("nutrition", "Nutrition", "How do you eat (regular meals, a special diet, ...)?"),
        _text(
            "medications",
            "Medication effects",
            "Effects of your medicines you noticed (muscle aches, ...)",
            form="medication_effects",
            hint="e.g. muscle aches since starting a statin",
        ),
        _text("conditions", "Conditions", "Health conditions (thyroid, anaemia, diabetes, ...)"),
    ),
)

MOODS = (("good", "Good"), ("mixed", "Up and down"), ("low", "Low"))

PSYCHOSOCIAL = FactorGroup(
    "psychosocial",
    "Psychosocial",
    "Stress, mood and worries",
    (
        FactorField(
            name="stress_level",
            label="Stress level",
            ask="How stressed do you feel these days? 0 = not at all, 10 = extremely",
            kind="whole",
            unit="/10",
            low=0,
            high=10,
        ),
        _text("stress", "Stress", "What causes your stress?"),
        FactorField(name="mood", label="Mood", ask="How is your mood lately?", kind="choice", choices=MOODS),
        _text("worries", "Worries", "Is anything worrying you about this pain or your life?"),
        FactorField(
            name="pss10",
            label="PSS-10",
            ask="Perceived Stress Scale (PSS-10) score, if you know it",
            kind="whole",
            unit="/40",
            low=0,
            high=40,
        ),
    ),
)

FACTORS: tuple[FactorGroup, ...] = (BIOMECHANICAL, BIOCHEMICAL, PSYCHOSOCIAL)


def group(name: str) -> FactorGroup:
    for g in FACTORS:
        if g.name == name:
            return g
    raise RecordValidationError("factors", f"{name!r} is not a group of factors")


def parse(f: FactorField, raw: str, where: str) -> object:
    """A typed value of ``f`` from a form's text ("" -> not told); RecordValidationError naming ``where``."""
    raw = raw.strip()
    if not raw:
        return f.empty
    if f.kind == "text":
        return raw
    if f.kind == "choice":
        return rules.one_of(where, raw, [k for k, _ in f.choices])
    assert f.low is not None and f.high is not None
    of = "of hours " if f.unit.startswith("h") else ""
    try:
        value: float = int(raw) if f.kind == "whole" else float(raw.replace(",", "."))
    except ValueError:
        whole = "whole " if f.kind == "whole" else ""
        raise RecordValidationError(
            where, f"must be a {whole}number {of}{f.low:g}-{f.high:g}, not {raw!r}"
        ) from None
    if not (f.low <= value <= f.high):  # also refuses NaN
        raise RecordValidationError(where, f"must be between {f.low:g} and {f.high:g}, not {raw}")
    return value
