"""The handout and the progress report as real PDFs, from a course of care recorded through the services, on
SQLite and PostgreSQL; and the ``taut report`` commands on a SQLite file.

Each PDF is rendered once per backend, on one paper size per backend (SQLite: handout A4, report Letter;
PostgreSQL: the other way round). The pages are turned into PNGs with pdftoppm and kept in
var/test-artifacts/reports/ for a look."""

from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
import typer
from PIL import Image
from tests import migrated
from tests.conftest import ROOT
from tests.integration.conftest import World
from tests.records_factories import (
    make_assessment,
    make_client,
    make_hold,
    make_intake,
    make_outcome,
    make_plan,
    make_psfs,
    make_session,
)
from typer.testing import CliRunner

from taut.anatomy.pain import PainDrawing, PainMark
from taut.anatomy.regions import RegionRef, Side
from taut.clinic import (
    AccessDenied,
    CheckIn,
    NotFound,
    Role,
    RomMeasurement,
    TriggerPointFinding,
    User,
)
from taut.knowledge import knowledge
from taut.reports import NothingToReport, handout_pdf, progress_pdf
from taut.reports.handout import handout_html
from taut.reports.load import load_handout
from taut.services import charts, clients, clinics, records, sessions
from taut.store import Database, make_engine

pytestmark = pytest.mark.xdist_group("reports")  # one worker renders this module's PDFs

ARTIFACTS = ROOT / "var" / "test-artifacts" / "reports"
PAPER = {
    "sqlite": {"handout": "a4", "progress": "letter"},
    "postgresql": {"handout": "letter", "progress": "a4"},
}
PAGE_POINTS = {"a4": (595.3, 841.9), "letter": (612.0, 792.0)}


@dataclass
class Course:
    client_id: int
    sessions: list[int]


def record_course(db: Database, user: User) -> Course:
    """Intake, assessment, plan, two sessions with holds (one recorded whole, one hold by hold), a check-in,
    a re-assessment and a later pain drawing, and NPRS, NDI and PSFS twice."""
    assert user.id is not None
    c = clients.register_client(db, user, make_client())
    assert c.id is not None
    records.record_intake(db, user, c.id, make_intake())
    records.record_assessment(
        db,
        user,
        c.id,
        make_assessment(
            findings=(
                TriggerPointFinding(
                    trp_id="upper_trapezius.trp1",
                    side=Side.RIGHT,
                    status="active",
                    taut_band=True,
                    jump_sign=True,
                    referral_reproduced=True,
                    tenderness=7,
                ),
                TriggerPointFinding(
                    trp_id="upper_trapezius.trp1", side=Side.LEFT, status="latent", tenderness=3
                ),
                TriggerPointFinding(
                    trp_id="levator_scapulae.trp1", side=Side.RIGHT, status="active", tenderness=6
                ),
            )
        ),
    )
    plan_id = records.create_plan(db, user, c.id, make_plan())
    start = datetime(2025, 3, 3, 14, tzinfo=UTC)
    first = records.record_session(
        db,
        user,
        c.id,
        make_session(
            user.id,
            occurred_at=start,
            plan_id=plan_id,
            holds=(make_hold(), make_hold(trp_id="levator_scapulae.trp1")),
        ),
    )
    records.record_checkin(
        db,
        user,
        CheckIn(session_id=first, recorded_at=start + timedelta(hours=48), tenderness=3, relief="some"),
    )
    second = sessions.start_session(
        db, user, c.id, pain_before=4, plan_id=plan_id, occurred_at=start + timedelta(weeks=1)
    )
    for hold in (
        make_hold(),
        make_hold(trp_id="upper_trapezius.trp1", side=Side.LEFT, discomfort=4),
        make_hold(trp_id="suboccipitals.trp1"),
    ):
        sessions.add_hold(db, user, second, hold)
    sessions.finish_session(
        db,
        user,
        second,
        pain_after=2,
        aftercare="Warm shower tonight; stretches twice a day.",
        ended_at=start + timedelta(weeks=1, minutes=45),
    )
    records.record_assessment(
        db,
        user,
        c.id,
        make_assessment(
            assessed_on=date(2025, 3, 17),
            findings=(
                TriggerPointFinding(
                    trp_id="upper_trapezius.trp1", side=Side.RIGHT, status="latent", tenderness=3
                ),
                TriggerPointFinding(
                    trp_id="levator_scapulae.trp1", side=Side.RIGHT, status="resolved", tenderness=1
                ),
            ),
            rom=(RomMeasurement(movement="cervical.rotation", side=Side.LEFT, degrees=70),),
            summary="Right upper trapezius TrP1 now latent; headaches down to one a week.",
        ),
    )
    records.record_intake(
        db,
        user,
        c.id,
        make_intake(
            recorded_on=date(2025, 3, 17),
            pain_drawing=PainDrawing.of([PainMark(RegionRef("neck.posterior_upper", Side.RIGHT), 2)]),
        ),
    )
    for day, nprs, ndi, psfs in (
        (date(2025, 3, 3), 7, (2, 2, 2, 1, 2, 1, 2, 2, 1, 1), (4, 6, 5)),
        (date(2025, 3, 17), 3, (1, 1, 1, 0, 1, 1, 1, 1, 0, 1), (7, 8, 7)),
    ):
        records.record_outcome(db, user, c.id, make_outcome("nprs", items=(nprs,), taken_on=day))
        records.record_outcome(db, user, c.id, make_outcome("ndi", items=ndi, taken_on=day))
        records.record_outcome(db, user, c.id, make_psfs(day, psfs))
    return Course(c.id, [first, second])


