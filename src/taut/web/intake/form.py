"""Reading the intake form into an Intake, and the values to show again when the form comes back with an
error (everything typed, ticked and painted)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from taut.clinic.errors import RecordValidationError
from taut.clinic.factors import FACTORS, parse
from taut.clinic.intake import (
    ONSETS,
    Biochemical,
    Biomechanical,
    Factors,
    Intake,
    Psychosocial,
    ScreenAnswer,
    ScreeningAnswer,
)
from taut.knowledge.screening import ANSWERS, safety_screen
from taut.services.intake_support import drawing_from_list
from taut.web import forms
from taut.web.intake.vocab import caution_questions

SCREEN = "screen__"  # prefix of a caution question's field: screen__pregnancy = yes | no
ANSWER = "answer__"  # prefix of a safety-screen answer's field: answer__saddle_numbness = yes | no | unsure
UNITS = {"days": 1, "weeks": 7, "months": 30, "years": 365}  # how long: the unit's days (a month as 30)
TEXTS = tuple(f.form_key for g in FACTORS for f in g if f.kind == "text")
MULTI = ("mechanisms", "aggravators", "symptoms")


@dataclass
class IntakeForm:
    """What the page shows: plain values by field name, ticked terms, screening answers, the drawing."""

    values: dict[str, str] = field(default_factory=dict)
    ticked: dict[str, list[str]] = field(default_factory=dict)
    screening: dict[str, str] = field(default_factory=dict)  # caution term -> "yes" | "no"
    answers: dict[str, str] = field(default_factory=dict)  # question id -> "yes" | "no" | "unsure"
    drawing: list[dict[str, Any]] = field(default_factory=list)


def blank(today: date) -> IntakeForm:
    return IntakeForm(values={"recorded_on": today.isoformat(), "onset": "unknown", "duration_unit": "days"})


def _last(form: dict[str, list[str]], name: str) -> str:
    values = form.get(name) or [""]
    return values[-1]


def shown(form: dict[str, list[str]]) -> IntakeForm:
    """The submitted form as it will be shown again."""
    plain = {
        k: v[-1]
        for k, v in form.items()
        if v and k not in MULTI and not k.startswith(SCREEN) and not k.startswith(ANSWER)
    }
    plain.pop("csrf_token", None)
    raw = plain.pop("pain_drawing", "")
    try:
        parsed = json.loads(raw) if raw.strip() else []
    except (ValueError, RecursionError):
        parsed = []
    drawing = [m for m in parsed if isinstance(m, dict)] if isinstance(parsed, list) else []
    return IntakeForm(
        values=plain,
        ticked={k: list(form.get(k, [])) for k in MULTI},
        screening={k[len(SCREEN) :]: v[-1] for k, v in form.items() if k.startswith(SCREEN) and v},
        answers={k[len(ANSWER) :]: v[-1] for k, v in form.items() if k.startswith(ANSWER) and v},
        drawing=drawing,
    )


def _drawing(raw: str) -> Any:
    if not raw.strip():
        raise RecordValidationError("pain_drawing", "the pain drawing is empty: paint at least one region")
    try:
        return json.loads(raw)
    except (ValueError, RecursionError):
        raise RecordValidationError(
            "pain_drawing", "could not be read (not a drawing); paint the regions again"
        ) from None


def factors_from_form(one: dict[str, str]) -> Factors:
    """The three groups of factors from their form fields, by the declaration (clinic/factors.py); an error
    names the form field."""
    groups: dict[str, Any] = {}
    for g in FACTORS:
        values = {f.name: parse(f, one.get(f.form_key, ""), f.form_key) for f in g}
        groups[g.name] = values
    return Factors(
        biomechanical=Biomechanical(**groups["biomechanical"]),
        biochemical=Biochemical(**groups["biochemical"]),
        psychosocial=Psychosocial(**groups["psychosocial"]),
    )


def _duration_days(one: dict[str, str]) -> int | None:
    """How long the client has been feeling it: a whole number with its unit, in days."""
    unit = one.get("duration_unit") or "days"
    if unit not in UNITS:
        raise RecordValidationError(
            "duration_value", f"the unit must be one of {', '.join(UNITS)}, not {unit!r}"
        )
    value = forms.whole(one, "duration_value", 0, 36500 // UNITS[unit])
    return None if value is None else value * UNITS[unit]


def _screen_answers(form: dict[str, list[str]]) -> tuple[ScreenAnswer, ...]:
    """Every question of the safety screen answered yes, no or unsure (in the screen's order)."""
    given = {k[len(ANSWER) :]: _last(form, k) for k in form if k.startswith(ANSWER)}
    screen = safety_screen()
    for qid, answer in given.items():
        if qid not in screen.ids():
            raise RecordValidationError("answers", f"{qid!r} is not a question of the safety screen")
        if answer not in ANSWERS:
            raise RecordValidationError(
                "answers", f'answer "{screen.question(qid).ask}" with yes, no or unsure, not {answer!r}'
            )
    missing = [q for q in screen.questions if q.id not in given]
    if missing:
        first = missing[0].ask
        more = f" and {len(missing) - 1} more" if len(missing) > 1 else ""
        raise RecordValidationError(
            "answers", f'answer every safety question yes, no or unsure (not answered: "{first}"{more})'
        )
    return tuple(ScreenAnswer(question=q.id, answer=given[q.id]) for q in screen.questions)


def intake_from_form(form: dict[str, list[str]]) -> Intake:
    """The Intake the form describes; RecordValidationError naming the form field otherwise. Every question
    of the safety screen must be answered yes, no or unsure, and every caution yes or no."""
    one = {k: _last(form, k) for k in form}
    drawing = drawing_from_list(_drawing(one.get("pain_drawing", "")))
    recorded_on = forms.a_date(one, "recorded_on", required=True)
    assert recorded_on is not None
    complaint = forms.text(one, "chief_complaint", required=True)
    onset = one.get("onset") or "unknown"
    if onset not in ONSETS:
        raise RecordValidationError("onset", f"must be one of {', '.join(ONSETS)}, not {onset!r}")
    began_on = forms.a_date(one, "began_on")
    duration_days = _duration_days(one)
    screen_answers = _screen_answers(form)
    answers: dict[str, str] = {k[len(SCREEN) :]: _last(form, k) for k in form if k.startswith(SCREEN)}
    for term, answer in answers.items():
        if answer not in ("yes", "no"):
            raise RecordValidationError("screening", f"answer {term!r} with yes or no, not {answer!r}")
    missing = [q.term for q in caution_questions() if q.term not in answers]
    if missing:
        shown_terms = ", ".join(missing[:4]) + (f" and {len(missing) - 4} more" if len(missing) > 4 else "")
        raise RecordValidationError(
            "screening", f"answer every caution yes or no (not answered: {shown_terms})"
        )
    medications = tuple(line.strip() for line in one.get("medications", "").splitlines() if line.strip())
    factors = factors_from_form(one)
    return Intake(
        recorded_on=recorded_on,
        pain_drawing=drawing,
        chief_complaint=complaint,
        onset=onset,
        began_on=began_on,
        duration_days=duration_days,
        mechanisms=tuple(form.get("mechanisms", [])),
        aggravators=tuple(form.get("aggravators", [])),
        symptoms=tuple(form.get("symptoms", [])),
        history=one.get("history", "").strip(),
        medications=medications,
        screening=tuple(ScreeningAnswer(term=t, present=a == "yes") for t, a in answers.items()),
        answers=screen_answers,
        factors=factors,
    )


def form_field(error: RecordValidationError) -> str:
    """The form field an error is about: ``intake.mechanisms[0]`` -> ``mechanisms``,
    ``factors.biochemical.sleep_hours`` -> ``sleep_hours``, ``intake.screening[2].term`` -> ``screening``,
    ``intake.answers[3].answer`` -> ``answers``, ``intake.duration_days`` -> ``duration_value``."""
    name = error.field
    if name == "intake.duration_days":
        return "duration_value"
    for prefix in ("intake.", "factors.biomechanical.", "factors.biochemical.", "factors.psychosocial."):
        if name.startswith(prefix):
            name = name[len(prefix) :]
    return name.split("[", 1)[0]


def form_error(error: RecordValidationError) -> RecordValidationError:
    """The same error, named by the form field (so the page marks the right input)."""
    return RecordValidationError(form_field(error), error.rule)
