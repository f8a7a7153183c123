"""The intake: what the client tells and shows at the first discussion, and the safety screen."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any

from taut.anatomy.pain import PainDrawing, PainDrawingError
from taut.clinic import rules
from taut.clinic.catalogue import Catalogue
from taut.clinic.errors import RecordValidationError
from taut.clinic.factors import BIOCHEMICAL, BIOMECHANICAL, PSYCHOSOCIAL
from taut.clinic.people import Client
from taut.knowledge.screening import ANSWERS, safety_screen
from taut.reasoning.case import Case

ONSETS = ("sudden", "gradual", "unknown")


@dataclass(frozen=True, kw_only=True)
class ScreeningAnswer:
    """One red-flag or caution question of the symptom vocabulary, answered yes or no."""

    term: str
    present: bool


@dataclass(frozen=True, kw_only=True)
class ScreenAnswer:
    """One question of the structured safety screen (knowledge/data/screening.yaml) answered yes, no or unsure.
    "Unsure" is not ruled out: the question stays open for the therapist."""

    question: str  # the question id
    answer: str  # yes | no | unsure


@dataclass(frozen=True, kw_only=True)
class Biomechanical:
    """The biomechanical factors (declared in clinic/factors.py: BIOMECHANICAL; the fields of the first version
    first, so stored and exported intakes keep their order)."""

    posture: str = ""
    gait: str = ""
    work: str = ""
    sport: str = ""
    desk_hours: float | None = None  # hours a day at a desk or a screen
    sport_hours: float | None = None  # hours of sport a week
    injuries: str = ""

    def __post_init__(self) -> None:
        BIOMECHANICAL.check(self)


@dataclass(frozen=True, kw_only=True)
class Biochemical:
    """The biochemical factors (clinic/factors.py: BIOCHEMICAL)."""

    hydration: str = ""
    nutrition: str = ""
    sleep: str = ""
    medications: str = ""  # effects of medications (the list of medications is the intake's own)
    sleep_hours: float | None = None
    sleep_quality: str | None = None  # good | fair | poor
    conditions: str = ""

    def __post_init__(self) -> None:
        BIOCHEMICAL.check(self)


@dataclass(frozen=True, kw_only=True)
class Psychosocial:
    """The psychosocial factors (clinic/factors.py: PSYCHOSOCIAL)."""

    stress: str = ""
    stress_level: int | None = None  # 0-10, as the client rates it
    mood: str | None = None  # good | mixed | low
    worries: str = ""
    pss10: int | None = None  # Perceived Stress Scale, 0-40, when taken

    def __post_init__(self) -> None:
        PSYCHOSOCIAL.check(self)


@dataclass(frozen=True, kw_only=True)
class Factors:
    """The three groups of factors of the method: biomechanical, biochemical, psychosocial."""

    biomechanical: Biomechanical = field(default_factory=Biomechanical)
    biochemical: Biochemical = field(default_factory=Biochemical)
    psychosocial: Psychosocial = field(default_factory=Psychosocial)


@dataclass(frozen=True, kw_only=True)
class Intake:
    id: int | None = None
    recorded_on: date
    pain_drawing: PainDrawing
    chief_complaint: str
    onset: str = "unknown"
    began_on: date | None = None
    duration_weeks: int | None = None
    duration_days: int | None = None  # how long the client has been feeling it, in days
    mechanisms: tuple[str, ...] = ()  # vocabulary terms of kind "mechanism"
    aggravators: tuple[str, ...] = ()  # kind "aggravator"
    symptoms: tuple[str, ...] = ()  # kinds "quality" and "associated"
    history: str = ""
    medications: tuple[str, ...] = ()
    screening: tuple[ScreeningAnswer, ...] = ()  # kinds "redflag" and "caution"
    answers: tuple[ScreenAnswer, ...] = ()  # the structured safety screen, by question id
    factors: Factors = field(default_factory=Factors)
    version: int = 1  # one more for each amendment (the earlier versions are kept: clinic/amendments.py)

    def validate(self, catalogue: Catalogue) -> Intake:
        """Check every field; returns the intake with vocabulary words in their canonical form."""
        rules.a_date("intake.recorded_on", self.recorded_on)
        if not isinstance(self.pain_drawing, PainDrawing):
            raise RecordValidationError("intake.pain_drawing", "must be a PainDrawing")
        try:
            self.pain_drawing.require_nonempty()
        except PainDrawingError as e:
            raise RecordValidationError("intake.pain_drawing", str(e)) from None
        rules.text("intake.chief_complaint", self.chief_complaint, max_len=2000)
        rules.one_of("intake.onset", self.onset, ONSETS)
        if self.began_on is not None:
            rules.a_date("intake.began_on", self.began_on)
            rules.not_after("intake.began_on", self.began_on, self.recorded_on, "the intake date")
        rules.optional_whole_number("intake.duration_weeks", self.duration_weeks, 0, 5200)
        rules.optional_whole_number("intake.duration_days", self.duration_days, 0, 36500)
        rules.text("intake.history", self.history, required=False)
        for i, med in enumerate(self.medications):
            rules.text(f"intake.medications[{i}]", med, max_len=200)

        def terms(name: str, words: tuple[str, ...], kinds: tuple[str, ...]) -> tuple[str, ...]:
            out = tuple(catalogue.check_term(f"intake.{name}[{i}]", w, kinds) for i, w in enumerate(words))
            rules.unique(f"intake.{name}", out)
            return out

        screening = tuple(
            ScreeningAnswer(
                term=catalogue.check_term(f"intake.screening[{i}].term", a.term, ("redflag", "caution")),
                present=_bool(f"intake.screening[{i}].present", a.present),
            )
            for i, a in enumerate(self.screening)
        )
        rules.unique("intake.screening", [a.term for a in screening])
        mechanisms = terms("mechanisms", self.mechanisms, ("mechanism",))
        aggravators = terms("aggravators", self.aggravators, ("aggravator",))
        symptoms = terms("symptoms", self.symptoms, ("quality", "associated"))
        answers = check_answers(self.answers, self.pain_drawing, (*mechanisms, *aggravators, *symptoms))
        return Intake(
            id=self.id,
            recorded_on=self.recorded_on,
            pain_drawing=self.pain_drawing,
            chief_complaint=self.chief_complaint.strip(),
            onset=self.onset,
            began_on=self.began_on,
            duration_weeks=self.duration_weeks,
            duration_days=self.duration_days,
            mechanisms=mechanisms,
            aggravators=aggravators,
            symptoms=symptoms,
            history=self.history,
            medications=self.medications,
            screening=screening,
            answers=answers,
            factors=self.factors,
        )

    def to_dict(self) -> dict[str, Any]:
        """Every field but the id as plain values (the drawing in its list form): the stored and API form."""
        return {
            "recorded_on": self.recorded_on,
            "pain_drawing": self.pain_drawing.to_list(),
            "chief_complaint": self.chief_complaint,
            "onset": self.onset,
            "began_on": self.began_on,
            "duration_weeks": self.duration_weeks,
            "duration_days": self.duration_days,
            "mechanisms": list(self.mechanisms),
            "aggravators": list(self.aggravators),
            "symptoms": list(self.symptoms),
            "history": self.history,
            "medications": list(self.medications),
            "screening": [{"term": a.term, "present": a.present} for a in self.screening],
            "answers": [{"question": a.question, "answer": a.answer} for a in self.answers],
            "factors": asdict(self.factors),
        }

    @classmethod
    def from_dict(cls, d: Mapping[Any, Any], *, id: int | None = None) -> Intake:
        """The intake ``to_dict`` describes; PainDrawingError when the drawing cannot be read."""
        f = d["factors"]
        return cls(
            id=id,
            recorded_on=d["recorded_on"],
            pain_drawing=PainDrawing.from_list(d["pain_drawing"]),
            chief_complaint=d["chief_complaint"],
            onset=d["onset"],
            began_on=d["began_on"],
            duration_weeks=d["duration_weeks"],
            duration_days=d.get("duration_days"),
            mechanisms=tuple(d["mechanisms"]),
            aggravators=tuple(d["aggravators"]),
            symptoms=tuple(d["symptoms"]),
            history=d["history"],
            medications=tuple(d["medications"]),
            screening=tuple(ScreeningAnswer(term=a["term"], present=a["present"]) for a in d["screening"]),
            answers=tuple(
                ScreenAnswer(question=a["question"], answer=a["answer"]) for a in (d.get("answers") or ())
            ),
            factors=Factors(
                biomechanical=Biomechanical(**f["biomechanical"]),
                biochemical=Biochemical(**f["biochemical"]),
                psychosocial=Psychosocial(**f["psychosocial"]),
            ),
        )

    def red_flags(self, catalogue: Catalogue) -> tuple[str, ...]:
        """Red flags answered yes: refer first, treat nothing."""
        return tuple(
            a.term for a in self.screening if a.present and catalogue.term_kinds[a.term] == "redflag"
        )

    def cautions(self, catalogue: Catalogue) -> tuple[str, ...]:
        """Cautions answered yes: they limit pressure and position in the session."""
        return tuple(
            a.term for a in self.screening if a.present and catalogue.term_kinds[a.term] == "caution"
        )

    def answer(self, question: str) -> str | None:
        """The answer to one question of the safety screen (None: not asked)."""
        for a in self.answers:
            if a.question == question:
                return a.answer
        return None

    def screen_terms(self) -> tuple[str, ...]:
        """The vocabulary terms the "yes" answers of the safety screen mean."""
        screen = safety_screen()
        out = [t for a in self.answers if a.answer == "yes" for t in screen.question(a.question).yes]
        return tuple(dict.fromkeys(out))

    def open_questions(self) -> tuple[str, ...]:
        """Questions of the safety screen not ruled out: answered "unsure", or not asked at all."""
        given = {a.question: a.answer for a in self.answers}
        return tuple(q for q in safety_screen().ids() if given.get(q, "unsure") == "unsure")

    def days_so_far(self) -> int | None:
        """How long the client has felt it at the intake, in days: as given, else from the weeks or the day it
        began."""
        if self.duration_days is not None:
            return self.duration_days
        if self.duration_weeks is not None:
            return self.duration_weeks * 7
        if self.began_on is not None and self.began_on <= self.recorded_on:
            return (self.recorded_on - self.began_on).days
        return None


def check_answers(
    answers: tuple[ScreenAnswer, ...], drawing: PainDrawing, story: tuple[str, ...]
) -> tuple[ScreenAnswer, ...]:
    """The answers if each names a question of the safety screen, is yes / no / unsure, and no "no" is
    contradicted by the drawing or the story (``story``: the intake's symptoms, mechanisms and aggravators);
    RecordValidationError naming the answer and the question otherwise."""
    screen = safety_screen()
    for i, a in enumerate(answers):
        where = f"intake.answers[{i}]"
        if not isinstance(a, ScreenAnswer):
            raise RecordValidationError(where, "must be a question id with its answer")
        try:
            q = screen.question(a.question)
        except LookupError as e:
            raise RecordValidationError(f"{where}.question", str(e)) from None
        rules.one_of(f"{where}.answer", a.answer, ANSWERS)
        if a.answer == "no":
            why = q.contradiction(drawing, story)
            if why is not None:
                raise RecordValidationError(
                    f"{where}.answer",
                    f'"no" to "{q.ask}" ({q.id}) contradicts the intake: {why}; answer yes or unsure',
                )
    rules.unique("intake.answers", [a.question for a in answers])
    return answers


def _bool(field_name: str, value: object) -> bool:
    if not isinstance(value, bool):
        raise RecordValidationError(field_name, f"must be yes or no (true/false), not {value!r}")
    return value


def engine_case(intake: Intake, client: Client) -> Case:
    """The suggestion engine's case for an intake: the drawing, every vocabulary term it holds (screening
    answers that were yes included, and the terms the safety screen's "yes" answers mean), the client's age on
    the intake date and sex, the onset (sudden or gradual) and how many days it has lasted."""
    terms = (
        *intake.mechanisms,
        *intake.aggravators,
        *intake.symptoms,
        *(a.term for a in intake.screening if a.present),
        *intake.screen_terms(),
    )
    sex = client.sex if client.sex in ("female", "male") else None
    return Case(
        intake.pain_drawing,
        tuple(dict.fromkeys(terms)),
        client.age_on(intake.recorded_on),
        sex,
        f"intake {intake.id}",
        onset=intake.onset if intake.onset in ("sudden", "gradual") else None,
        duration_days=intake.days_so_far(),
    )
