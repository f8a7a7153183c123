"""The client's own side, as pure domain: what a client link is for, the signed token that carries it, and what a
client's answers are worth the therapist's attention (docs/client-side.md).

A link is ``/p/<token>`` where the token is ``<invitation id>.<nonce>.<signature>``: the signature (HMAC-SHA256
with a key derived from the server's secret) proves the token was made here, so a tampered token is refused before
the database is read; the nonce is stored only as its SHA-256 hash, so the database alone cannot make a link.
Nothing a client sends changes the record: it becomes a submission that the therapist accepts (or discards).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from taut.clinic import rules
from taut.clinic.errors import ClinicError, RecordValidationError
from taut.clinic.sessions import RELIEF

# What a link may be for; staff may make each of them (a booking made online makes its own intake link).
PURPOSES = ("intake", "checkin", "questionnaire", "documents")
OFFERED = ("intake", "checkin", "questionnaire", "documents")
DEFAULT_DAYS = 7
MAX_DAYS = 30
# Client-written text is capped (and escaped when shown, as everything in the templates is).
SYMPTOMS_TEXT_MAX = 500
QUESTIONS_MAX = 2000


class BadLink(ClinicError):
    """A client link that cannot be used. ``reason`` is ``invalid`` (not a link of ours, or tampered: nothing is
    known about it), ``expired`` or ``used``."""

    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(f"link {reason}")


def link_key(secret: str) -> bytes:
    """The key of client links, derived from the server's secret key (never the session key itself)."""
    return hashlib.sha256(b"taut-client-links:" + secret.encode()).digest()


def new_nonce() -> str:
    return secrets.token_urlsafe(18)


def nonce_hash(nonce: str) -> str:
    return hashlib.sha256(nonce.encode()).hexdigest()


def _signature(key: bytes, invitation_id: int, nonce: str) -> str:
    mac = hmac.new(key, f"client-link:{invitation_id}:{nonce}".encode(), hashlib.sha256)
    return mac.hexdigest()[:32]


def make_token(key: bytes, invitation_id: int, nonce: str) -> str:
    return f"{invitation_id}.{nonce}.{_signature(key, invitation_id, nonce)}"


def read_token(key: bytes, token: str) -> tuple[int, str]:
    """The invitation id and nonce of a token made by ``make_token``; BadLink("invalid") otherwise."""
    parts = token.split(".") if isinstance(token, str) and len(token) <= 200 else []
    if len(parts) != 3 or not parts[0].isdigit() or len(parts[0]) > 18:
        raise BadLink("invalid")
    invitation_id, nonce, sig = int(parts[0]), parts[1], parts[2]
    if not hmac.compare_digest(_signature(key, invitation_id, nonce), sig):
        raise BadLink("invalid")
    return invitation_id, nonce


def expiry(created_at: datetime, days: int | None) -> datetime:
    rules.aware("invitation.created_at", created_at)
    n = DEFAULT_DAYS if days is None else rules.whole_number("days", days, 1, MAX_DAYS)
    return created_at + timedelta(days=n)


@dataclass(frozen=True, kw_only=True)
class Invitation:
    """One client link. ``session_id`` is the session a check-in is about; ``instrument`` the questionnaire."""

    id: int | None = None
    client_id: int
    purpose: str
    created_at: datetime
    expires_at: datetime
    used_at: datetime | None = None
    session_id: int | None = None
    instrument: str | None = None

    def __post_init__(self) -> None:
        rules.one_of("purpose", self.purpose, PURPOSES)

    def check(self, now: datetime) -> None:
        """BadLink unless the link may be used at ``now``."""
        if self.used_at is not None:
            raise BadLink("used")
        if now >= self.expires_at:
            raise BadLink("expired")


# --- the 48-hour check-in ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Symptom:
    key: str
    words: str  # in the client's words
    attention: str  # what the therapist is told
    red_flag: str | None = (
        None  # the red flag of knowledge/data/red_flags.yaml it may be a sign of (its sources)
    )


