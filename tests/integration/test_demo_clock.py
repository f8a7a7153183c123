"""The demo is dated on its clinic's clock (issue 13): "today" is the clinic's day and sessions happen in working
hours of the clinic's zone, not of UTC."""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.integration.conftest import fresh_database

from taut.clinic import dates
from taut.services import charts, clients, clinics
from taut.services.demo import seed_demo


def test_demo_sessions_are_in_the_clinics_working_hours(
    tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    db = fresh_database("sqlite", tmp_path, request)
    login = seed_demo(db, clients=1, seed=3)
    owner = clinics.authenticate(db, email=login.email, password=login.password)
    clinics.update_clinic(db, owner, timezone="Pacific/Kiritimati")  # UTC+14: UTC's working day is its night
    before = {c.id for c in clients.list_clients(db, owner, limit=100).items}
    seed_demo(db, clients=4, seed=4)
    zone = dates.zone("Pacific/Kiritimati")
    hours = []
    for c in clients.list_clients(db, owner, limit=100).items:
        if c.id in before or c.id is None:
            continue
        chart = charts.load_chart(db, owner, c.id)
        hours += [e.session.occurred_at.astimezone(zone).hour for e in chart.sessions]
    assert len(hours) > 10
    assert all(6 <= h <= 19 for h in hours), sorted(set(hours))
    db.dispose()
