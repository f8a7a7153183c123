"""Reading the intake form into an Intake, and the values to show again when the form comes back with an
error (everything typed, ticked and painted)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from taut.clinic.errors import RecordValidationError
from taut.clinic.intake import (
    ONSETS,
    Biochemical,
    Biomechanical,
    Factors,
    Intake,
    Psychosocial,
    ScreeningAnswer,
)
from taut.services.intake_support import drawing_from_list
from taut.web import forms
from taut.web.intake.vocab import questions

SCREEN = "screen__"  # prefix of a screening answer's field: screen__fever = yes | no
TEXTS = (
    "posture",
    "gait",
    "work",
    "sport",
    "hydration",
    "nutrition",
    "sleep",
    "medication_effects",
    "stress",
)
MULTI = ("mechanisms", "aggravators", "symptoms")


@dataclass
class IntakeForm:
    """What the page shows: plain values by field name, ticked terms, screening answers, the drawing."""

    values: dict[str, str] = field(default_factory=dict)
    ticked: dict[str, list[str]] = field(default_factory=dict)
    screening: dict[str, str] = field(default_factory=dict)  # term -> "yes" | "no"
    drawing: list[dict[str, Any]] = field(default_factory=list)


def blank(today: date) -> IntakeForm:
    return IntakeForm(values={"recorded_on": today.isoformat(), "onset": "unknown"})


def _last(form: dict[str, list[str]], name: str) -> str:
    values = form.get(name) or [""]
    return values[-1]


def shown(form: dict[str, list[str]]) -> IntakeForm:
    """The submitted form as it will be shown again."""
    plain = {k: v[-1] for k, v in form.items() if v and k not in MULTI and not k.startswith(SCREEN)}
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


def _hours(raw: str) -> float | None:
    raw = raw.strip().replace(",", ".")
    if not raw:
        return None
    try:
        return float(raw)
    except ValueError:
        raise RecordValidationError("sleep_hours", f"must be a number of hours 0-24, not {raw!r}") from None


def intake_from_form(form: dict[str, list[str]]) -> Intake:
    """The Intake the form describes; RecordValidationError naming the form field otherwise. Every screening
    question must be answered yes or no."""
    one = {k: _last(form, k) for k in form}
    drawing = drawing_from_list(_drawing(one.get("pain_drawing", "")))
    recorded_on = forms.a_date(one, "recorded_on", required=True)
    assert recorded_on is not None
    complaint = forms.text(one, "chief_complaint", required=True)
    onset = one.get("onset") or "unknown"
    if onset not in ONSETS:
        raise RecordValidationError("onset", f"must be one of {', '.join(ONSETS)}, not {onset!r}")
    began_on = forms.a_date(one, "began_on")
    duration = forms.whole(one, "duration_weeks", 0, 5200)
    answers: dict[str, str] = {k[len(SCREEN) :]: _last(form, k) for k in form if k.startswith(SCREEN)}
    for term, answer in answers.items():
        if answer not in ("yes", "no"):
            raise RecordValidationError("screening", f"answer {term!r} with yes or no, not {answer!r}")
    missing = [q.term for q in questions() if q.term not in answers]
    if missing:
        shown_terms = ", ".join(missing[:4]) + (f" and {len(missing) - 4} more" if len(missing) > 4 else "")
        raise RecordValidationError(
            "screening", f"answer every safety question yes or no (not answered: {shown_terms})"
        )
    medications = tuple(line.strip() for line in one.get("medications", "").splitlines() if line.strip())
    factors = Factors(
        biomechanical=Biomechanical(
            posture=forms.text(one, "posture"),
            gait=forms.text(one, "gait"),
            work=forms.text(one, "work"),
            sport=forms.text(one, "sport"),
        ),
        biochemical=Biochemical(
            hydration=forms.text(one, "hydration"),
            nutrition=forms.text(one, "nutrition"),
            sleep=forms.text(one, "sleep"),
            medications=forms.text(one, "medication_effects"),
            sleep_hours=_hours(one.get("sleep_hours", "")),
        ),
        psychosocial=Psychosocial(
            stress=forms.text(one, "stress"),
            stress_level=forms.whole(one, "stress_level", 0, 10),
        ),
    )
    return Intake(
        recorded_on=recorded_on,
        pain_drawing=drawing,
        chief_complaint=complaint,
        onset=onset,
        began_on=began_on,
        duration_weeks=duration,
        mechanisms=tuple(form.get("mechanisms", [])),
        aggravators=tuple(form.get("aggravators", [])),
        symptoms=tuple(form.get("symptoms", [])),
        history=one.get("history", "").strip(),
        medications=medications,
        screening=tuple(ScreeningAnswer(term=t, present=a == "yes") for t, a in answers.items()),
        factors=factors,
    )


def form_field(error: RecordValidationError) -> str:
    """The form field an error is about: ``intake.mechanisms[0]`` -> ``mechanisms``,
    ``factors.biochemical.sleep_hours`` -> ``sleep_hours``, ``intake.screening[2].term`` -> ``screening``."""
    name = error.field
    for prefix in ("intake.", "factors.biomechanical.", "factors.biochemical.", "factors.psychosocial."):
        if name.startswith(prefix):
            name = name[len(prefix) :]
    return name.split("[", 1)[0]


def form_error(error: RecordValidationError) -> RecordValidationError:
    """The same error, named by the form field (so the page marks the right input)."""
    return RecordValidationError(form_field(error), error.rule)