def record_small_course(db: Database, user: User) -> Course:
    """An intake and one session with holds: enough for both documents, quick to draw."""
    assert user.id is not None
    c = clients.register_client(db, user, make_client())
    assert c.id is not None
    records.record_intake(db, user, c.id, make_intake())
    sid = records.record_session(db, user, c.id, make_session(user.id))
    return Course(c.id, [sid])


@dataclass
class Rendered:
    pdf: Path
    text: str  # pdftotext, whitespace collapsed
    lines: list[str]  # pdftotext -layout, one line per table row, whitespace collapsed
    pages: int
    size: tuple[float, float]  # points
    pngs: list[Path]


def inspect_pdf(pdf: bytes, folder: Path, name: str) -> Rendered:
    """pdfinfo, pdftotext and pdftoppm (50 dpi) on the PDF; the PNGs are also copied to the artifacts folder."""
    path = folder / f"{name}.pdf"
    path.write_bytes(pdf)
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    pages = int(re.search(r"^Pages:\s+(\d+)", info, re.M).group(1))  # type: ignore[union-attr]
    w, h = re.search(r"^Page size:\s+([\d.]+) x ([\d.]+) pts", info, re.M).groups()  # type: ignore[union-attr]
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    layout = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    subprocess.run(["pdftoppm", "-png", "-r", "50", str(path), str(folder / name)], check=True)
    pngs = sorted(folder.glob(f"{name}-*.png"))
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for old in ARTIFACTS.glob(f"{name}-*.png"):
        old.unlink()
    for png in pngs:
        shutil.copy(png, ARTIFACTS / png.name)
    lines = [flat(line) for line in layout.splitlines() if line.strip()]
    return Rendered(path, flat(text), lines, pages, (float(w), float(h)), pngs)


def has_row(r: Rendered, *cells: str) -> bool:
    """Whether one line of the layout text holds the cells in this order."""
    pattern = r"\s*".join(re.escape(c) for c in cells)
    return any(re.search(pattern, line) for line in r.lines)


def flat(s: str) -> str:
    return " ".join(s.split())


@pytest.fixture(scope="module")
def course(db: Database, world: World) -> Course:
    return record_course(db, world.bob)


