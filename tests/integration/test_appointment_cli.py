"""``taut book day`` and ``taut book remind`` through Typer's runner, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import typer
from tests.integration.conftest import World
from tests.records_factories import make_client
from typer.testing import CliRunner

from taut.cli.appointments import register
from taut.clinic.appointments import AppointmentType, ScheduleException
from taut.services import appointments as book
from taut.services import clients
from taut.store import Database

runner = CliRunner()


def _app() -> typer.Typer:
    app = typer.Typer()
    register(app)
    return app


def test_the_day_and_the_reminders(db: Database, world: World, tmp_path: Path) -> None:
    env = {
        "TAUT_DATABASE_URL": db.engine.url.render_as_string(hide_password=False),
        "TAUT_SECRET_KEY": "cli-secret-" + "s" * 40,
    }
    tid = book.save_type(db, world.alice, AppointmentType(name="Follow-up 45", minutes=45))
    c = clients.register_client(db, world.bob, make_client(email="maria@example.org"))
    start = datetime.now(UTC).replace(second=0, microsecond=0) + timedelta(hours=3)
    # the three hours looked in may cross midnight (an evening run): the practitioner works both days
    for day in sorted({start.date(), (start + timedelta(hours=3)).date()}):
        book.add_exception(
            db,
            world.bob,
            ScheduleException(practitioner_id=world.bob.id or 0, day=day, kind="extra", start=0, end=1440),
        )
    slot = book.availability(
        db, world.fran, type_id=tid, practitioner_id=world.bob.id, start=start, end=start + timedelta(hours=3)
    )[0]
    book.book(
        db, world.fran, client_id=c.id or 0, practitioner_id=world.bob.id or 0, type_id=tid, start=slot.start
    )
    r = runner.invoke(
        _app(), ["book", "day", "--as", world.fran.email, slot.start.date().isoformat()], env=env
    )
    assert r.exit_code == 0, r.output
    assert "Bob Brandt:" in r.output and "Maria Keller, Follow-up 45 (booked)" in r.output
    r = runner.invoke(_app(), ["book", "day", "--as", world.fran.email, "2027-02-30"], env=env)
    assert r.exit_code == 2 and "must be a date" in r.output and "Traceback" not in r.output
    r = runner.invoke(_app(), ["book", "remind"], env=env)
    assert r.exit_code == 0 and r.output.strip() == "queued 1 reminder"
    r = runner.invoke(_app(), ["book", "remind"], env=env)
    assert r.output.strip() == "queued 0 reminders"
