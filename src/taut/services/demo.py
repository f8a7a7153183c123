"""The demo clinic: realistic clients with intakes, assessments, plans, sessions spread over months, check-ins,
outcome measures and signed notes. Seeds in bulk (COPY / executemany), about 10 sessions per client, so
100,000 clients (about 1,000,000 sessions) take minutes.

Every record is built from templates that are validated once by the domain rules; the rows are then
produced directly, with values inside the same rules."""

from __future__ import annotations

import random
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import text

from taut.anatomy.pain import PainDrawing, PainMark
from taut.anatomy.regions import RegionRef, Side
from taut.clinic.assessment import Assessment, EntrapmentTest, RomMeasurement, TriggerPointFinding
from taut.clinic.catalogue import catalogue
from taut.clinic.intake import Biochemical, Biomechanical, Factors, Intake, Psychosocial, ScreeningAnswer
from taut.clinic.outcomes import SCORING_VERSION, OutcomeMeasure, PsfsActivity
from taut.clinic.people import Client, Consent, Role, User
from taut.clinic.plan import PlannedPoint, TreatmentPlan
from taut.clinic.rom import rom_norms
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
from taut.store import audit, bulk, mapping, people, tables
from taut.store.engine import Database

DEMO_EMAIL = "demo@taut.local"
STAFF = (
    ("therapist1@taut.local", "Tara Huber", Role.THERAPIST),
    ("therapist2@taut.local", "Nils Brunner", Role.THERAPIST),
    ("therapist3@taut.local", "Ines Costa", Role.THERAPIST),
    ("frontdesk@taut.local", "Flora Meier", Role.FRONT_DESK),
)
SEEDED = (
    tables.clients,
    tables.intakes,
    tables.assessments,
    tables.trp_findings,
    tables.rom_measurements,
    tables.plans,
    tables.treatment_sessions,
    tables.holds,
    tables.checkins,
    tables.outcome_measures,
    tables.notes,
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
    check_templates()
    rng = random.Random(seed)
    sessions = holds = batches = 0
    with db.transaction() as conn:
        ids = bulk.next_ids(conn, SEEDED)
    done = 0
    while done < clients:
        # a small first batch: PostgreSQL's statistics are fresh before the big ones (see below)
        n = min(batch if batches else min(batch, 50), clients - done)
        gen = _Batch(rng, owner.clinic_id, staff, ids)
        for _ in range(n):
            gen.client()
        with db.transaction() as conn:
            for t in SEEDED:
                bulk.insert_rows(conn, t, gen.rows[t.name])
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
            # Fresh statistics, so the foreign-key checks look rows up by index instead of scanning
            # tables that were empty when their plans were first made (batches 1, 2, 4, 8, ...).
            with db.transaction() as conn:
                conn.execute(text(f"ANALYZE {', '.join(t.name for t in SEEDED)}"))
        sessions += len(gen.rows["treatment_sessions"])
        holds += len(gen.rows["holds"])
        done += n
        if progress:
            progress(n)
    with db.transaction() as conn:
        bulk.reset_sequences(conn, SEEDED)
    return DemoLogin(DEMO_EMAIL, password, owner.clinic_id, clients, sessions, holds)


def _demo_clinic(db: Database, password: str) -> tuple[User, list[int]]:
    from argon2 import PasswordHasher

    with db.transaction() as conn:
        found = people.user_by_email(conn, DEMO_EMAIL)
        if found is not None:
            owner = found[0]
            assert owner.id is not None
            people.set_password_hash(conn, owner.id, PasswordHasher().hash(password))
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


def check_templates() -> None:
    """Build one full record of every presentation through the domain rules (raises if any is invalid)."""
    cat = catalogue()
    day = date(2025, 1, 6)
    for p in PRESENTATIONS:
        _intake(p, Side.RIGHT, day, random.Random(0)).validate(cat)
        _assessment(p, Side.RIGHT, day, random.Random(0)).validate(cat)
        _plan(p, Side.RIGHT, day, 8, 7).validate(cat)
        for t in p.techniques:
            cat.check_technique("demo.technique", t)


def _intake(p: Presentation, side: Side, day: date, rng: random.Random) -> Intake:
    marks = [
        PainMark(RegionRef(r, side if sided else None), rng.randint(3, 8), (rng.choice(p.qualities),))
        for r, sided in p.regions
    ]
    caution = rng.choice(CAUTIONS) if rng.random() < 0.08 else None
    screening = [ScreeningAnswer(term=t, present=False) for t in REDFLAGS_ASKED]
    screening += [ScreeningAnswer(term=c, present=c == caution) for c in CAUTIONS]
    weeks = rng.choice((2, 4, 6, 10, 16, 26, 52, 104))
    return Intake(
        recorded_on=day,
        pain_drawing=PainDrawing.of(marks),
        chief_complaint=p.complaint,
        onset="sudden" if "whiplash" in p.mechanisms or "fall" in p.mechanisms else "gradual",
        began_on=day - timedelta(weeks=weeks),
        duration_weeks=weeks,
        mechanisms=p.mechanisms[: rng.randint(1, len(p.mechanisms))],
        aggravators=tuple(rng.sample(p.aggravators, rng.randint(1, len(p.aggravators)))),
        symptoms=p.symptoms[: rng.randint(1, len(p.symptoms))],
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
        summary=f"{p.name.capitalize()}: {findings[0].trp_id} {side.value} reproduces the familiar pain.",
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


class _Batch:
    """The rows of a batch of clients, with ids allocated locally."""

    def __init__(self, rng: random.Random, clinic_id: int, staff: list[int], ids: dict[str, int]) -> None:
        self.rng = rng
        self.clinic_id = clinic_id
        self.staff = staff
        self.ids = ids
        self.rows: dict[str, list[Row]] = {t.name: [] for t in SEEDED}
        self.today = datetime.now(UTC).date()

    def add(self, table: str, values: Row) -> int:
        rid = self.ids[table]
        self.ids[table] = rid + 1
        self.rows[table].append({"id": rid, **values})
        return rid

    def client(self) -> None:
        rng = self.rng
        first = self.today - timedelta(days=rng.randint(120, 730))
        given, family = rng.choice(GIVEN), rng.choice(FAMILY)
        sex = rng.choice(("female", "male"))
        client = Client(
            given_name=given,
            family_name=family,
            date_of_birth=date(rng.randint(1945, 2005), rng.randint(1, 12), rng.randint(1, 28)),
            sex=sex,
            email=f"{given}.{family}.{self.ids['clients']}@example.org".lower().replace("ü", "ue"),
            phone=f"+41 7{rng.randint(5, 9)} {rng.randint(100, 999)} {rng.randint(10, 99)} {rng.randint(10, 99)}",
            address=f"{rng.choice(STREETS)} {rng.randint(1, 120)}, {rng.choice(TOWNS)}",
            consent=Consent(treatment_on=first, data_use_on=first),
        )
        at = datetime.combine(first, datetime.min.time(), UTC) + timedelta(hours=rng.randint(7, 17))
        cid = self.add(
            "clients",
            {
                "clinic_id": self.clinic_id,
                "created_at": at,
                "updated_at": at,
                "version": 1,
                **mapping.client_values(client),
            },
        )
        owned = {"clinic_id": self.clinic_id, "client_id": cid}
        therapist = rng.choice(self.staff)
        p = rng.choice(PRESENTATIONS)
        side = rng.choice((Side.LEFT, Side.RIGHT))
        n_sessions = max(1, min(20, int(rng.gauss(10, 3))))
        interval = rng.choice((7, 7, 10, 14))

        self.add(
            "intakes",
            {
                **owned,
                "recorded_by": therapist,
                "recorded_at": at,
                **mapping.intake_values(_intake(p, side, first, rng)),
            },
        )
        self._assessment(owned, _assessment(p, side, first, rng), therapist, at)
        plan = _plan(p, side, first, n_sessions, interval)
        plan_id = self.add(
            "plans",
            {
                **owned,
                "created_by": therapist,
                "created_at": at,
                "updated_at": at,
                "version": 1,
                **mapping.plan_values(plan),
            },
        )
        points = plan.points
        pain0 = rng.randint(5, 8)
        last_at = at
        for k in range(n_sessions):
            when = at + timedelta(days=k * interval + rng.randint(0, 2), minutes=rng.choice((0, 30, 60)))
            pain_before = max(0, round(pain0 - (pain0 - 2) * k / max(1, n_sessions - 1) + rng.randint(-1, 1)))
            sid = self.add(
                "treatment_sessions",
                {
                    **owned,
                    "plan_id": plan_id,
                    "occurred_at": when,
                    "practitioner_id": therapist,
                    "pain_before": pain_before,
                    "pain_after": max(0, pain_before - rng.randint(1, 3)),
                    "notes": rng.choice(
                        (
                            "Tolerated well.",
                            "Tender but eased during the session.",
                            "Less tender than last time.",
                        )
                    ),
                    "aftercare": "Tenderness for up to 48 hours is normal. Drink water, stretch gently, apply heat.",
                    "recorded_at": when + timedelta(hours=1),
                    "status": "finished",
                    "ended_at": when + timedelta(minutes=30 + 5 * (k % 4)),
                },
            )
            for pos, pt in enumerate(rng.sample(points, min(len(points), rng.randint(3, 6)))):
                change = rng.random()
                discomfort = rng.randint(3, 8)
                self.add(
                    "holds",
                    {
                        **owned,
                        "session_id": sid,
                        "position": pos,
                        "trp_id": pt.trp_id,
                        "side": side.value,
                        "technique": pt.technique if rng.random() < 0.8 else rng.choice(p.techniques),
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
            if rng.random() < 0.5:
                self.add(
                    "checkins",
                    {
                        **owned,
                        "session_id": sid,
                        "recorded_at": when + timedelta(hours=48),
                        "recorded_by": therapist,
                        "tenderness": rng.randint(0, 5),
                        "relief": rng.choice(("none", "some", "some", "much", "much", "complete")),
                        "questions": rng.choice(
                            ("", "", "Can I exercise tomorrow?", "Is the bruise normal?")
                        ),
                    },
                )
            if k in (0, n_sessions // 2, n_sessions - 1):
                self._outcome(owned, "nprs", when.date(), therapist, when, pain_before, p)
            if k in (0, n_sessions - 1):
                for ins in p.instruments:
                    self._outcome(owned, ins, when.date(), therapist, when, pain_before, p)
            last_at = when
        if n_sessions >= 6:
            self._assessment(owned, _assessment(p, side, last_at.date(), rng, later=True), therapist, last_at)
        self._notes(owned, therapist, at, last_at, p)

    def _assessment(self, owned: Row, a: Assessment, by: int, at: datetime) -> None:
        aid = self.add(
            "assessments", {**owned, "recorded_by": by, "recorded_at": at, **mapping.assessment_values(a)}
        )
        for i, f in enumerate(a.findings):
            self.add("trp_findings", {**owned, "assessment_id": aid, **mapping.finding_values(f, i)})
        for i, m in enumerate(a.rom):
            self.add("rom_measurements", {**owned, "assessment_id": aid, **mapping.rom_values(m, i)})

    def _outcome(
        self, owned: Row, instrument: str, day: date, by: int, at: datetime, pain: int, p: Presentation
    ) -> None:
        rng = self.rng
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
                    for g in (*p.goals, "work")
                ),
            )
        values = mapping.outcome_values(m)
        assert values["scoring_version"] == SCORING_VERSION
        self.add("outcome_measures", {**owned, "recorded_by": by, "recorded_at": at, **values})

    def _notes(self, owned: Row, by: int, first: datetime, last: datetime, p: Presentation) -> None:
        signed = first + timedelta(hours=2)
        nid = self.add(
            "notes",
            {
                **owned,
                "session_id": None,
                "kind": "assessment",
                "body": f"{p.complaint}. Plan: {'; '.join(p.goals)}.",
                "author_id": by,
                "written_at": first + timedelta(hours=1),
                "signed_at": signed,
                "signed_by": by,
                "amends_id": None,
                "version": 2,
            },
        )
        if self.rng.random() < 0.03:
            self.add(
                "notes",
                {
                    **owned,
                    "session_id": None,
                    "kind": "assessment",
                    "body": "Amendment: the pain began after a change of desk, not after sport.",
                    "author_id": by,
                    "written_at": signed + timedelta(days=1),
                    "signed_at": signed + timedelta(days=1),
                    "signed_by": by,
                    "amends_id": nid,
                    "version": 2,
                },
            )
        self.add(
            "notes",
            {
                **owned,
                "session_id": None,
                "kind": "progress",
                "body": "Pain and function improved over the course; continue the home programme.",
                "author_id": by,
                "written_at": last + timedelta(hours=2),
                "signed_at": last + timedelta(hours=3),
                "signed_by": by,
                "amends_id": None,
                "version": 2,
            },
        )
