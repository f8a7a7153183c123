"""The demo clinic: realistic clients with intakes, assessments, plans, sessions spread over months, check-ins,
outcome measures and signed notes. Seeds in bulk (COPY / executemany), about 10 sessions per client, so
100,000 clients (about 1,000,000 sessions) take minutes.

Every record is built from templates that the domain rules validate (tests/unit/clinic/
test_records_demo_templates.py); the rows are then produced directly, with values inside the same rules."""

from __future__ import annotations

import random
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from taut.anatomy.pain import PainDrawing, PainMark
from taut.anatomy.regions import RegionRef, Side
from taut.clinic import dates
from taut.clinic.assessment import Assessment, EntrapmentTest, RomMeasurement, TriggerPointFinding
from taut.clinic.errors import RecordValidationError
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
from taut.clinic.naming import capital, trigger_point_words
from taut.clinic.outcomes import OutcomeMeasure, PsfsActivity
from taut.clinic.people import Client, Consent, Role, User
from taut.clinic.plan import PlannedPoint, TreatmentPlan
from taut.clinic.rom import rom_norms
from taut.knowledge.screening import safety_screen
from taut.services import clinics
from taut.services.demo_data import (
    CAUTIONS,
    FAMILY,
    GIVEN,
    MEDICATIONS,
    PRESENTATIONS,
    REDFLAGS_ASKED,
    STREETS,
    TOWNS,
    Presentation,
)
from taut.store import audit, people
from taut.store import seed as seed_rows
from taut.store.engine import Database

DEMO_EMAIL = "demo@taut.local"
STAFF = (
    ("therapist1@taut.local", "Tara Huber", Role.THERAPIST),
    ("therapist2@taut.local", "Nils Brunner", Role.THERAPIST),
    ("therapist3@taut.local", "Ines Costa", Role.THERAPIST),
    ("frontdesk@taut.local", "Flora Meier", Role.FRONT_DESK),
)
Row = dict[str, Any]


@dataclass(frozen=True)
class DemoLogin:
    email: str
    password: str
    clinic_id: int
    clients: int
    sessions: int
    holds: int


def seed_demo(
    db: Database,
    *,
    clients: int = 200,
    seed: int | None = None,
    progress: Callable[[int], None] | None = None,
    batch: int = 1000,
) -> DemoLogin:
    """Add ``clients`` demo clients to the demo clinic (created on first use) and return its login. The
    owner's password is new on every run."""
    password = secrets.token_urlsafe(12)
    owner, staff = _demo_clinic(db, password)
    rng = random.Random(seed)
    zone = clinics.get_clinic(db, owner).timezone
    sessions = holds = batches = 0
    with db.transaction() as conn:
        ids = seed_rows.first_ids(conn)
    done = 0
    while done < clients:
        # a small first batch: PostgreSQL's statistics are fresh before the big ones (see below)
        n = min(batch if batches else min(batch, 50), clients - done)
        gen = _Batch(rng, owner.clinic_id, staff, ids, zone)
        for _ in range(n):
            gen.client()
        with db.transaction() as conn:
            seed_rows.write_batch(conn, gen.rows)
            audit.record(
                conn,
                clinic_id=owner.clinic_id,
                user_id=owner.id,
                action="seed",
                entity="client",
                detail=f"{n} demo clients",
            )
        batches += 1
        if db.dialect == "postgresql" and batches & (batches - 1) == 0:
            # Fresh statistics before batches 1, 2, 4, 8, ... (see taut.store.seed.analyze).
            with db.transaction() as conn:
                seed_rows.analyze(conn)
        sessions += gen.rows.count("treatment_sessions")
        holds += gen.rows.count("holds")
        done += n
        if progress:
            progress(n)
    with db.transaction() as conn:
        seed_rows.finish(conn)
    _demo_book(db, owner, staff, rng)
    return DemoLogin(DEMO_EMAIL, password, owner.clinic_id, clients, sessions, holds)