# New symptoms since the session. Numbness, tingling and weakness after soft-tissue work need a look; the rest are
# the warning signs of the red-flag screen (red_flags.yaml names each one's sources).
SYMPTOMS: tuple[Symptom, ...] = (
    Symptom(
        "numbness", "Numbness or pins and needles", "new numbness or tingling", "progressive_neuro_deficit"
    ),
    Symptom("weakness", "Weakness in an arm or a leg", "new weakness", "progressive_neuro_deficit"),
    Symptom("bladder", "Changes in bladder or bowel control", "bladder or bowel change", "cauda_equina"),
    Symptom(
        "headache", "A sudden, very severe headache", "sudden severe headache", "subarachnoid_haemorrhage"
    ),
    Symptom(
        "dizziness",
        "Dizziness, double vision, or trouble speaking or swallowing",
        "dizziness, vision or speech trouble",
        "cervical_arterial_dysfunction",
    ),
    Symptom(
        "fever", "Fever or feeling generally unwell", "fever or feeling unwell", "meningitis_or_infection"
    ),
    Symptom(
        "calf", "A swollen, warm or painful calf", "swollen, warm or painful calf", "deep_vein_thrombosis"
    ),
)
SYMPTOM_KEYS = tuple(s.key for s in SYMPTOMS)
URGENT = frozenset({"bladder", "headache", "dizziness", "fever", "calf"})
RELIEF_WORDS = {
    "worse": "It is worse than before",
    "none": "No change",
    "some": "A little better",
    "much": "Much better",
    "complete": "The pain has gone",
}
# Soreness after pressure work is expected for up to about 48 hours (the CheckIn of clinic.sessions); still this
# sore at the check-in is worth a call.
SORE = 7


@dataclass(frozen=True, kw_only=True)
class CheckInAnswers:
    soreness: int  # 0-10
    relief: str
    bruising: bool = False
    symptoms: tuple[str, ...] = ()
    symptoms_text: str = ""
    questions: str = ""

    def __post_init__(self) -> None:
        rules.whole_number("soreness", self.soreness, 0, 10)
        rules.one_of("relief", self.relief, RELIEF)
        for s in self.symptoms:
            rules.one_of("symptoms", s, SYMPTOM_KEYS)
        rules.text("symptoms_text", self.symptoms_text, required=False, max_len=SYMPTOMS_TEXT_MAX)
        rules.text("questions", self.questions, required=False, max_len=QUESTIONS_MAX)

    def as_json(self) -> dict[str, object]:
        return {
            "soreness": self.soreness,
            "relief": self.relief,
            "bruising": self.bruising,
            "symptoms": list(self.symptoms),
            "symptoms_text": self.symptoms_text,
            "questions": self.questions,
        }

    @classmethod
    def from_json(cls, data: dict[str, object]) -> CheckInAnswers:
        symptoms = data.get("symptoms") or []
        return cls(
            soreness=data["soreness"],  # type: ignore[arg-type]
            relief=data["relief"],  # type: ignore[arg-type]
            bruising=bool(data.get("bruising")),
            symptoms=tuple(symptoms),  # type: ignore[arg-type]
            symptoms_text=str(data.get("symptoms_text") or ""),
            questions=str(data.get("questions") or ""),
        )

    def questions_for_record(self) -> str:
        """The CheckIn's ``questions`` text: the client's questions with bruising and new symptoms in words."""
        lines = []
        if self.bruising:
            lines.append("Bruising: yes")
        for s in SYMPTOMS:
            if s.key in self.symptoms:
                lines.append(f"New: {s.attention}")
        if self.symptoms_text:
            lines.append(f"Other new symptoms: {self.symptoms_text}")
        if self.questions:
            lines.append(f"Questions: {self.questions}")
        return "\n".join(lines)


@dataclass(frozen=True)
class Attention:
    """Why an answer needs the therapist: ``urgent`` for a warning sign of a red flag."""

    reason: str
    urgent: bool = False
    red_flag: str | None = None


def checkin_attention(a: CheckInAnswers) -> tuple[Attention, ...]:
    out: list[Attention] = []
    for s in SYMPTOMS:
        if s.key in a.symptoms:
            out.append(Attention(s.attention, urgent=s.key in URGENT, red_flag=s.red_flag))
    if a.relief == "worse":
        out.append(Attention("pain worse than before the session"))
    if a.soreness >= SORE:
        out.append(Attention(f"soreness {a.soreness}/10 at the check-in"))
    if a.symptoms_text:
        out.append(Attention("other new symptoms described"))
    return tuple(out)


# --- submissions ---------------------------------------------------------------------------------------------

KINDS = ("checkin", "questionnaire", "intake")
STATUSES = ("received", "accepted", "discarded")


@dataclass(frozen=True, kw_only=True)
class Submission:
    """What a client sent, waiting for the therapist (``received``) or reviewed."""

    id: int | None = None
    client_id: int
    invitation_id: int
    kind: str
    payload: dict[str, object]
    attention: tuple[Attention, ...] = ()
    status: str = "received"
    received_at: datetime
    reviewed_at: datetime | None = None
    reviewed_by: int | None = None
    record_id: int | None = None
    session_id: int | None = None

    def __post_init__(self) -> None:
        rules.one_of("kind", self.kind, KINDS)
        rules.one_of("status", self.status, STATUSES)

    @property
    def urgent(self) -> bool:
        return any(a.urgent for a in self.attention)

    def require_open(self) -> None:
        if self.status != "received":
            raise RecordValidationError("submission", f"was already {self.status}")
