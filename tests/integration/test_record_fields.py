"""Every declared field of a trigger-point finding and of a 48-hour check-in (``taut.clinic.fields``) reaches every
adapter: the record, the store, the JSON API schema, the FHIR round trip, the clinic archive, the SOAP note and
the progress letter (and for the check-in the conductor's form). Each field gets a value unlike its default, so an
adapter that drops or mixes up a field fails here. On SQLite and PostgreSQL."""

from __future__ import annotations

import dataclasses
import json
import zipfile
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from tests.integration.conftest import World
from tests.records_factories import make_assessment, make_client, make_session

from taut.anatomy.regions import Side
from taut.clinic.assessment import TriggerPointFinding
from taut.clinic.fields import CHECKIN_FIELDS, TRIGGER_POINT_SIGNS, RecordField
from taut.clinic.sessions import CheckIn
from taut.clinic.soap import build_soap_note, finding_words
from taut.exchange.archive import DATA, export_clinic
from taut.fhir.export import client_bundle
from taut.fhir.importer import read_bundle
from taut.knowledge import knowledge
from taut.reports.load import load_progress
from taut.reports.progress import progress_html
from taut.services import charts, clients, records
from taut.store import Database
from taut.web.api.exam import FindingIn
from taut.web.api.sessions import CheckInIn
from taut.web.forms import declared

FIRST, LATER = date(2025, 3, 3), date(2025, 3, 24)
KEY = ("trp_id", "side", "status")


def distinctive(f: RecordField, later: bool) -> Any:
    """A value unlike the default (and unlike the other record's)."""
    if f.kind == "flag":
        return not later
    if f.kind == "choice":
        return f.codes[-1] if later else f.codes[1]
    assert f.low is not None and f.high is not None
    if f.kind == "whole":
        return int(f.low) + 1 if later else int(f.high) - 1
    return (f.low + f.high) / 2 + (0.5 if later else 0.25)


def finding(later: bool) -> TriggerPointFinding:
    values = {f.name: distinctive(f, later) for f in TRIGGER_POINT_SIGNS}
    return TriggerPointFinding(trp_id="upper_trapezius.trp1", side=Side.RIGHT, status="active", **values)


@pytest.fixture(scope="module")
def client_id(db: Database, world: World) -> int:
    c = clients.register_client(db, world.bob, make_client(given_name="Fields"))
    assert c.id is not None
    for on, later in ((FIRST, False), (LATER, True)):
        records.record_assessment(
            db, world.bob, c.id, make_assessment(assessed_on=on, findings=(finding(later),))
        )
    return c.id


def test_the_record_holds_exactly_the_key_and_the_declared_fields() -> None:
    names = tuple(f.name for f in dataclasses.fields(TriggerPointFinding))
    assert names == (*KEY, *TRIGGER_POINT_SIGNS.names)


def test_the_api_schema_takes_every_declared_field_with_its_range() -> None:
    props = FindingIn.model_json_schema()["properties"]
    assert tuple(props) == (*KEY, *TRIGGER_POINT_SIGNS.names)
    for f in TRIGGER_POINT_SIGNS.of_kind("whole", "number"):
        numeric = next(x for x in props[f.name]["anyOf"] if x["type"] != "null")
        assert (numeric["minimum"], numeric["maximum"]) == (f.low, f.high), f.name


def test_the_store_keeps_every_declared_field(db: Database, world: World, client_id: int) -> None:
    chart = charts.load_chart(db, world.bob, client_id)
    assert [a.findings for a in chart.assessments] == [(finding(False),), (finding(True),)]


def test_the_fhir_round_trip_keeps_every_declared_field(db: Database, world: World, client_id: int) -> None:
    course = read_bundle(client_bundle(db, world.bob, client_id))
    assert [a.findings for a in course.chart.assessments] == [(finding(False),), (finding(True),)]


def test_the_clinic_archive_holds_every_declared_field(
    db: Database, world: World, client_id: int, tmp_path: Path
) -> None:
    path = export_clinic(db, world.alice, tmp_path / "clinic.zip").path
    with zipfile.ZipFile(path) as zf:
        rows = json.loads(zf.read(DATA))["tables"]["trp_findings"]
    mine = [r for r in rows if r["client_id"] == client_id]
    assert [{f.name: r[f.name] for f in TRIGGER_POINT_SIGNS} for r in mine] == [
        TRIGGER_POINT_SIGNS.values(finding(later)) for later in (False, True)
    ]


def test_the_soap_note_words_every_declared_field() -> None:
    for later in (False, True):
        words = finding_words(finding(later), knowledge())
        for f in TRIGGER_POINT_SIGNS:
            said = f.soap_words(getattr(finding(later), f.name))
            assert said and said in words, (f.name, words)


def test_the_progress_letter_shows_first_and_latest_of_every_letter_field(
    db: Database, world: World, client_id: int
) -> None:
    html = progress_html(load_progress(db, world.bob, client_id, today=date(2025, 4, 1)))
    for f in TRIGGER_POINT_SIGNS:
        if not f.letter:
            assert f.why_not_in_letter, f.name
            continue
        assert f'<th class="num">{f.label}</th>' in html, f.name
        first, latest = (distinctive(f, later) for later in (False, True))
        assert f"{first:g} → {latest:g}" in html, f.name


