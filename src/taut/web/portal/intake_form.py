"""The client's intake form on the phone, step by step: reading each step's form into what the draft keeps
(clinic.intake_link checks it), and the values a step shows again (saved, or as typed when refused)."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import datetime
from typing import Any

from taut.clinic import intake_link as domain
from taut.clinic.errors import RecordValidationError
from taut.clinic.factors import FACTORS, parse
from taut.web.intake.vocab import caution_questions

ANSWER = "answer__"  # a safety question's field: answer__saddle_numbness = yes | no | unsure
CAUTION = "caution__"  # a caution's field: caution__pregnancy = yes | no


def caution_terms() -> tuple[str, ...]:
    return tuple(q.term for q in caution_questions())


def _drawing(raw: str) -> Any:
    if not raw.strip():
        raise RecordValidationError("pain_drawing", "tap the body map where it hurts (at least one area)")
    try:
        return json.loads(raw)
    except (ValueError, RecursionError):
        raise RecordValidationError(
            "pain_drawing", "could not be read; please paint the areas again"
        ) from None


def read_step(step: str, form: dict[str, str], draft: dict[str, Any]) -> dict[str, Any]:
    """What the draft keeps of a step's form; RecordValidationError naming the form field."""
    if step == "where":
        return {"pain_drawing": domain.check_where(_drawing(form.get("pain_drawing", "")))}
    if step == "story":
        return domain.check_story(form)
    if step == "safety":
        if "where" not in draft:
            raise RecordValidationError("step", "please show where it hurts first")
        answers = {k.removeprefix(ANSWER): v for k, v in form.items() if k.startswith(ANSWER)}
        return domain.check_safety(answers, draft["where"]["pain_drawing"])
    if step == "life":
        cautions = {k.removeprefix(CAUTION): v for k, v in form.items() if k.startswith(CAUTION)}
        factors = {
            g.name: {f.name: parse(f, form.get(f.form_key, ""), f.form_key) for f in g} for g in FACTORS
        }
        return domain.check_life(cautions, caution_terms(), form.get("medications", ""), factors)
    raise RecordValidationError("step", f"is not a step of the intake: {step!r}")


def read_consent(form: dict[str, str], draft: dict[str, Any], now: datetime) -> domain.Consent:
    """The signed consent of the last step, with its SHA-256."""
    missing = [label for key, label in domain.STEPS[:-1] if key not in draft]
    if missing:
        raise RecordValidationError("step", f"please fill in “{missing[0]}” first")
    if form.get("agree") != "yes":
        raise RecordValidationError("agree", "tick the box to say you agree")
    name = form.get("signer_name", "").strip()
    if not name:
        raise RecordValidationError("signer_name", "type your full name")
    kind = form.get("signature_kind", "")
    if kind not in ("drawn", "typed"):
        raise RecordValidationError("signature", "sign with your finger in the box, or type your name")
    signature = form.get("signature_drawing" if kind == "drawn" else "signature_typed", "").strip()
    consent = domain.Consent(
        text_version=domain.CONSENT_VERSION,
        signer_name=name,
        signed_at=now.replace(microsecond=0),
        kind=kind,
        signature=signature,
        answers_sha256=domain.sha256_of(domain.answers_of(draft)),
    )
    return replace(consent, sha256=consent.digest())


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def step_values(step: str, draft: dict[str, Any]) -> dict[str, str]:
    """The saved answers of a step as the form's fields."""
    saved = draft.get(step) or {}
    if step == "story":
        return {k: _text(v) for k, v in saved.items()}
    if step == "safety":
        return {ANSWER + k: v for k, v in saved.items()}
    if step == "life":
        out = {CAUTION + k: v for k, v in (saved.get("cautions") or {}).items()}
        out["medications"] = saved.get("medications", "")
        for g in FACTORS:
            group = (saved.get("factors") or {}).get(g.name) or {}
            out.update({f.form_key: _text(group.get(f.name)) for f in g})
        return out
    return {}


def drawing_of(draft: dict[str, Any], form: dict[str, str] | None = None) -> list[dict[str, Any]]:
    """The drawing to show: as posted (when refused), else as saved."""
    if form is not None and form.get("pain_drawing", "").strip():
        try:
            posted = json.loads(form["pain_drawing"])
        except (ValueError, RecursionError):
            posted = []
        if isinstance(posted, list):
            return [m for m in posted if isinstance(m, dict)]
    return list((draft.get("where") or {}).get("pain_drawing") or [])