@pytest.fixture(scope="module")
def handout(db: Database, world: World, course: Course, tmp_path_factory: pytest.TempPathFactory) -> Rendered:
    paper = PAPER[db.dialect]["handout"]
    pdf = handout_pdf(db, world.bob, course.sessions[-1], paper=paper)
    return inspect_pdf(pdf, tmp_path_factory.mktemp("handout"), f"handout-{paper}-{db.dialect}")


@pytest.fixture(scope="module")
def progress(
    db: Database, world: World, course: Course, tmp_path_factory: pytest.TempPathFactory
) -> Rendered:
    paper = PAPER[db.dialect]["progress"]
    pdf = progress_pdf(db, world.bob, course.client_id, paper=paper, today=date(2025, 3, 18))
    return inspect_pdf(pdf, tmp_path_factory.mktemp("progress"), f"progress-{paper}-{db.dialect}")


def assert_pages(r: Rendered, paper: str) -> None:
    assert r.size == pytest.approx(PAGE_POINTS[paper], abs=0.5)
    for n in range(1, r.pages + 1):
        assert f"Page {n} of {r.pages}" in r.text
    assert len(r.pngs) == r.pages
    for png in r.pngs:
        with Image.open(png) as im:
            w, h = im.size
            assert w / h == pytest.approx(PAGE_POINTS[paper][0] / PAGE_POINTS[paper][1], abs=0.01)
            grey = im.convert("L")
            dark = sum(grey.histogram()[:200])
            assert dark > 0.01 * w * h, f"{png.name} is (nearly) blank"


def test_handout_says_what_was_treated_what_to_expect_and_self_care(db: Database, handout: Rendered) -> None:
    t = handout.text
    assert "Your aftercare" in t and "Hello Maria," in t and "Session of 10 March 2025" in t
    assert "Bob Brandt" in t and "Clinic A" in t
    assert has_row(handout, "1", "Upper trapezius (neck, both sides)")  # left and right in this session
    assert has_row(handout, "2", "Suboccipitals (neck, right side)")
    assert "Levator scapulae" not in t  # treated in the first session only
    assert "48 hours" in t and "The next 48 hours" in t and "When to call us" in t
    kb = knowledge()
    for name in ("upper trapezius", "suboccipitals"):
        care = kb.muscle(name).treatment.self_care
        assert flat(care.stretch) in t
        assert care.pressure is None or flat(care.pressure) in t
    assert flat(kb.techniques["stretching"].dose.lower()) in t.lower()
    assert "Warm shower tonight; stretches twice a day." in t  # the therapist's own words
    assert "session 2 of 6" in t and "Your pain today: 4/10 before the session, 2/10 after." in t
    assert "Session in progress" not in t
    assert_pages(handout, PAPER[db.dialect]["handout"])


def test_progress_report_is_a_letter_with_drawings_trigger_points_outcomes_and_plan(
    db: Database, progress: Rendered
) -> None:
    t = progress.text
    assert "Progress report" in t and "Clinic A" in t and "18 March 2025" in t
    assert "Re: Maria Keller, born 17 May 1984 (age 40), female" in t
    assert "Right-sided headaches at the end of the working day" in t
    assert "from 3 March 2025 to 10 March 2025: 2 sessions of 6 planned" in t
    assert "At intake, 3 March 2025" in t and "Latest, 17 March 2025" in t
    assert has_row(
        progress,
        "Upper trapezius",
        "TrP1, anterior (vertical) fibres",
        "right",
        "active",
        "latent (17 Mar 2025)",
        "7",
        "→",
        "3",
    )
    assert has_row(
        progress,
        "Upper trapezius",
        "TrP1, anterior (vertical) fibres",
        "left",
        "latent",
        "not re-examined",
        "3",
    )
    assert has_row(
        progress,
        "Levator scapulae",
        "Upper TrP (angle of the neck)",
        "right",
        "active",
        "resolved (17 Mar 2025)",
        "6",
        "→",
        "1",
    )
    assert has_row(progress, "Cervical rotation", "left", "55° (3 Mar 2025)", "70° (17 Mar 2025)", "60°")
    assert "Numeric Pain Rating Scale (NPRS): 7 → 3 (−4; MCID 2): clinically important improvement" in t
    assert "Neck Disability Index (NDI): 16 → 8 (−8; MCID 5): clinically important improvement" in t
    assert "Patient-Specific Functional Scale (PSFS): 5 → 7.3 (+2.3; MCID 2)" in t
    assert has_row(
        progress,
        "NPRS",
        "7 severe (3 Mar 2025)",
        "3 mild (17 Mar 2025)",
        "−4",
        "−2",
        "clinically important improvement",
    )
    assert "Farrar" in t and "Vernon" in t and "Abbott & Schmitt" in t
    assert has_row(
        progress,
        "3 Mar 2025",
        "Bob Brandt",
        "6",
        "→",
        "3",
        "Upper trapezius, Levator scapulae",
        "tenderness 3/10, relief: some",
    )
    assert has_row(progress, "10 Mar 2025", "Bob Brandt", "4", "→", "2", "Upper trapezius, Suboccipitals")
    assert "Pain intensity" not in t  # no hidden legend text in the cut-off part of the pictures
    assert "Headache-free working days" in t and "Full cervical rotation to the left" in t
    assert "2 of 6 done, one every 7 days" in t
    assert "Yours sincerely" in t and "Confidential: Maria Keller" in t
    assert progress.pages >= 2
    assert_pages(progress, PAPER[db.dialect]["progress"])