def _demo_clinic(db: Database, password: str) -> tuple[User, list[int]]:
    from taut.services.accounts import hash_password

    with db.transaction() as conn:
        found = people.user_by_email(conn, DEMO_EMAIL)
        if found is not None:
            owner = found[0]
            assert owner.id is not None
            people.set_password_hash(conn, owner.id, hash_password(password))
            staff = [
                u.id for u in people.users_of(conn, owner.clinic_id) if u.role != Role.FRONT_DESK and u.id
            ]
            return owner, staff
    _, owner = clinics.create_clinic(
        db,
        name="Taut Demo Clinic",
        owner_email=DEMO_EMAIL,
        owner_name="Dana Demo",
        password=password,
        demo=True,
    )
    staff = [owner.id or 0]
    for email, name, role in STAFF:
        u = clinics.add_user(db, owner, email=email, name=name, role=role, password=secrets.token_urlsafe(12))
        if role == Role.THERAPIST:
            staff.append(u.id or 0)
    return owner, staff


def _trp(slug: str) -> str:
    return f"{slug}.trp1"


def _screen_answers(
    story: tuple[str, ...], caution: str | None, drawing: PainDrawing
) -> tuple[ScreenAnswer, ...]:
    """The structured safety screen as a careful therapist records it for a demo client: "yes" where the story
    says it, "unsure" where the story or the drawing makes a "no" doubtful (left open to ask again), "no" to the
    rest."""
    said = (*story, *((caution,) if caution else ()))
    screen = safety_screen()
    out = []
    for q in screen.ids():
        answer = "yes" if set(said) & set(screen.question(q).yes) else "no"
        if answer == "no":
            try:
                check_answers((ScreenAnswer(question=q, answer="no"),), drawing, said)
            except RecordValidationError:
                answer = "unsure"
        out.append(ScreenAnswer(question=q, answer=answer))
    return tuple(out)


def _intake(p: Presentation, side: Side, day: date, rng: random.Random) -> Intake:
    marks = [
        PainMark(RegionRef(r, side if sided else None), rng.randint(3, 8), (rng.choice(p.qualities),))
        for r, sided in p.regions
    ]
    caution = rng.choice(CAUTIONS) if rng.random() < 0.08 else None
    screening = [ScreeningAnswer(term=t, present=False) for t in REDFLAGS_ASKED]
    screening += [ScreeningAnswer(term=c, present=c == caution) for c in CAUTIONS]
    weeks = rng.choice((2, 4, 6, 10, 16, 26, 52, 104))
    drawing = PainDrawing.of(marks)
    mechanisms = p.mechanisms[: rng.randint(1, len(p.mechanisms))]
    aggravators = tuple(rng.sample(p.aggravators, rng.randint(1, len(p.aggravators))))
    symptoms = p.symptoms[: rng.randint(1, len(p.symptoms))]
    return Intake(
        answers=_screen_answers((*mechanisms, *aggravators, *symptoms), caution, drawing),
        recorded_on=day,
        pain_drawing=drawing,
        chief_complaint=p.complaint,
        onset="sudden" if "whiplash" in p.mechanisms or "fall" in p.mechanisms else "gradual",
        began_on=day - timedelta(weeks=weeks),
        duration_weeks=weeks,
        mechanisms=mechanisms,
        aggravators=aggravators,
        symptoms=symptoms,
        history=rng.choice(
            ("No previous episodes.", "Similar episode two years ago, settled.", "Otherwise well.")
        ),
        medications=tuple(m for m in (rng.choice(MEDICATIONS),) if m),
        screening=tuple(screening),
        factors=Factors(
            biomechanical=Biomechanical(
                posture=p.posture[0] if p.posture else "",
                work=rng.choice(("office", "nurse", "builder", "teacher")),
            ),
            biochemical=Biochemical(
                hydration=rng.choice(("about 1 litre a day", "1.5-2 litres a day")),
                sleep_hours=float(rng.choice((5, 6, 6.5, 7, 8))),
            ),
            psychosocial=Psychosocial(
                stress=rng.choice(("work deadlines", "caring for a parent", "none noted")),
                stress_level=rng.randint(2, 8),
            ),
        ),
    )


