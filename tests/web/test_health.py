"""/healthz and /readyz: no sign-in, no user loaded, nothing revealed; /readyz says 503 when the database is
away or behind the code. The session key is shared through the database by app servers without
TAUT_SECRET_KEY."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import event

from taut.settings import Settings
from taut.store import Database, make_engine, migrate
from taut.web.app import create_app
from tests.web.conftest import WebWorld, signed_in


def test_health_and_readiness_need_no_sign_in_and_touch_no_user(web_world: WebWorld) -> None:
    statements: list[str] = []

    def seen(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        statements.append(statement)

    client = TestClient(web_world.app)
    event.listen(web_world.db.engine, "before_cursor_execute", seen)
    try:
        r = client.get("/healthz")
        assert r.status_code == 200 and r.json() == {"status": "ok"}
        assert statements == []  # alive without the database
        r = client.get("/readyz")
        assert r.status_code == 200 and r.json() == {"status": "ready"}
    finally:
        event.remove(web_world.db.engine, "before_cursor_execute", seen)
    assert not any("users" in s for s in statements)
    assert "set-cookie" not in r.headers and r.headers["cache-control"] == "no-store"
    # Signed in, the answer is the same: nothing about the user or the clinic.
    alice = signed_in(web_world.app, web_world.alice)
    assert alice.get("/readyz").json() == {"status": "ready"}


def test_not_ready_when_the_schema_is_behind_or_the_database_away(tmp_path: Path) -> None:
    settings = Settings(database_path=tmp_path / "old.sqlite3", secret_key="k" * 40)
    db = Database(make_engine(settings.url))
    migrate.upgrade(db.engine, "0001")
    r = TestClient(create_app(settings, db)).get("/readyz")
    assert r.status_code == 503 and r.json() == {"status": "not ready"}
    away = Settings(database_url="postgresql+psycopg://nobody@127.0.0.1:9/none", secret_key="k" * 40)
    r = TestClient(create_app(away)).get("/readyz")
    assert r.status_code == 503 and r.json() == {"status": "not ready"}
    assert TestClient(create_app(away)).get("/healthz").status_code == 200
    db.dispose()


def test_two_app_servers_without_a_configured_key_accept_each_others_cookies(
    web_world: WebWorld, tmp_path: Path
) -> None:
    settings = Settings(database_path=tmp_path / "unused.sqlite3", secret_key_path=tmp_path / "no-key")
    one = create_app(settings, web_world.db)
    two = create_app(settings.model_copy(update={"secret_key_path": tmp_path / "other"}), web_world.db)
    client = signed_in(one, web_world.alice)
    other = TestClient(two, cookies=dict(client.cookies), follow_redirects=False)
    assert other.get("/clients").status_code == 200
    assert not (tmp_path / "no-key").exists() and not (tmp_path / "other").exists()


def test_the_api_health_route_loads_no_user_even_for_a_signed_in_caller(web_world: WebWorld) -> None:
    """The trivial endpoint of the throughput benchmark (bench/bench_throughput.py): no database statement at all,
    so the chart page's ratio to it measures the chart page."""
    statements: list[str] = []

    def seen(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        statements.append(statement)

    alice = signed_in(web_world.app, web_world.alice)
    event.listen(web_world.db.engine, "before_cursor_execute", seen)
    try:
        r = alice.get("/api/v1/health")
        assert r.status_code == 200 and r.json()["status"] == "ok"
        assert statements == []
        alice.get("/api/v1/session")  # the listener does see a route that loads the user
        assert any("sessions" in s or "users" in s for s in statements)
    finally:
        event.remove(web_world.db.engine, "before_cursor_execute", seen)


def test_api_health_loads_no_user_even_for_a_signed_in_browser(web_world: WebWorld) -> None:
    """``/api/v1/health`` is the trivial route of the throughput benchmark: no statement, no user, no cookie,
    whoever asks."""
    statements: list[str] = []

    def seen(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        statements.append(statement)

    alice = signed_in(web_world.app, web_world.alice)
    event.listen(web_world.db.engine, "before_cursor_execute", seen)
    try:
        r = alice.get("/api/v1/health")
        anonymous = TestClient(web_world.app).get("/api/v1/health")
    finally:
        event.remove(web_world.db.engine, "before_cursor_execute", seen)
    assert r.status_code == anonymous.status_code == 200 and r.json()["status"] == "ok"
    assert statements == [] and "set-cookie" not in r.headers
