"""The client's own intake on their phone, by a link (purpose "intake"; docs/client-side.md), as pure domain.

The client goes through five steps; each is checked when it is saved and kept in a draft on the link (a plain
JSON object), so the client can stop and come back by the same link. The last step signs the consent: the
consent text's version, the time, the signature (a drawing or the typed name) and a SHA-256 of what was signed
(the consent text, the signer, the time, the signature and the answers given). Sending turns the draft into a
submission that the therapist reviews; ``intake_of`` is the intake it would record.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from datetime import date, datetime
from typing import Any

from taut.anatomy.pain import PainDrawing, PainDrawingError
from taut.clinic import rules
from taut.clinic.errors import RecordValidationError
from taut.clinic.factors import FACTORS
from taut.clinic.intake import (
    Biochemical,
    Biomechanical,
    Factors,
    Intake,
    Psychosocial,
    ScreenAnswer,
    ScreeningAnswer,
    check_answers,
)
from taut.knowledge.screening import ANSWERS, safety_screen

STEPS: tuple[tuple[str, str], ...] = (
    ("where", "Where it hurts"),
    ("story", "Your story"),
    ("safety", "Safety questions"),
    ("life", "Your everyday life"),
    ("consent", "Consent and signature"),
)
STEP_KEYS = tuple(k for k, _ in STEPS)
ONSETS = {"sudden": "Suddenly", "gradual": "Gradually", "unknown": "I don't know"}
UNITS = {"days": 1, "weeks": 7, "months": 30, "years": 365}  # a month as 30 days, as the staff form
TEXT_MAX = 2000
SIGNATURE_MAX = 300_000  # a drawn signature as a PNG data URL
PNG_PREFIX = "data:image/png;base64,"

CONSENT_VERSION = "2026-12"
CONSENT_TEXT: tuple[str, ...] = (
    "I agree to be assessed and treated by my therapist with manual trigger-point therapy: pressure on tender "
    "spots in muscles, stretching and advice for self-care.",
    "I understand that treatment can be uncomfortable and that soreness or tenderness for a day or two "
    "afterwards is normal. I can ask my therapist to go lighter, to stop, or to leave out any area at any time.",
    "Trigger-point therapy does not replace a doctor. My therapist may ask me to see a doctor before treatment "
    "when my answers need it.",
    "The answers I gave in this form are true to the best of my knowledge, and I will tell my therapist about "
    "any change to my health.",
    "I agree that the clinic keeps my answers, this consent and my treatment records, and uses them only for my "
    "care and as the law requires.",
)


def _text(field: str, value: object, *, required: bool = False, max_len: int = TEXT_MAX) -> str:
    return rules.text(field, value, required=required, max_len=max_len).strip()


def check_where(drawing: object) -> list[dict[str, Any]]:
    """The painted regions (PainDrawing.to_list()); at least one."""
    try:
        d = PainDrawing.from_list(drawing)  # type: ignore[arg-type]
        d.require_nonempty()
    except (PainDrawingError, TypeError, KeyError, AttributeError) as e:
        raise RecordValidationError("pain_drawing", str(e) or "could not be read") from None
    return d.to_list()


def check_story(raw: Mapping[str, str]) -> dict[str, Any]:
    """What brings the client, what led to it, onset, how long (a number with its unit), what makes it worse."""
    onset = raw.get("onset", "")
    if onset not in ONSETS:
        raise RecordValidationError("onset", "choose how it started: suddenly, gradually or you don't know")
    unit = raw.get("duration_unit", "")
    if unit not in UNITS:
        raise RecordValidationError("duration_value", "choose days, weeks, months or years")
    value = raw.get("duration_value", "").strip()
    if not value.isdigit() or int(value) > 36500 // UNITS[unit]:
        raise RecordValidationError("duration_value", "say how long you have had it, as a whole number")
    return {
        "complaint": _text("complaint", raw.get("complaint", ""), required=True),
        "led_to": _text("led_to", raw.get("led_to", "")),
        "worse": _text("worse", raw.get("worse", "")),
        "onset": onset,
        "duration_value": int(value),
        "duration_unit": unit,
    }


def check_safety(answers: Mapping[str, str], drawing: object) -> dict[str, str]:
    """Every question of the safety screen answered yes, no or unsure, one by one (no answer for all at once);
    a "no" the drawing contradicts is refused (painted saddle numbness and "no saddle numbness")."""
    screen = safety_screen()
    missing = [q for q in screen.questions if answers.get(q.id) not in ANSWERS]
    if missing:
        more = f" and {len(missing) - 1} more" if len(missing) > 1 else ""
        raise RecordValidationError(
            "answers", f'answer every question yes, no or not sure (not answered: "{missing[0].ask}"{more})'
        )
    given = tuple(ScreenAnswer(question=q.id, answer=answers[q.id]) for q in screen.questions)
    marks = drawing if isinstance(drawing, list) else []
    try:
        check_answers(given, PainDrawing.from_list(marks), ())
    except RecordValidationError as e:
        q = screen.question(given[_index(e.field)].question)
        raise RecordValidationError(
            f"answer__{q.id}",
            f"“{q.ask}”: your drawing says otherwise ({_why(e.rule)}); please answer yes or not sure",
        ) from None
    return {a.question: a.answer for a in given}


def _index(field: str) -> int:
    """The answer's position in ``intake.answers[3].answer``."""
    return int(field.split("[", 1)[1].split("]", 1)[0]) if "[" in field else 0


def _why(rule: str) -> str:
    """The plain-words reason of check_answers' message ("... contradicts the intake: WHY; answer yes or unsure")."""
    return rule.split("contradicts the intake: ", 1)[-1].split("; answer", 1)[0]


