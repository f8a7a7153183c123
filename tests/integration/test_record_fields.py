"""Every declared field of a trigger-point finding (``taut.clinic.fields``) reaches every adapter: the record,
the store, the JSON API schema, the FHIR round trip, the clinic archive, the SOAP note and the progress letter.
Each field gets a value unlike its default, so an adapter that drops or mixes up a field fails here. On SQLite
and PostgreSQL."""

from __future__ import annotations

import dataclasses
import json
import zipfile
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from tests.integration.conftest import World
from tests.records_factories import make_assessment, make_client

from taut.anatomy.regions import Side
from taut.clinic.assessment import TriggerPointFinding
from taut.clinic.fields import TRIGGER_POINT_SIGNS, RecordField
from taut.clinic.soap import finding_words
from taut.exchange.archive import DATA, export_clinic
from taut.fhir.export import client_bundle
from taut.fhir.importer import read_bundle
from taut.knowledge import knowledge
from taut.reports.load import load_progress
from taut.reports.progress import progress_html
from taut.services import charts, clients, records
from taut.store import Database
from taut.web.api.exam import FindingIn

FIRST, LATER = date(2025, 3, 3), date(2025, 3, 24)
KEY = ("trp_id", "side", "status")


def distinctive(f: RecordField, later: bool) -> Any:
    """A value unlike the default (and unlike the other examination's)."""
    if f.kind == "flag":
        return not later
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
