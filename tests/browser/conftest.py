"""Browser tests: Debian's Chromium (/usr/bin/chromium) driven by Playwright, against the real app served by
uvicorn on 127.0.0.1 over a real SQLite database. Skipped only where Chromium is missing outside CI.

Tests wait with Playwright's ``expect()`` and ``wait_for_url`` (which retry until the page is ready), never a
fixed timeout. When a test fails, every page still open is saved as a screenshot under
``var/test-artifacts/failures/`` (with the page's address beside it)."""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
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
FAILURES = ROOT / "var" / "test-artifacts" / "failures"
PASSWORD = "correct horse battery"


def _need_chromium() -> None:
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail(f"{CHROMIUM} is required in CI (Debian package chromium)")
        pytest.skip(f"{CHROMIUM} is missing (apt-get install chromium)")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    outcome: Any = yield
    report = outcome.get_result()
    browser = getattr(item, "funcargs", {}).get("chromium")
    if report.when == "call" and report.failed and browser is not None:
        for path in screenshot_open_pages(browser, item.name):
            report.sections.append(("screenshot on failure", str(path)))


def screenshot_open_pages(browser: Any, name: str) -> list[Path]:
    """A full-page screenshot of every page the browser still has open, named after the test."""
    FAILURES.mkdir(parents=True, exist_ok=True)
    saved = []
    safe = "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in name)
    for i, context in enumerate(browser.contexts):
        for k, page in enumerate(context.pages):
            path = FAILURES / f"{safe}-{i}-{k}.png"
            try:
                page.screenshot(path=str(path), full_page=True)
            except Exception as e:  # a crashed page: say so instead of hiding the test's own failure
                path.with_suffix(".txt").write_text(f"{page.url}\nno screenshot: {e}\n")
                continue
            path.with_suffix(".txt").write_text(page.url + "\n")
            saved.append(path)
    return saved


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

    from tests import migrated

    from taut.clinic import Role
    from taut.services import clinics
    from taut.settings import Settings
    from taut.store import Database, make_engine
    from taut.web.app import create_app

    tmp = tmp_path_factory.mktemp("live")
    settings = Settings(
        database_path=tmp / "e2e.sqlite3", secret_key="e2e-secret-" + "k" * 40, secret_key_path=tmp / "key"
    )
    db = Database(make_engine(settings.url))
    migrated.upgrade(db.engine)
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
    with serving(create_app(settings, db)) as url:
        yield LiveServer(url, "tess@harbour.example", PASSWORD, db)
    db.dispose()


@contextmanager
def serving(app: Any) -> Iterator[str]:
    """The app on a free port of 127.0.0.1, in a thread, while the block runs; yields its address."""
    import uvicorn

    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    for _ in range(200):
        if server.started:
            break
        time.sleep(0.05)
    assert server.started, "the test server did not start"
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def today() -> date:
    return date.today()
