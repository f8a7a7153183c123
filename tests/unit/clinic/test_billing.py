"""Units per CPT code under the CMS 8-minute rule (Medicare Claims Processing Manual, ch. 5, §20.2),
checked on the manual's worked examples and on sessions."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st
from tests.records_factories import make_hold, make_session

from taut.clinic.billing import (
    MANUAL_THERAPY,
    MASSAGE,
    TECHNIQUE_CODES,
    assign_units,
    session_billing,
    split_minutes,
    units_for_minutes,
)
from taut.clinic.errors import RecordValidationError
from taut.knowledge import knowledge


@pytest.mark.parametrize(
    ("minutes", "units"),
    [(0, 0), (7, 0), (8, 1), (22, 1), (23, 2), (37, 2), (38, 3), (52, 3), (53, 4), (67, 4), (68, 5),
     (82, 5), (83, 6), (97, 6), (98, 7), (112, 7), (113, 8), (127, 8), (128, 9)],
)  # fmt: skip
def test_total_units_follow_the_cms_chart(minutes: int, units: int) -> None:
    assert units_for_minutes(minutes) == units


def test_a_code_with_the_larger_remainder_takes_the_last_unit() -> None:
    # §20.2 example: 33 min of one code and 7 of another = 40 min = 3 units: 2 full units for the first,
    # then its 3 remaining minutes lose to the other code's 7.
    a = assign_units({MANUAL_THERAPY: 33, MASSAGE: 7})
    assert a.units == {MANUAL_THERAPY: 2, MASSAGE: 1} and not a.ties


def test_more_units_go_to_the_code_with_more_minutes() -> None:
    # §20.2 example: 24 + 23 = 47 min = 3 units: 2 and 1.
    assert assign_units({MASSAGE: 23, MANUAL_THERAPY: 24}).units == {MANUAL_THERAPY: 2, MASSAGE: 1}


def test_equal_minutes_either_code_takes_the_extra_unit_and_the_tie_is_reported() -> None:
    # §20.2 example: 20 + 20 = 40 min = 3 units; never 3 units of one code.
    a = assign_units({MANUAL_THERAPY: 20, MASSAGE: 20})
    assert sorted(a.units.values()) == [1, 2]
    assert a.ties == (((MANUAL_THERAPY, MASSAGE), (MANUAL_THERAPY,)),)


def test_four_codes_the_two_largest_remainders_win() -> None:
    # §20.2 example: 18 + 13 + 10 + 8 = 49 min = 3 units: one each for the first three, none for the 8.
    a = assign_units({"97110": 18, "97140": 13, "97116": 10, "97035": 8})
    assert a.units == {"97110": 1, "97140": 1, "97116": 1, "97035": 0}


def test_short_services_bill_one_unit_together_or_nothing_alone() -> None:
    assert assign_units({MANUAL_THERAPY: 7}).units == {MANUAL_THERAPY: 0}
    assert assign_units({MANUAL_THERAPY: 7, MASSAGE: 1}).units == {MANUAL_THERAPY: 1, MASSAGE: 0}
    three = assign_units({"97112": 7, "97110": 7, "97140": 7})
    assert sum(three.units.values()) == 1 and len(three.ties[0][0]) == 3


def test_bad_minutes_name_the_code() -> None:
    with pytest.raises(RecordValidationError, match=r"billing\.minutes\[97140\]"):
        assign_units({MANUAL_THERAPY: -1})


@given(st.dictionaries(st.sampled_from(["a", "b", "c", "d"]), st.integers(0, 300), min_size=1))
def test_units_add_up_and_every_full_quarter_hour_counts(minutes: dict[str, int]) -> None:
    a = assign_units(minutes)
    assert sum(a.units.values()) == units_for_minutes(sum(minutes.values()))
    for code, m in minutes.items():
        assert m // 15 <= a.units[code] <= m // 15 + 1


@given(st.integers(0, 600), st.dictionaries(st.sampled_from(["a", "b"]), st.integers(1, 3600), min_size=1))
def test_split_minutes_adds_up(total: int, seconds: dict[str, int]) -> None:
    parts = split_minutes(total, seconds)
    assert sum(parts.values()) == total
    for code in seconds:
        assert abs(parts[code] - total * seconds[code] / sum(seconds.values())) < 1


def test_every_technique_of_the_knowledge_base_has_a_code() -> None:
    assert set(TECHNIQUE_CODES) == set(knowledge().techniques)
    assert set(TECHNIQUE_CODES.values()) == {MANUAL_THERAPY, MASSAGE}


def test_session_minutes_are_split_by_hold_seconds_per_code() -> None:
    session = make_session(
        1,
        occurred_at=datetime(2025, 3, 3, 14, 0, tzinfo=UTC),
        ended_at=datetime(2025, 3, 3, 14, 40, tzinfo=UTC),
        holds=(
            make_hold(technique="ischemic_compression", seconds=300),
            make_hold(technique="muscle_energy", seconds=195),
            make_hold(technique="gliding", seconds=105),
        ),
    )
    b = session_billing(session)
    # 40 min: 97140 had 495 of 600 s = 33 min, 97124 105 s = 7 min -> 3 units, 2 + 1.
    assert b.session_minutes == 40 and b.units == 3 and b.problem is None
    lines = {line.code: line for line in b.lines}
    assert (lines[MANUAL_THERAPY].minutes, lines[MANUAL_THERAPY].units) == (33, 2)
    assert (lines[MASSAGE].minutes, lines[MASSAGE].units) == (7, 1)
    text = b.render()
    assert "§20.2" in text and "97140 (manual therapy techniques): 33 min" in text


def test_unknown_minutes_give_a_clear_result_not_units() -> None:
    open_session = replace(make_session(1), ended_at=None)
    b = session_billing(open_session)
    assert b.units is None and b.session_minutes is None
    assert "minutes are unknown" in (b.problem or "")
    assert b.render().startswith("No units: the treatment minutes are unknown")


def test_a_session_without_holds_bills_nothing() -> None:
    b = session_billing(make_session(1, holds=(), ended_at=datetime(2025, 3, 3, 14, 30, tzinfo=UTC)))
    assert b.units is None and b.problem == "no holds are recorded for this session"


def test_a_short_session_with_one_code_bills_no_unit() -> None:
    start = datetime(2025, 3, 3, 14, 0, tzinfo=UTC)
    b = session_billing(make_session(1, occurred_at=start, ended_at=start + timedelta(minutes=7)))
    assert b.units == 0 and b.lines[0].units == 0


def test_a_hold_under_a_minute_reads_sensibly() -> None:
    """A 20-second hold in a session that started and ended within half a minute: no "0 min", no "0 unit(s)"."""
    start = datetime(2025, 3, 3, 14, 0, tzinfo=UTC)
    session = make_session(
        1, occurred_at=start, ended_at=start + timedelta(seconds=25), holds=(make_hold(seconds=20),)
    )
    text = session_billing(session).render()
    assert text.startswith(
        "Timed treatment under 1 min (session start to end): under the 8 minutes a unit needs"
    )
    assert "- 97140 (manual therapy techniques): under 1 min from 20 s of holds, no unit" in text
    assert "0 min" not in text and "unit(s)" not in text
    long = make_session(
        1, occurred_at=start, ended_at=start + timedelta(minutes=9), holds=(make_hold(seconds=130),)
    )
    assert "= 1 unit under" in session_billing(long).render()
    assert "from 2 min 10 s of holds, 1 unit" in session_billing(long).render()


def test_a_technique_without_a_code_is_named() -> None:
    start = datetime(2025, 3, 3, 14, 0, tzinfo=UTC)
    session = make_session(1, occurred_at=start, ended_at=start + timedelta(minutes=30))
    with pytest.raises(RecordValidationError, match=r"session\.holds\[0\]\.technique"):
        session_billing(session, codes={"gliding": MASSAGE})