def _assessment(
    p: Presentation, side: Side, day: date, rng: random.Random, *, later: bool = False
) -> Assessment:
    findings = []
    for i, slug in enumerate(p.muscles[: rng.randint(2, len(p.muscles))]):
        active = not later and (i == 0 or rng.random() < 0.6)
        findings.append(
            TriggerPointFinding(
                trp_id=_trp(slug),
                side=side,
                status="active" if active else rng.choice(("latent", "resolved")) if later else "latent",
                taut_band=True,
                jump_sign=active and rng.random() < 0.7,
                local_twitch=rng.random() < 0.3,
                referral_reproduced=active and rng.random() < 0.8,
                tenderness=rng.randint(5, 9) if active else rng.randint(1, 4),
                ppt_kpa=float(rng.randint(120, 260) if not later else rng.randint(200, 400)),
            )
        )
    rom = [
        RomMeasurement(
            movement=m,
            side=side if rom_norms()[m].sided else None,
            degrees=min(deg + (rng.randint(5, 20) if later else rng.randint(-10, 5)), 200),
        )
        for m, deg in p.rom
    ]
    tests: tuple[EntrapmentTest, ...] = ()
    if p.entrapment:
        name, structure, result = p.entrapment
        tests = (EntrapmentTest(name=name, side=side, result=result, structure=structure),)
    return Assessment(
        assessed_on=day,
        findings=tuple(findings),
        posture=p.posture,
        gait=("normal",) if rng.random() < 0.7 else ("antalgic gait, shortened stance on the painful side",),
        rom=tuple(rom),
        entrapment_tests=tests,
        summary=f"{capital(p.name)}: {trigger_point_words(findings[0].trp_id, side)} reproduces the familiar pain.",
    )


