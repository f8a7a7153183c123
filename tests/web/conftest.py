"""Web tests: the real app over a real SQLite database (one per test module), driven with TestClient.

``web_world`` has two clinics: A with alice (owner), bob (therapist) and fran (front desk); B with carol
(owner). ``signed_in(app, user)`` gives a TestClient logged in as that user, with ``.csrf`` set."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from taut.clinic import Role, User
from taut.services import clinics
from taut.settings import Settings
from taut.store import Database, make_engine
from taut.web.app import create_app
from tests import migrated

PASSWORD = "correct horse battery"


@dataclass
class WebWorld:
    app: FastAPI
    db: Database
    alice: User
    bob: User
    fran: User
    carol: User


def make_settings(tmp: Path) -> Settings:
    return Settings(
        database_path=tmp / "web.sqlite3",
        secret_key="test-secret-key-" + "x" * 32,
        secret_key_path=tmp / "secret",
    )


@pytest.fixture(scope="module")
def web_world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WebWorld]:
    tmp = tmp_path_factory.mktemp("web")
    settings = make_settings(tmp)
    db = Database(make_engine(settings.url))
    migrated.upgrade(db.engine)
    _, alice = clinics.create_clinic(
        db, name="Clinic A", owner_email="alice@a.example", owner_name="Alice Adler", password=PASSWORD
    )
    bob = clinics.add_user(
        db, alice, email="bob@a.example", name="Bob Brandt", role=Role.THERAPIST, password=PASSWORD
    )
    fran = clinics.add_user(
        db, alice, email="fran@a.example", name="Fran Frei", role=Role.FRONT_DESK, password=PASSWORD
    )
    _, carol = clinics.create_clinic(
        db, name="Clinic B", owner_email="carol@b.example", owner_name="Carol Conti", password=PASSWORD
    )
    app = create_app(settings, db)
    yield WebWorld(app, db, alice, bob, fran, carol)
    db.dispose()


class Browser(TestClient):
    csrf: str = ""


def csrf_from(html: str) -> str:
    m = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert m, "no CSRF token on the page"
    return m.group(1)


def signed_in(app: FastAPI, user: User | None, password: str = PASSWORD) -> Browser:
    """A client logged in as ``user`` (None: not logged in, but with a CSRF token for the login form)."""
    client = Browser(app, follow_redirects=False)
    page = client.get("/login")
    client.csrf = csrf_from(page.text)
    if user is not None:
        r = client.post("/login", data={"email": user.email, "password": password, "csrf_token": client.csrf})
        assert r.status_code == 303, r.text
        client.csrf = client.get("/api/v1/session").json()["csrf_token"]
    return client
