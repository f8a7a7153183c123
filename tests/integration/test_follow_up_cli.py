"""``taut follow-up`` (for a timer) and ``taut clients follow-up`` (the client's opt-out) through Typer's runner,
on SQLite and PostgreSQL: a run twice queues once, bad input is one line with exit status 2, another clinic's
client is not found."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import typer
from tests.integration.conftest import World
from tests.records_factories import make_client
from typer.testing import CliRunner

from taut.cli import follow_up, records
from taut.services import clients, sessions
from taut.store import Database

runner = CliRunner()


def _app() -> typer.Typer:
    app = typer.Typer()
    follow_up.register(app)
    records.register(app)
    return app


def _session(db: Database, world: World, client_id: int, ended: datetime) -> None:
    sid = sessions.start_session(
        db, world.bob, client_id, pain_before=5, occurred_at=ended - timedelta(hours=1)
    )
    sessions.finish_session(db, world.bob, sid, pain_after=2, ended_at=ended)


def test_the_command_queues_once_and_the_client_may_opt_out(db: Database, world: World) -> None:
    env = {
        "TAUT_DATABASE_URL": db.engine.url.render_as_string(hide_password=False),
        "TAUT_SECRET_KEY": "cli-secret-" + "s" * 40,
    }
    c = clients.register_client(db, world.bob, make_client(email="cli-after@example.org"))
    assert c.id is not None
    ended = datetime(2028, 1, 3, 15, 0, tzinfo=UTC)
    _session(db, world, c.id, ended)
    at = ["follow-up", "--at", "2028-01-05T16:00+00:00"]
    r = runner.invoke(_app(), at, env=env)
    assert r.exit_code == 0, r.output
    assert r.output.strip() == "queued 1 check-in link and 0 questionnaire links"
    r = runner.invoke(_app(), at, env=env)
    assert r.output.strip() == "queued 0 check-in links and 0 questionnaire links"
    for bad, words in (
        ("yesterday", "--at: must be a moment"),
        ("2028-01-05T16:00", "--at: give the time zone"),
    ):
        r = runner.invoke(_app(), ["follow-up", "--at", bad], env=env)
        assert r.exit_code == 2 and words in r.output and "Traceback" not in r.output
    # the client opts out: the next session's check-in is not sent
    r = runner.invoke(_app(), ["clients", "follow-up", str(c.id), "--off", "--as", world.fran.email], env=env)
    assert r.exit_code == 0 and "off (opted out)" in r.output, r.output
    _session(db, world, c.id, ended + timedelta(days=7))
    r = runner.invoke(_app(), ["follow-up", "--at", "2028-01-12T16:00+00:00"], env=env)
    assert r.output.strip() == "queued 0 check-in links and 0 questionnaire links"
    # another clinic's client is not found; a bad id is refused by name
    r = runner.invoke(_app(), ["clients", "follow-up", str(c.id), "--on", "--as", world.carol.email], env=env)
    assert r.exit_code == 2 and "not found" in r.output.lower() and "Traceback" not in r.output
    r = runner.invoke(_app(), ["clients", "follow-up", "abc", "--on", "--as", world.fran.email], env=env)
    assert r.exit_code == 2 and "Traceback" not in r.output  # Typer names the argument
    r = runner.invoke(_app(), ["clients", "follow-up", str(c.id), "--on", "--as", world.fran.email], env=env)
    assert r.exit_code == 0 and "follow-up links on" in r.output
    r = runner.invoke(_app(), ["follow-up", "--at", "2028-01-12T16:00+00:00"], env=env)
    assert r.output.strip() == "queued 1 check-in link and 0 questionnaire links"
