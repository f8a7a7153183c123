"""``taut init``, ``taut users`` and ``taut audit`` end to end through Typer's runner, on SQLite and PostgreSQL:
a fresh database becomes a clinic with its owner; a second init is refused; colleagues are added, listed,
given passwords, deactivated and reactivated; every bad input is one line and exit status 2, changing nothing."""

from __future__ import annotations

import json
import re

import pytest
import typer
from tests.integration.conftest import BACKENDS, fresh_database
from typer.testing import CliRunner

from taut.cli.users import register
from taut.services import accounts, clinics
from taut.store import Database

runner = CliRunner()
pytestmark = pytest.mark.xdist_group("accounts_cli")
GOOD = "quiet harbour lantern 7"


def _app() -> typer.Typer:
    app = typer.Typer()
    register(app)
    return app


@pytest.fixture(scope="module", params=BACKENDS)
def cli(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Database, dict[str, str]]:
    db = fresh_database(request.param, tmp_path_factory.mktemp("acli"), request)
    return db, {"TAUT_DATABASE_URL": db.engine.url.render_as_string(hide_password=False)}


def _run(env: dict[str, str], *args: str, stdin: str | None = None) -> tuple[int, str]:
    r = runner.invoke(_app(), list(args), env=env, input=stdin)
    return r.exit_code, r.output


def test_init_users_and_audit_end_to_end(cli: tuple[Database, dict[str, str]]) -> None:
    db, env = cli
    init = [
        "init",
        "--clinic",
        "Harbour NMT",
        "--owner-email",
        "olga@harbour.example",
        "--owner-name",
        "Olga Ott",
    ]
    code, out = _run(env, *init, "--timezone", "Moon/Base")
    assert code == 2 and "clinic.timezone" in out and clinics.setup_needed(db)
    code, out = _run(env, *init, "--timezone", "America/Vancouver", "--password-stdin", stdin="short\n")
    assert code == 2 and "at least 12 characters" in out and clinics.setup_needed(db)
    code, out = _run(env, *init, "--timezone", "America/Vancouver")
    assert code == 0, out
    one_time = re.search(r"one-time password: (\S+)", out)
    assert one_time and "America/Vancouver" in out
    owner = clinics.authenticate(db, email="olga@harbour.example", password=one_time.group(1))
    assert owner.must_change_password
    code, out = _run(env, *init, "--timezone", "Europe/London")
    assert code == 2 and "already has a clinic" in out

    code, out = _run(
        env, "users", "add", "--email", "tim@harbour.example", "--name", "Tim Thal", "--role", "therapist"
    )
    assert code == 0 and "one-time password" in out, out
    code, out = _run(
        env,
        "users",
        "add",
        "--email",
        "fay@harbour.example",
        "--name",
        "Fay Fox",
        "--role",
        "front_desk",
        "--password-stdin",
        stdin=GOOD + "\n",
    )
    assert code == 0, out
    assert clinics.authenticate(db, email="fay@harbour.example", password=GOOD).role.value == "front_desk"
    for args, words in (
        (["--email", "tim@harbour.example", "--name", "Tim", "--role", "therapist"], "already used"),
        (["--email", "x@harbour.example", "--name", "X", "--role", "admin"], "--role"),
        (["--email", "not-an-email", "--name", "X", "--role", "therapist"], "e-mail address"),
    ):
        code, out = _run(env, "users", "add", *args)
        assert code == 2 and words in out and "Traceback" not in out, (args, out)

    code, out = _run(env, "users", "list", "--json")
    rows = json.loads(out)
    assert code == 0 and [r["email"] for r in rows] == [
        "olga@harbour.example",
        "tim@harbour.example",
        "fay@harbour.example",
    ]

    fay = next(r for r in rows if r["email"] == "fay@harbour.example")
    code, out = _run(env, "users", "deactivate", "fay@harbour.example")
    assert code == 0 and "deactivated" in out
    with pytest.raises(Exception, match="deactivated"):
        accounts.sign_in(db, email="fay@harbour.example", password=GOOD, address="test")
    assert _run(env, "users", "reactivate", "fay@harbour.example")[0] == 0
    code, out = _run(
        env, "users", "set-password", "fay@harbour.example", "--password-stdin", stdin="password1234\n"
    )
    assert code == 2 and "commonly used" in out
    code, out = _run(env, "users", "set-password", "fay@harbour.example")
    new = re.search(r"one-time password: (\S+)", out)
    assert code == 0 and new
    assert clinics.authenticate(db, email="fay@harbour.example", password=new.group(1)).id == fay["id"]
    code, out = _run(env, "users", "deactivate", "nobody@harbour.example")
    assert code == 2 and "no user nobody@harbour.example" in out

    code, out = _run(env, "audit", "--user", "olga@harbour.example", "--json")
    entries = json.loads(out)
    assert code == 0 and {"create", "deactivate", "reactivate", "password"} <= {e["action"] for e in entries}
    assert all(e["user"] == "olga@harbour.example" for e in entries)
    code, out = _run(env, "audit", "--since", "31/31/2025")
    assert code == 2 and "--since" in out
    code, out = _run(env, "audit", "--since", "2020-01-01")
    assert code == 0 and "olga@harbour.example" in out