def test_reports_are_audited_reads(db: Database, world: World, course: Course, handout: Rendered) -> None:
    trail = charts.audit_trail(db, world.alice, client_id=course.client_id)
    reads = {(e.action, e.entity) for e in trail if e.user_id == world.bob.id}
    assert ("read", "chart") in reads and ("read", "session") in reads


def test_front_desk_and_other_clinics_get_no_report(db: Database, world: World, course: Course) -> None:
    sid = course.sessions[0]
    with pytest.raises(AccessDenied, match="front desk may not read clinical records"):
        handout_pdf(db, world.fran, sid)
    with pytest.raises(AccessDenied):
        progress_pdf(db, world.fran, course.client_id)
    with pytest.raises(NotFound, match=f"session {sid} not found"):
        handout_pdf(db, world.carol, sid)
    with pytest.raises(NotFound, match=f"client {course.client_id} not found"):
        progress_pdf(db, world.carol, course.client_id)


def test_open_sessions_and_empty_records(db: Database, world: World, course: Course) -> None:
    bob = world.bob
    empty = sessions.start_session(db, bob, course.client_id, pain_before=5)
    with pytest.raises(NothingToReport, match=f"session {empty} has no holds recorded yet"):
        handout_pdf(db, bob, empty)
    sessions.add_hold(db, bob, empty, make_hold())
    html = handout_html(load_handout(db, bob, empty))
    assert "Session in progress" in html and "Upper trapezius" in html
    newcomer = clients.register_client(db, bob, make_client(given_name="Nina"))
    assert newcomer.id is not None
    with pytest.raises(NothingToReport, match="nothing to report"):
        progress_pdf(db, bob, newcomer.id)


# --- the command line -------------------------------------------------------------------------------------------

runner = CliRunner()


def _app() -> typer.Typer:
    from taut.cli.reports import register

    app = typer.Typer()
    register(app)
    return app


@dataclass
class CliWorld:
    course: Course
    therapist: str
    front_desk: str


@pytest.fixture(scope="module")
def cli_file(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, CliWorld]:
    path = tmp_path_factory.mktemp("cli") / "taut.sqlite3"
    db = Database(make_engine(f"sqlite:///{path}"))
    migrated.upgrade(db.engine)
    _, owner = clinics.create_clinic(
        db,
        name="Lakeside Therapy",
        owner_email="olga@example.org",
        owner_name="Olga Ott",
        password="lakeside olive window",
    )
    ther = clinics.add_user(
        db,
        owner,
        email="tim@example.org",
        name="Tim Thal",
        role=Role.THERAPIST,
        password="lakeside olive window",
    )
    clinics.add_user(
        db,
        owner,
        email="fay@example.org",
        name="Fay Fox",
        role=Role.FRONT_DESK,
        password="lakeside olive window",
    )
    course = record_small_course(db, ther)
    db.dispose()
    return path, CliWorld(course, "tim@example.org", "fay@example.org")


