"""Column values in the archive: every column of the schema has a codec; values survive JSON and CSV; bad
values get a message that says what is wrong."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import Column, Integer, MetaData, Table

from taut.exchange.codec import Codec, ValueProblem, codec, codecs
from taut.exchange.scope import archived_tables, clinic_scope, left_out
from taut.store import tables


def test_every_column_of_the_schema_has_a_codec() -> None:
    for table in tables.metadata.sorted_tables:
        kinds = {c.name: c.kind for c in codecs(table)}
        assert len(kinds) == len(table.columns)
    assert codec(tables.holds.c.discomfort).bound == 2**15
    assert codec(tables.holds.c.id).bound == 2**63
    assert codec(tables.users.c.version).bound == 2**31
    assert codec(tables.users.c.email).max_len == 254
    assert codec(tables.intakes.c.recorded_at).kind == "datetime"
    assert codec(tables.intakes.c.recorded_on).kind == "date"
    assert codec(tables.intakes.c.pain_drawing).kind == "json"
    assert codec(tables.outcome_measures.c.score).kind == "float"
    assert codec(tables.holds.c.released).kind == "bool"


def test_a_type_the_archive_does_not_know_is_refused() -> None:
    from sqlalchemy import LargeBinary

    t = Table("blobs", MetaData(), Column("id", Integer, primary_key=True), Column("data", LargeBinary))
    with pytest.raises(TypeError, match=r"blobs\.data"):
        codec(t.c.data)


def test_the_archive_holds_every_table_but_the_schema_marker_parents_first() -> None:
    names = [t.name for t in archived_tables()]
    # Sign-in state (sessions, throttling counts) is not the clinic's data and never leaves the install.
    sign_in_state = {"web_sessions", "login_throttle"}
    assert sorted(left_out()) == sorted({"taut_meta"} | sign_in_state)
    assert set(names) == {t.name for t in tables.metadata.sorted_tables} - {"taut_meta"} - sign_in_state
    assert "screening_decisions" in names
    for i, t in enumerate(archived_tables()):
        for fk in t.foreign_keys:
            if fk.column.table is not t:
                assert names.index(fk.column.table.name) < i, (t.name, fk.column.table.name)


def test_each_table_selects_one_clinics_rows() -> None:
    where = {
        s.table.name: str(s.where.compile(compile_kwargs={"literal_binds": True})) for s in clinic_scope(7)
    }
    assert where["clinics"] == "clinics.id = 7"
    assert where["holds"] == "holds.clinic_id = 7"
    assert where["audit_log"] == "audit_log.clinic_id = 7"


INT = Codec("n", "int", nullable=False, bound=2**15)
TEXT = Codec("t", "text", nullable=True, max_len=5)
STAMP = Codec("at", "datetime", nullable=False)
DAY = Codec("on", "date", nullable=True)
FLAG = Codec("b", "bool", nullable=False)
NUMBER = Codec("x", "float", nullable=False)
DOC = Codec("j", "json", nullable=False)


@pytest.mark.parametrize(
    ("c", "value", "message"),
    [
        (INT, "17", "not a whole number: '17'"),
        (INT, 1.5, "not a whole number: 1.5"),
        (INT, True, "not a whole number: True"),
        (INT, 40000, "40000 is out of range (-32768 to 32767)"),
        (INT, None, "must have a value (it is null)"),
        (TEXT, "toolong", "longer than 5 characters (7)"),
        (TEXT, "a\x00b", "contains a NUL character"),
        (TEXT, 5, "not a text value: 5"),
        (STAMP, "2025-03-03T14:00:00", "the time has no time zone (add +00:00 for UTC)"),
        (STAMP, "yesterday", "not a date and time"),
        (DAY, "2025-02-30", "not a date (YYYY-MM-DD): '2025-02-30'"),
        (DAY, "20250303", "not a date (YYYY-MM-DD)"),
        (FLAG, "true", "not true or false: 'true'"),
        (NUMBER, float("nan"), "not a finite number"),
        (NUMBER, "1.5", "not a number"),
    ],
)
def test_bad_json_values_say_what_is_wrong(c: Codec, value: object, message: str) -> None:
    with pytest.raises(ValueProblem) as e:
        c.from_json(value)
    assert str(e.value).startswith(message)


@pytest.mark.parametrize(
    ("c", "cell", "message"),
    [
        (INT, "seven", "not a whole number: 'seven'"),
        (INT, "", "must have a value (the cell is empty)"),
        (FLAG, "yes", "not true or false: 'yes'"),
        (DOC, "{oops", "not valid JSON"),
        (NUMBER, "inf", "not a finite number"),
    ],
)
def test_bad_csv_cells_say_what_is_wrong(c: Codec, cell: str, message: str) -> None:
    with pytest.raises(ValueProblem) as e:
        c.from_text(cell)
    assert str(e.value).startswith(message)


def test_timestamps_are_written_in_utc_with_their_offset_and_read_back_in_utc() -> None:
    moment = datetime(2025, 3, 3, 15, 0, 0, 123456, tzinfo=timezone(timedelta(hours=1)))
    assert STAMP.to_json(moment) == "2025-03-03T14:00:00.123456+00:00"
    back = STAMP.from_json("2025-03-03T15:00:00.123456+01:00")
    assert back == moment and back.tzinfo == UTC
    assert DAY.to_text(date(2025, 3, 3)) == "2025-03-03"
    assert DAY.from_text("") is None
    assert Codec("t", "text", nullable=False).from_text("") == ""


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=5),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=3), inner, max_size=3),
    max_leaves=8,
)


@given(
    n=st.integers(-(2**15), 2**15 - 1),
    x=st.floats(allow_nan=False, allow_infinity=False),
    b=st.booleans(),
    d=st.dates(),
    at=st.datetimes(timezones=st.just(UTC)),
    j=json_values,
    t=st.text(alphabet=st.characters(codec="utf-8", exclude_characters="\x00"), max_size=5),
)
def test_values_survive_json_and_csv(
    n: int, x: float, b: bool, d: date, at: datetime, j: object, t: str
) -> None:
    for c, value in ((INT, n), (NUMBER, x), (FLAG, b), (DAY, d), (STAMP, at), (DOC, j), (TEXT, t or None)):
        assert c.from_json(c.to_json(value)) == value
        if c is not DOC or j is not None:  # an empty cell is NULL, not the JSON null
            assert c.from_text(c.to_text(value)) == value
