"""The client's intake by link on SQLite and PostgreSQL (services/intake_link.py): the draft kept on the link and
resumed, the send (submission, signed consent with its PDF, link used, draft cleared) in one transaction, the red
flag found at once, and the therapist's acceptance that links the consent to the new intake; another clinic
reaches none of it."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import pytest
from tests.integration.conftest import World
from tests.records_factories import make_client

from taut.clinic import intake_link as d
from taut.clinic.errors import NotFound, RecordValidationError
from taut.clinic.portal import BadLink, link_key
from taut.knowledge.screening import safety_screen
from taut.services import clients, intake_link, portal
from taut.store import Database

KEY = link_key("integration-secret-" + "y" * 32)
SADDLE = [{"region": "pelvis.perineum", "intensity": 3, "qualities": ["numbness"]}]


def _steps(drawing: list[dict[str, Any]], **answers: str) -> dict[str, dict[str, Any]]:
    screen = {q.id: "no" for q in safety_screen().questions} | answers
    return {
        "where": {"pain_drawing": d.check_where(drawing)},
        "story": d.check_story(
            {"complaint": "Pain low down", "onset": "sudden", "duration_value": "5", "duration_unit": "days"}
        ),
        "safety": d.check_safety(screen, drawing),
        "life": d.check_life({}, (), "", {"biochemical": {"sleep_quality": "poor"}}),
    }


def _consent(draft: dict[str, Any]) -> d.Consent:
    c = d.Consent(
        text_version=d.CONSENT_VERSION,
        signer_name="Maria Keller",
        signed_at=datetime.now(UTC).replace(microsecond=0),
        kind="typed",
        signature="Maria Keller",
        answers_sha256=d.sha256_of(d.answers_of(draft)),
    )
    return replace(c, sha256=c.digest())


def test_an_intake_by_link_is_drafted_sent_flagged_and_accepted(db: Database, world: World) -> None:
    cid = clients.register_client(db, world.bob, make_client()).id or 0
    made = portal.invite(db, world.bob, KEY, "http://127.0.0.1:8000", cid, "intake", send_email=False)
    token = made.url.split("/p/")[1]
    steps = _steps(SADDLE, saddle_numbness="yes", bladder_bowel="yes")
    for step, value in steps.items():
        intake_link.save_step(db, KEY, token, step, value)
    resumed = intake_link.open_intake(db, KEY, token)
    assert resumed.draft == steps and d.next_step(resumed.draft) == "consent"
    # a consent over other answers than the draft's is refused, nothing sent
    stale = _consent({**steps, "story": {**steps["story"], "complaint": "else"}})
    with pytest.raises(RecordValidationError):
        intake_link.send_intake(db, KEY, token, stale, b"%PDF-1.7 stale")
    consent = _consent(steps)
    sent = intake_link.send_intake(db, KEY, token, consent, b"%PDF-1.7 test")
    assert sent.urgent and any(a.red_flag == "cauda_equina" for a in sent.attention)
    assert intake_link.urgent_clients(db, world.bob, [cid, 987_654]) == {cid}
    assert intake_link.urgent_clients(db, world.carol, [cid]) == set()
    with pytest.raises(BadLink):
        intake_link.open_intake(db, KEY, token)
    with pytest.raises(BadLink):
        intake_link.save_step(db, KEY, token, "story", steps["story"])
    [got] = portal.received(db, world.bob, cid)
    row = intake_link.consent_of(db, world.bob, got)
    assert row is not None and row.sha256 == consent.sha256 and row.intake_id is None
    assert intake_link.consent_pdf(db, world.bob, cid, row.id) == b"%PDF-1.7 test"
    with pytest.raises(NotFound):
        intake_link.consent_pdf(db, world.carol, cid, row.id)
    with pytest.raises(NotFound):
        intake_link.accept_intake(db, world.carol, cid, got.id or 0)
    iid = intake_link.accept_intake(db, world.bob, cid, got.id or 0)
    row = intake_link.consent_of(db, world.bob, got)
    assert row is not None and row.intake_id == iid
    assert intake_link.urgent_clients(db, world.bob, [cid]) == set()
    with pytest.raises(RecordValidationError):
        intake_link.accept_intake(db, world.bob, cid, got.id or 0)