@pytest.fixture
def cli(cli_file: tuple[Path, CliWorld], monkeypatch: pytest.MonkeyPatch) -> CliWorld:
    monkeypatch.delenv("TAUT_DATABASE_URL", raising=False)
    monkeypatch.setenv("TAUT_DATABASE_PATH", str(cli_file[0]))
    return cli_file[1]


def test_cli_handout_on_letter_refuses_to_overwrite_without_force(cli: CliWorld, tmp_path: Path) -> None:
    out = tmp_path / "handout.pdf"
    out.write_text("an older file")
    sid = str(cli.course.sessions[0])
    r = runner.invoke(
        _app(), ["report", "handout", sid, "-o", str(out), "--paper", "letter", "--as", cli.therapist]
    )
    assert r.exit_code == 2 and "already exists (use --force" in r.output
    assert out.read_text() == "an older file"
    r = runner.invoke(
        _app(),
        ["report", "handout", sid, "-o", str(out), "--paper", "letter", "--as", cli.therapist, "--force"],
    )
    assert r.exit_code == 0, r.output
    assert r.output.strip() == f"wrote {out} (letter)"
    info = subprocess.run(["pdfinfo", str(out)], capture_output=True, text=True, check=True).stdout
    assert "612 x 792 pts (letter)" in info
    assert "Tim Thal" in subprocess.run(["pdftotext", str(out), "-"], capture_output=True, text=True).stdout
    assert sorted(p.name for p in tmp_path.iterdir()) == ["handout.pdf"]  # no temporary file left


def test_cli_progress_as_the_only_owner_on_a4(cli: CliWorld, tmp_path: Path) -> None:
    out = tmp_path / "progress.pdf"
    r = runner.invoke(_app(), ["report", "progress", str(cli.course.client_id), "-o", str(out)])
    assert r.exit_code == 0, r.output
    info = subprocess.run(["pdfinfo", str(out)], capture_output=True, text=True, check=True).stdout
    assert "(A4)" in info
    text = flat(subprocess.run(["pdftotext", str(out), "-"], capture_output=True, text=True).stdout)
    assert "Olga Ott" in text and "Lakeside Therapy" in text and "Page 1 of" in text


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["handout", "{sid}", "-o", "{tmp}/missing/h.pdf"],
            "error: -o: the folder {tmp}/missing does not exist",
        ),
        (["handout", "{sid}", "-o", "{tmp}/h.png"], "error: -o must name a .pdf file, not 'h.png'"),
        (
            ["handout", "{sid}", "-o", "{tmp}/h.pdf", "--paper", "legal"],
            "error: paper: must be a4 or letter, not 'legal'",
        ),
        (
            ["handout", "{sid}", "-o", "{tmp}/h.pdf", "--as", "{desk}"],
            "error: a front desk may not read clinical records",
        ),
        (["handout", "9999", "-o", "{tmp}/h.pdf"], "error: session 9999 not found"),
        (["progress", "9999", "-o", "{tmp}/p.pdf"], "error: client 9999 not found"),
        (
            ["progress", "1", "-o", "{tmp}/p.pdf", "--as", "nobody@example.org"],
            "error: --as: no user nobody@example.org",
        ),
    ],
)
def test_cli_errors_are_one_line_and_write_nothing(
    cli: CliWorld, tmp_path: Path, args: list[str], message: str
) -> None:
    fill = {"sid": str(cli.course.sessions[0]), "tmp": str(tmp_path), "desk": cli.front_desk}
    r = runner.invoke(_app(), ["report", *[a.format(**fill) for a in args]])
    assert r.exit_code == 2
    assert r.output.strip() == message.format(**fill)
    assert list(tmp_path.iterdir()) == []
