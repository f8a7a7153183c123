"""Browser tests: Debian's Chromium (/usr/bin/chromium) driven by Playwright, against the real app served by
uvicorn on 127.0.0.1 over a real SQLite database. Skipped only where Chromium is missing outside CI."""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "var" / "test-artifacts" / "e2e"
PASSWORD = "correct horse battery"


def _need_chromium() -> None:
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail(f"{CHROMIUM} is required in CI (Debian package chromium)")
        pytest.skip(f"{CHROMIUM} is missing (apt-get install chromium)")


@pytest.fixture(scope="session")
def chromium() -> Iterator[Any]:
    _need_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield browser
        browser.close()


@dataclass
class LiveServer:
    url: str
    email: str
    password: str
    db: Any


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    import uvicorn

    from taut.clinic import Role
    from taut.services import clinics
    from taut.settings import Settings
    from taut.store import Database, make_engine, migrate
    from taut.web.app import create_app

    tmp = tmp_path_factory.mktemp("live")
    settings = Settings(
        database_path=tmp / "e2e.sqlite3", secret_key="e2e-secret-" + "k" * 40, secret_key_path=tmp / "key"
    )
    db = Database(make_engine(settings.url))
    migrate.upgrade(db.engine)
    _, owner = clinics.create_clinic(
        db,
        name="Harbour Clinic",
        owner_email="owner@harbour.example",
        owner_name="Olive Owner",
        password=PASSWORD,
    )
    clinics.add_user(
        db, owner, email="tess@harbour.example", name="Tess Therapist", role=Role.THERAPIST, password=PASSWORD
    )
    port = _free_port()
    server = uvicorn.Server(
        uvicorn.Config(create_app(settings, db), host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    for _ in range(200):
        if server.started:
            break
        time.sleep(0.05)
    assert server.started, "the test server did not start"
    yield LiveServer(f"http://127.0.0.1:{port}", "tess@harbour.example", PASSWORD, db)
    server.should_exit = True
    thread.join(timeout=10)
    db.dispose()


def today() -> date:
    return date.today()
