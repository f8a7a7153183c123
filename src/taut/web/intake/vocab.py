"""The intake form's words: the symptom vocabulary grouped into checkbox groups, and the screening questions
in plain language (red flags first). Terms come from the knowledge base; a term not listed in a group here
still shows, under "Other", so the form never hides part of the vocabulary."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache

from taut.knowledge import knowledge
from taut.knowledge.screening import safety_screen


@dataclass(frozen=True)
class Choice:
    term: str
    label: str  # the term, capitalised
    help: str  # the vocabulary meaning, when it says more than the term


@dataclass(frozen=True)
class Group:
    name: str
    choices: tuple[Choice, ...]


@dataclass(frozen=True)
class Question:
    term: str
    kind: str  # redflag | caution
    text: str  # the question in plain words
    meaning: str


# Field of the form -> groups of terms (display order). Kinds per field as in taut.clinic.intake.Intake.
LAYOUT: dict[str, tuple[tuple[str, tuple[str, ...]], ...]] = {
    "symptoms": (
        (
            "Pain quality",
            (
                "aching",
                "sharp",
                "burning",
                "throbbing",
                "pressing",
                "cramping",
                "radiating",
                "tingling",
                "numbness",
            ),
        ),
        (
            "Head, face and jaw",
            (
                "headache",
                "dizziness",
                "nausea",
                "blurred vision",
                "eye tearing",
                "light sensitivity",
                "noise sensitivity",
                "ear fullness",
                "tinnitus",
                "tooth sensitivity",
                "jaw clicking",
                "limited mouth opening",
                "difficulty swallowing",
            ),
        ),
        (
            "Movement and strength",
            ("stiffness", "morning stiffness", "weakness", "grip weakness", "knee buckling"),
        ),
        ("Sleep and energy", ("poor sleep", "night pain", "night cramps", "fatigue")),
        (
            "Chest, abdomen and pelvis",
            ("shortness of breath", "heartburn-like", "menstrual pain", "urinary urgency"),
        ),
    ),
    "aggravators": (
        ("Head, neck and jaw", ("turning the head", "looking up", "chewing")),
        ("Arm and hand", ("reaching overhead", "reaching behind the back", "gripping", "lifting", "pushing")),
        ("Trunk and breathing", ("bending forward", "coughing or sneezing", "deep breathing")),
        (
            "Positions and rest",
            (
                "prolonged sitting",
                "prolonged standing",
                "lying on the affected side",
                "turning in bed",
                "rising from a chair",
                "first steps in the morning",
            ),
        ),
        ("Walking and legs", ("walking", "walking uphill", "stairs", "squatting")),
    ),
    "mechanisms": (
        (
            "Work, posture and rest",
            (
                "desk work",
                "repetitive strain",
                "heavy bag",
                "poor sleep posture",
                "long flight or immobilisation",
            ),
        ),
        ("Injury and procedures", ("whiplash", "fall", "sports injury", "surgery", "dental work")),
        ("Activity and stress", ("new exercise", "emotional stress")),
    ),
}

KINDS: dict[str, tuple[str, ...]] = {
    "symptoms": ("quality", "associated"),
    "aggravators": ("aggravator",),
    "mechanisms": ("mechanism",),
}

# The screening questions as the therapist asks them (our own wording of each vocabulary term's meaning).
QUESTIONS: dict[str, str] = {
    # red flags
    "sudden severe headache": "A sudden, very severe headache: the worst ever, at full strength within a minute?",
    "vision loss": "New loss of sight, or double vision?",
    "chest pain on exertion": "Pain in the chest, arm or jaw that comes on with effort?",
    "fever": "Fever, or feeling generally unwell, along with the pain?",
    "saddle numbness": "Numbness around the back passage, the genitals or the inner thighs?",
    "bladder or bowel change": "New trouble holding or passing urine or stool?",
    "progressive weakness": "Weakness that keeps getting worse (for example, catching the toes when walking)?",
    "major trauma": "A major accident or a bad fall before the pain started?",
    "calf swelling": "A calf that is hot, swollen and red?",
    "pulsing abdominal mass": "A lump in the belly that pulses?",
    "scalp tenderness": "A scalp that is tender to touch, or jaw pain when chewing (especially over 50)?",
    "history of cancer": "Cancer now, or at any time in the past?",
    "unexplained weight loss": "Losing weight without trying?",
    "constant night pain": "Pain at night that does not ease with rest or a change of position?",
    "immunosuppression": "A weakened immune system, or steroid tablets taken for a long time?",
    "intravenous drug use": "Injecting drugs, now or recently?",
    # cautions
    "anticoagulants": "Taking blood thinners (anticoagulants)?",
    "osteoporosis": "Osteoporosis or fragile bones?",
    "pregnancy": "Pregnant, or could be?",
    "recent surgery": "An operation in the last few weeks?",
    "skin lesion": "Broken skin, a rash or an infection where it hurts?",
    "varicose veins": "Varicose veins?",
}


def _choice(term: str, meaning: str) -> Choice:
    label = term[:1].upper() + term[1:]
    plain = meaning.strip().lower()
    redundant = plain in (term.lower(), f"worse {term.lower()}") or not plain
    return Choice(term, label, "" if redundant else meaning)


@cache
def groups(field: str) -> tuple[Group, ...]:
    """The checkbox groups of one field (``symptoms``, ``aggravators``, ``mechanisms``)."""
    vocab = knowledge().vocabulary
    kinds = KINDS[field]
    wanted = [t for t, e in vocab.items() if e.kind in kinds]
    out: list[Group] = []
    placed: set[str] = set()
    for name, terms in LAYOUT[field]:
        here = tuple(_choice(t, vocab[t].meaning) for t in terms if t in vocab and vocab[t].kind in kinds)
        placed.update(c.term for c in here)
        if here:
            out.append(Group(name, here))
    rest = tuple(_choice(t, vocab[t].meaning) for t in sorted(wanted) if t not in placed)
    if rest:
        out.append(Group("Other", rest))
    return tuple(out)


@cache
def caution_questions() -> tuple[Question, ...]:
    """The caution terms as yes/no questions: the intake form asks them after the safety screen (whose
    structured questions, knowledge/data/screening.yaml, replace the red-flag terms)."""
    return tuple(q for q in questions() if q.kind == "caution")


@dataclass(frozen=True)
class ScreenRow:
    """One question of the safety screen as the form shows it, with what the browser needs to keep a "no"
    from being given where the drawing or the story says otherwise."""

    id: str
    ask: str
    means: str  # JSON list of the terms a "yes" means
    contra: str  # JSON list of {regions, qualities, terms, why}


@dataclass(frozen=True)
class ScreenGroup:
    id: str
    name: str
    screens_for: str
    rows: tuple[ScreenRow, ...]


@cache
def screen_groups() -> tuple[ScreenGroup, ...]:
    out = []
    for g in safety_screen().groups:
        rows = tuple(
            ScreenRow(
                q.id,
                q.ask,
                json.dumps(list(q.yes)),
                json.dumps(
                    [
                        {
                            "regions": list(c.regions),
                            "qualities": list(c.qualities),
                            "terms": list(c.terms),
                            "why": c.why,
                        }
                        for c in q.contradicted_by
                    ]
                ),
            )
            for q in g.questions
        )
        out.append(ScreenGroup(g.id, g.name, g.screens_for, rows))
    return tuple(out)


@cache
def questions() -> tuple[Question, ...]:
    """Every red-flag and caution term as a yes/no question: red flags first, in the order above."""
    vocab = knowledge().vocabulary
    out: list[Question] = []
    for kind in ("redflag", "caution"):
        terms = [t for t in QUESTIONS if t in vocab and vocab[t].kind == kind]
        terms += sorted(t for t, e in vocab.items() if e.kind == kind and t not in QUESTIONS)
        for t in terms:
            meaning = vocab[t].meaning
            text = QUESTIONS.get(t) or (meaning[:1].upper() + meaning[1:] + "?")
            out.append(Question(t, kind, text, meaning))
    return tuple(out)
