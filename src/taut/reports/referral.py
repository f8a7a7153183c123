"""The referral letter: to the client's physician, from the clinic's letterhead, naming the findings that raised
the red flags the client was referred for (the answers to the safety screen, the painted regions, the story),
and asking for medical clearance before any treatment.

referral_pdf(db, user, client_id, intake_id, decision_id, *, paper="a4") -> bytes
referral_html(content, *, paper="a4") -> str
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from taut.anatomy.regions import body_map
from taut.clinic import dates
from taut.clinic.errors import NotFound
from taut.clinic.people import User
from taut.clinic.screening import level_words
from taut.clinic.soap import drawing_words
from taut.knowledge.screening import safety_screen
from taut.reasoning.result import Flag
from taut.reports.load import letterhead
from taut.reports.render import html_to_pdf, page_size, render_html
from taut.services import clinics
from taut.services.suggestions import suggest_for_intake
from taut.store.engine import Database


@dataclass(frozen=True)
class ReferredFlag:
    name: str
    level: str
    level_label: str
    level_action: str
    message: str
    because: tuple[str, ...]  # the findings that raised it, in words


@dataclass(frozen=True)
class ReferralContent:
    clinic: str
    author: str
    written_on: date
    client_name: str
    date_of_birth: date
    age: int
    sex: str
    referred_to: str
    reason: str
    referred_on: date
    flags: tuple[ReferredFlag, ...]
    chief_complaint: str
    intake_on: date
    onset: str  # in words, "" when unknown
    drawing: tuple[str, ...]  # painted regions in words
    yes_answers: tuple[str, ...]  # safety questions answered yes, as asked
    open_answers: tuple[str, ...]  # answered unsure
    story: tuple[str, ...]  # symptoms, aggravators, mechanisms
    medications: tuple[str, ...]


def because_words(item: str) -> str:
    """A flag's reason in words: ``pain in <region ids>`` with the regions named."""
    if item.startswith("pain in "):
        regions = body_map().regions
        ids = [r.strip() for r in item[len("pain in ") :].split(",")]
        return "pain in " + ", ".join(regions[r].name.lower() if r in regions else r for r in ids)
    return item


def _flag(f: Flag) -> ReferredFlag:
    label, action = level_words(f.level)
    return ReferredFlag(f.name, f.level, label, action, f.message, tuple(because_words(b) for b in f.because))


def load_referral(
    db: Database, user: User, client_id: int, intake_id: int, decision_id: int, *, today: date | None = None
) -> ReferralContent:
    """What the letter says about one referral of an intake (the intake is read and audited)."""
    found = suggest_for_intake(db, user, client_id, intake_id)
    decision = next((d for d in found.decisions if d.id == decision_id and d.decision == "referred"), None)
    if decision is None:
        raise NotFound("referral", decision_id)
    clinic, _ = letterhead(db, user)
    zone = clinics.get_clinic(db, user).timezone  # the letter's days are the clinic's, not UTC's
    today = today or dates.today(zone)
    intake, client = found.intake, found.client
    raised = {f.code: f for f in found.suggestion.red_flags}
    flags = tuple(
        _flag(raised[code]) if code in raised else ReferredFlag(code, "refer", *level_words("refer"), "", ())
        for code in decision.flags
    )
    screen = safety_screen()
    onset = "" if intake.onset == "unknown" else intake.onset
    days = intake.days_so_far()
    if days is not None:
        onset = (onset + ", " if onset else "") + f"felt for {days} day{'s' if days != 1 else ''} at intake"
    return ReferralContent(
        clinic=clinic,
        author=user.name,
        written_on=today,
        client_name=client.full_name,
        date_of_birth=client.date_of_birth,
        age=client.age_on(today),
        sex=client.sex,
        referred_to=decision.referred_to,
        reason=decision.reason,
        referred_on=decision.decided_at.astimezone(dates.zone(zone)).date(),
        flags=flags,
        chief_complaint=intake.chief_complaint,
        intake_on=intake.recorded_on,
        onset=onset,
        drawing=tuple(drawing_words(intake.pain_drawing)),
        yes_answers=tuple(screen.question(a.question).ask for a in intake.answers if a.answer == "yes"),
        open_answers=tuple(screen.question(a.question).ask for a in intake.answers if a.answer == "unsure"),
        story=(*intake.symptoms, *intake.aggravators, *intake.mechanisms),
        medications=intake.medications,
    )


def referral_html(content: ReferralContent, *, paper: str = "a4") -> str:
    return render_html("referral.html", paper=paper, c=content)


def referral_pdf(
    db: Database,
    user: User,
    client_id: int,
    intake_id: int,
    decision_id: int,
    *,
    paper: str = "a4",
    today: date | None = None,
) -> bytes:
    """The PDF referral letter of one referral decision, signed by ``user``. Front desk: ``AccessDenied``;
    another clinic's client, or a decision that is not a referral of this intake: ``NotFound``."""
    page_size(paper)
    content = load_referral(db, user, client_id, intake_id, decision_id, today=today)
    return html_to_pdf(referral_html(content, paper=paper))