# --- the 48-hour check-in -------------------------------------------------------------------------------------

CHECKIN_OWN = ("id", "session_id", "recorded_at")  # then the declared fields, then the free-text questions
START = datetime(2025, 3, 3, 14, tzinfo=UTC)


def checkin(session_id: int, later: bool) -> CheckIn:
    values = {f.name: distinctive(f, later) for f in CHECKIN_FIELDS}
    return CheckIn(session_id=session_id, recorded_at=START + timedelta(weeks=later, hours=48), **values)


@pytest.fixture(scope="module")
def checkin_client(db: Database, world: World) -> tuple[int, list[int]]:
    """A client with three sessions, the first two with a check-in (the third's SOAP note words the second's)."""
    c = clients.register_client(db, world.bob, make_client(given_name="Checkin"))
    assert c.id is not None and world.bob.id is not None
    sessions = [
        records.record_session(
            db, world.bob, c.id, make_session(world.bob.id, occurred_at=START + timedelta(weeks=w))
        )
        for w in range(3)
    ]
    for sid, later in zip(sessions, (False, True), strict=False):
        records.record_checkin(db, world.bob, checkin(sid, later))
    return c.id, sessions


def _declared_checkins(chart: Any) -> list[dict[str, object]]:
    return [CHECKIN_FIELDS.values(e.checkin) for e in chart.sessions if e.checkin is not None]


def _expected() -> list[dict[str, object]]:
    return [CHECKIN_FIELDS.values(checkin(1, later)) for later in (False, True)]


def test_the_checkin_holds_exactly_its_own_fields_the_declared_ones_and_the_questions() -> None:
    names = tuple(f.name for f in dataclasses.fields(CheckIn))
    assert names == (*CHECKIN_OWN, *CHECKIN_FIELDS.names, "questions")


def test_the_api_schema_takes_every_declared_checkin_field() -> None:
    schema = CheckInIn.model_json_schema()
    assert set(schema["properties"]) == {*CHECKIN_FIELDS.names, "questions"}
    assert set(schema["required"]) == {f.name for f in CHECKIN_FIELDS if f.required}
    for f in CHECKIN_FIELDS.of_kind("whole"):
        assert (schema["properties"][f.name]["minimum"], schema["properties"][f.name]["maximum"]) == (
            f.low,
            f.high,
        )


def test_the_checkin_form_reads_every_declared_field() -> None:
    for later in (False, True):
        want = CHECKIN_FIELDS.values(checkin(1, later))
        form = {f.form_key: str(want[f.name]) for f in CHECKIN_FIELDS}
        assert {f.name: declared(form, f.form_key, f) for f in CHECKIN_FIELDS} == want


def test_the_store_keeps_every_declared_checkin_field(
    db: Database, world: World, checkin_client: tuple[int, list[int]]
) -> None:
    assert _declared_checkins(charts.load_chart(db, world.bob, checkin_client[0])) == _expected()


def test_the_fhir_round_trip_keeps_every_declared_checkin_field(
    db: Database, world: World, checkin_client: tuple[int, list[int]]
) -> None:
    course = read_bundle(client_bundle(db, world.bob, checkin_client[0]))
    assert _declared_checkins(course.chart) == _expected()


def test_the_clinic_archive_holds_every_declared_checkin_field(
    db: Database, world: World, checkin_client: tuple[int, list[int]], tmp_path: Path
) -> None:
    path = export_clinic(db, world.alice, tmp_path / "clinic.zip").path
    with zipfile.ZipFile(path) as zf:
        rows = json.loads(zf.read(DATA))["tables"]["checkins"]
    mine = [r for r in rows if r["client_id"] == checkin_client[0]]
    assert [{f.name: r[f.name] for f in CHECKIN_FIELDS} for r in mine] == _expected()


def test_the_soap_note_words_every_declared_checkin_field(
    db: Database, world: World, checkin_client: tuple[int, list[int]]
) -> None:
    client_id, sessions = checkin_client
    chart = charts.load_chart(db, world.bob, client_id)
    for later, next_session in ((False, sessions[1]), (True, sessions[2])):
        text = build_soap_note(chart, next_session).subjective
        for f in CHECKIN_FIELDS:
            said = f.soap_words(getattr(checkin(1, later), f.name))
            assert said and said in text, (f.name, text)


def test_the_progress_letter_shows_every_letter_checkin_field(
    db: Database, world: World, checkin_client: tuple[int, list[int]]
) -> None:
    html = progress_html(load_progress(db, world.bob, checkin_client[0], today=date(2025, 4, 1)))
    for f in CHECKIN_FIELDS:
        assert f.letter or f.why_not_in_letter, f.name
        for later in (False, True) if f.letter else ():
            value = distinctive(f, later)
            assert (f"{value}/10" if f.kind == "whole" else f": {value}") in html, (f.name, value)