def check_life(
    cautions: Mapping[str, str],
    caution_terms: tuple[str, ...],
    medications: str,
    factors: Mapping[str, Mapping[str, object]],
) -> dict[str, Any]:
    """Cautions answered yes or no (each), the medications (one a line) and the factors (by their declaration)."""
    for term in caution_terms:
        if cautions.get(term) not in ("yes", "no"):
            raise RecordValidationError(f"caution__{term}", "answer yes or no")
    meds = _text("medications", medications)
    f = factors_of(factors)
    return {"cautions": {t: cautions[t] for t in caution_terms}, "medications": meds, "factors": asdict(f)}


def factors_of(data: Mapping[str, Mapping[str, object]]) -> Factors:
    groups = {g.name: {k: v for k, v in (data.get(g.name) or {}).items() if k in g.names} for g in FACTORS}
    return Factors(
        biomechanical=Biomechanical(**groups["biomechanical"]),  # type: ignore[arg-type]
        biochemical=Biochemical(**groups["biochemical"]),  # type: ignore[arg-type]
        psychosocial=Psychosocial(**groups["psychosocial"]),  # type: ignore[arg-type]
    )


@dataclass(frozen=True, kw_only=True)
class Consent:
    """The signed consent: the text's version, who signed and when, the signature and its SHA-256."""

    text_version: str
    signer_name: str
    signed_at: datetime
    kind: str  # drawn | typed
    signature: str  # the typed name, or the drawing as a PNG data URL
    answers_sha256: str  # the SHA-256 of the answers the consent confirms
    sha256: str = ""

    def __post_init__(self) -> None:
        rules.text("signer_name", self.signer_name, max_len=200)
        rules.aware("signed_at", self.signed_at)
        rules.one_of("signature", self.kind, ("drawn", "typed"))
        if self.kind == "drawn":
            ok = isinstance(self.signature, str) and self.signature.startswith(PNG_PREFIX)
            if not ok or len(self.signature) > SIGNATURE_MAX or len(self.signature) < len(PNG_PREFIX) + 40:
                raise RecordValidationError(
                    "signature", "sign with your finger in the box, or type your name"
                )
        elif self.signature.strip().casefold() != self.signer_name.strip().casefold():
            raise RecordValidationError("signature", "type your full name exactly as above to sign")

    def payload(self) -> dict[str, object]:
        """What was signed, in the form that is hashed."""
        return {
            "consent_version": self.text_version,
            "consent_text": list(CONSENT_TEXT),
            "signer_name": self.signer_name,
            "signed_at": self.signed_at.isoformat(),
            "signature_kind": self.kind,
            "signature": self.signature,
            "answers_sha256": self.answers_sha256,
        }

    def digest(self) -> str:
        return sha256_of(self.payload())


@dataclass(frozen=True, kw_only=True)
class SignedCopy:
    """A signed consent as it is kept and moved (the FHIR export and import): what was signed, by whom and when,
    the signature, its SHA-256 and the PDF the client signed."""

    text_version: str
    signed_at: datetime
    signer_name: str
    signature_kind: str
    signature: str
    sha256: str
    pdf: bytes

    def __post_init__(self) -> None:
        rules.text("consent.text_version", self.text_version, max_len=20)
        rules.aware("consent.signed_at", self.signed_at)
        rules.text("consent.signer_name", self.signer_name, max_len=200)
        rules.one_of("consent.signature_kind", self.signature_kind, ("drawn", "typed"))
        if not self.signature or len(self.signature) > SIGNATURE_MAX:
            raise RecordValidationError("consent.signature", "is required (at most a drawn signature's size)")
        if len(self.sha256) != 64 or any(ch not in "0123456789abcdef" for ch in self.sha256):
            raise RecordValidationError("consent.sha256", "must be 64 lower-case hexadecimal digits")
        if not self.pdf.startswith(b"%PDF"):
            raise RecordValidationError("consent.pdf", "must be a PDF")


def sha256_of(data: object) -> str:
    """SHA-256 of canonical JSON (sorted keys, no spaces, UTF-8): the same data gives the same hash anywhere."""
    text = json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def answers_of(draft: Mapping[str, Any]) -> dict[str, Any]:
    """The client's answers of a draft (every step but the consent): what the consent confirms."""
    return {k: draft[k] for k in STEP_KEYS[:-1] if k in draft}


def next_step(draft: Mapping[str, Any]) -> str:
    """The first step not saved yet ("consent" once the others are)."""
    return next((k for k in STEP_KEYS[:-1] if k not in draft), "consent")


def duration_days(story: Mapping[str, Any]) -> int:
    return int(story["duration_value"]) * UNITS[str(story["duration_unit"])]


def intake_of(draft: Mapping[str, Any], recorded_on: date) -> Intake:
    """The intake the client's answers describe (to be validated against the catalogue by the service)."""
    story, life = draft["story"], draft["life"]
    history = "\n".join(
        line
        for line in (
            f"What led to it (client's words): {story['led_to']}" if story.get("led_to") else "",
            f"What makes it worse (client's words): {story['worse']}" if story.get("worse") else "",
        )
        if line
    )
    return Intake(
        recorded_on=recorded_on,
        pain_drawing=PainDrawing.from_list(draft["where"]["pain_drawing"]),
        chief_complaint=story["complaint"],
        onset=story["onset"],
        duration_days=duration_days(story),
        history=history,
        medications=tuple(m.strip() for m in str(life.get("medications", "")).splitlines() if m.strip()),
        screening=tuple(
            ScreeningAnswer(term=t, present=a == "yes") for t, a in dict(life.get("cautions") or {}).items()
        ),
        answers=tuple(ScreenAnswer(question=q, answer=a) for q, a in dict(draft["safety"]).items()),
        factors=factors_of(life.get("factors") or {}),
    )