def _plan(p: Presentation, side: Side, day: date, sessions: int, interval: int) -> TreatmentPlan:
    return TreatmentPlan(
        starts_on=day,
        goals=p.goals,
        sessions_planned=sessions,
        interval_days=interval,
        points=tuple(PlannedPoint(trp_id=_trp(m), side=side, technique=p.techniques[0]) for m in p.muscles),
        reassess_on=(day + timedelta(days=interval * (sessions // 2)),),
        self_care="Stretch the treated muscles twice a day; drink water; heat for 10 minutes in the evening.",
    )


@dataclass(frozen=True)
class _Course:
    """One demo client's course of care, as drawn: who treats, what presentation on which side, how often."""

    client_id: int
    therapist: int
    p: Presentation
    side: Side
    sessions: int
    interval: int


class _Batch:
    """Makes the records of a batch of demo clients and hands them to the store's seed batch."""

    def __init__(
        self,
        rng: random.Random,
        clinic_id: int,
        staff: list[int],
        ids: dict[str, int],
        timezone: str | None = None,
    ) -> None:
        self.rng = rng
        self.staff = staff
        self.rows = seed_rows.SeedBatch(clinic_id, ids)
        self.today = dates.today(timezone)  # the demo clinic's day, not UTC's
        self.zone = dates.zone(timezone)

    def client(self) -> None:
        """One client with an intake, an assessment, a plan, its sessions, outcomes and notes."""
        rng = self.rng
        first = self.today - timedelta(days=rng.randint(120, 730))
        client = self._person(first)
        # a working hour on the clinic's clock (stored in UTC)
        at = datetime.combine(first, datetime.min.time(), self.zone) + timedelta(hours=rng.randint(7, 17))
        at = at.astimezone(UTC)
        course = _Course(
            client_id=self.rows.client(client, at),
            therapist=rng.choice(self.staff),
            p=rng.choice(PRESENTATIONS),
            side=rng.choice((Side.LEFT, Side.RIGHT)),
            sessions=max(1, min(20, int(rng.gauss(10, 3)))),
            interval=rng.choice((7, 7, 10, 14)),
        )
        cid, by, p, side = course.client_id, course.therapist, course.p, course.side
        self.rows.intake(cid, _intake(p, side, first, rng), by, at)
        self.rows.assessment(cid, _assessment(p, side, first, rng), by, at)
        plan = _plan(p, side, first, course.sessions, course.interval)
        plan_id = self.rows.plan(cid, plan, by, at)
        last_at = self._sessions(course, plan, plan_id, at)
        if course.sessions >= 6:
            self.rows.assessment(
                cid, _assessment(p, side, last_at.astimezone(self.zone).date(), rng, later=True), by, last_at
            )
        self._notes(cid, by, at, last_at, p)

    def _person(self, first: date) -> Client:
        rng = self.rng
        given, family = rng.choice(GIVEN), rng.choice(FAMILY)
        sex = rng.choice(("female", "male"))
        return Client(
            given_name=given,
            family_name=family,
            date_of_birth=date(rng.randint(1945, 2005), rng.randint(1, 12), rng.randint(1, 28)),
            sex=sex,
            email=f"{given}.{family}.{self.rows.next_id('clients')}@example.org".lower().replace("ü", "ue"),
            phone=f"+41 7{rng.randint(5, 9)} {rng.randint(100, 999)} {rng.randint(10, 99)} {rng.randint(10, 99)}",
            address=f"{rng.choice(STREETS)} {rng.randint(1, 120)}, {rng.choice(TOWNS)}",
            consent=Consent(treatment_on=first, data_use_on=first),
        )

    def _sessions(self, course: _Course, plan: TreatmentPlan, plan_id: int, at: datetime) -> datetime:
        """The course's sessions with their holds, check-ins and outcome measures; the last session's time."""
        rng, n = self.rng, course.sessions
        pain0 = rng.randint(5, 8)
        last_at = at
        for k in range(n):
            when = at + timedelta(
                days=k * course.interval + rng.randint(0, 2), minutes=rng.choice((0, 30, 60))
            )
            pain_before = max(0, round(pain0 - (pain0 - 2) * k / max(1, n - 1) + rng.randint(-1, 1)))
            sid = self._session(course, plan_id, when, k, pain_before)
            points = rng.sample(plan.points, min(len(plan.points), rng.randint(3, 6)))
            for pos, pt in enumerate(points):
                self._hold(course, sid, pos, pt)
            if rng.random() < 0.5:
                self._checkin(course, sid, when)
            if k in (0, n // 2, n - 1):
                self._outcome(course, "nprs", when, pain_before)
            if k in (0, n - 1):
                for ins in course.p.instruments:
                    self._outcome(course, ins, when, pain_before)
            last_at = when
        return last_at

    def _session(self, course: _Course, plan_id: int, when: datetime, k: int, pain_before: int) -> int:
        return self.rows.add(
            "treatment_sessions",
            {
                **self.rows.owned(course.client_id),
                "plan_id": plan_id,
                "occurred_at": when,
                "practitioner_id": course.therapist,
                "pain_before": pain_before,
                "pain_after": max(0, pain_before - self.rng.randint(1, 3)),
                "notes": self.rng.choice(
                    ("Tolerated well.", "Tender but eased during the session.", "Less tender than last time.")
                ),
                "aftercare": "Tenderness for up to 48 hours is normal. Drink water, stretch gently, apply heat.",
                "recorded_at": when + timedelta(hours=1),
                "status": "finished",
                "ended_at": when + timedelta(minutes=30 + 5 * (k % 4)),
            },
        )

    def _hold(self, course: _Course, sid: int, pos: int, pt: PlannedPoint) -> None:
        rng = self.rng
        change = rng.random()
        discomfort = rng.randint(3, 8)
        self.rows.add(
            "holds",
            {
                **self.rows.owned(course.client_id),
                "session_id": sid,
                "position": pos,
                "trp_id": pt.trp_id,
                "side": course.side.value,
                "technique": pt.technique if rng.random() < 0.8 else rng.choice(course.p.techniques),
                "pressure": rng.randint(2, 4),
                "seconds": rng.randint(10, 30),
                "discomfort": discomfort,
                "pressure_change": "down"
                if discomfort >= 7 or change < 0.15
                else "up"
                if change > 0.85
                else None,
                "released": rng.random() < 0.75,
            },
        )

    def _checkin(self, course: _Course, sid: int, when: datetime) -> None:
        rng = self.rng
        self.rows.add(
            "checkins",
            {
                **self.rows.owned(course.client_id),
                "session_id": sid,
                "recorded_at": when + timedelta(hours=48),
                "recorded_by": course.therapist,
                "tenderness": rng.randint(0, 5),
                "relief": rng.choice(("none", "some", "some", "much", "much", "complete")),
                "questions": rng.choice(("", "", "Can I exercise tomorrow?", "Is the bruise normal?")),
            },
        )

    def _outcome(self, course: _Course, instrument: str, when: datetime, pain: int) -> None:
        rng, day = self.rng, when.astimezone(self.zone).date()  # the clinic's day
        level = pain / 10
        if instrument == "nprs":
            m = OutcomeMeasure(instrument="nprs", taken_on=day, items=(pain,))
        elif instrument == "ndi":
            m = OutcomeMeasure(
                instrument="ndi",
                taken_on=day,
                items=tuple(min(5, max(0, round(level * 4 + rng.uniform(-1, 1)))) for _ in range(10)),
            )
        elif instrument == "pss10":
            m = OutcomeMeasure(
                instrument="pss10", taken_on=day, items=tuple(rng.randint(0, 4) for _ in range(10))
            )
        else:
            m = OutcomeMeasure(
                instrument="psfs",
                taken_on=day,
                activities=tuple(
                    PsfsActivity(activity=g, score=min(10, max(0, round(10 - pain + rng.uniform(-1, 1)))))
                    for g in (*course.p.goals, "work")
                ),
            )
        self.rows.outcome(course.client_id, m, course.therapist, when)

    def _note(
        self, cid: int, by: int, kind: str, body: str, written: datetime, signed: datetime, **kw: Any
    ) -> int:
        values: Row = {"session_id": None, "amends_id": None, **kw}
        return self.rows.add(
            "notes",
            {
                **self.rows.owned(cid),
                **values,
                "kind": kind,
                "body": body,
                "author_id": by,
                "written_at": written,
                "signed_at": signed,
                "signed_by": by,
                "version": 2,
            },
        )

    def _notes(self, cid: int, by: int, first: datetime, last: datetime, p: Presentation) -> None:
        signed = first + timedelta(hours=2)
        body = f"{p.complaint}. Plan: {'; '.join(p.goals)}."
        nid = self._note(cid, by, "assessment", body, first + timedelta(hours=1), signed)
        if self.rng.random() < 0.03:
            amendment = "Amendment: the pain began after a change of desk, not after sport."
            day = signed + timedelta(days=1)
            self._note(cid, by, "assessment", amendment, day, day, amends_id=nid)
        progress = "Pain and function improved over the course; continue the home programme."
        self._note(cid, by, "progress", progress, last + timedelta(hours=2), last + timedelta(hours=3))


# The demo clinic's appointment book: its types, everyone's hours, and a few appointments in the coming days.
DEMO_TYPES = (
    ("Initial NMT assessment", 90, 15, 12000, "#0b5c73"),
    ("NMT treatment 60 min", 60, 15, 9000, "#2f855a"),
    ("NMT treatment 30 min", 30, 10, 5000, "#b7791f"),
    ("Follow-up 45 min", 45, 15, 7000, "#6b46c1"),
)


def _demo_book(db: Database, owner: User, staff: list[int], rng: random.Random) -> None:
    from datetime import UTC, datetime, timedelta

    from taut.clinic.appointments import AppointmentType, SlotTaken, WorkingHours
    from taut.clinic.errors import RecordValidationError
    from taut.services import appointments as book

    if book.list_types(db, owner):
        return
    types = [
        book.save_type(
            db, owner, AppointmentType(name=n, minutes=m, buffer_minutes=b, price_cents=p, colour=c)
        )
        for n, m, b, p, c in DEMO_TYPES
    ]
    for i, pid in enumerate(staff):
        days = (1, 3) if pid == owner.id else range(5)  # the owner treats on Tuesdays and Thursdays
        start = 8 * 60 + 30 * (i % 3)
        week = [WorkingHours(weekday=d, start=start, end=start + 8 * 60 + 30) for d in days]
        book.set_hours(db, owner, pid, week)
        book.save_profile(
            db, owner, pid, credentials="CNMT", registration_number=f"NMT-{1000 + pid}", bookable=True
        )
    from taut.services import clients

    ids = [c.id for c in clients.list_clients(db, owner, limit=60).items if c.id is not None]
    if not ids:
        return
    now = datetime.now(UTC)
    for pid in staff:
        for slot in book.availability(
            db,
            owner,
            type_id=types[1],
            practitioner_id=pid,
            start=now,
            end=now + timedelta(days=7),
            limit=200,
        )[::8]:  # every two hours on the 15-minute grid: a busy week that still has room to book
            if rng.random() < 0.3:
                continue
            try:
                book.book(
                    db,
                    owner,
                    client_id=rng.choice(ids),
                    practitioner_id=pid,
                    type_id=rng.choice(types),
                    start=slot.start,
                )
            except (SlotTaken, RecordValidationError):
                continue  # a longer type that does not fit there
