"""The one home of display names: regions, muscles, trigger points, sides, dates in a time zone, instruments and
sources, and the promise that no raw id or citation key reaches a person."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from taut.anatomy.regions import RegionRef, Side, body_map
from taut.clinic import naming
from taut.clinic.outcomes import INSTRUMENTS
from taut.knowledge import knowledge

AUCKLAND = ZoneInfo("Pacific/Auckland")
NEW_YORK = ZoneInfo("America/New_York")


def test_capital_keeps_the_rest_of_the_name() -> None:
    assert naming.capital("upper trapezius") == "Upper trapezius"
    assert naming.capital("psoas (TMJ side)") == "Psoas (TMJ side)"
    assert "psoas (TMJ side)".capitalize() != naming.capital("psoas (TMJ side)")
    assert naming.capital("") == ""
    assert naming.lower_first("Top of head") == "top of head"
    assert naming.lower_first("TMJ") == "TMJ"


def test_region_names_from_the_body_map() -> None:
    assert naming.region_name("head.temple:right") == "Temple (right)"
    assert naming.region_name(RegionRef("head.temple", Side.LEFT)) == "Temple (left)"
    assert naming.region_name("head.vertex") == "Top of head"
    assert naming.region_words(RegionRef("head.temple", Side.RIGHT)) == "right temple"
    assert naming.region_words(RegionRef("head.vertex")) == "top of head"
    # text that is no region id of the body map is shown as given
    assert naming.region_name("no.such") == "no.such"


def test_every_region_has_a_name_without_its_id() -> None:
    for region in body_map():
        for side in region.sides:
            name = naming.region_name(RegionRef(region.id, side))
            assert "." not in name and "_" not in name, name


def test_muscle_and_trigger_point_labels() -> None:
    assert naming.muscle_name("upper_trapezius") == "Upper trapezius"
    assert naming.muscle_words("upper trapezius") == "upper trapezius"
    assert naming.trp_label("upper_trapezius.trp1") == "TrP1"
    assert naming.trp_name("upper_trapezius.trp1") == "Upper trapezius TrP1"
    assert naming.trp_name("upper_trapezius") == "Upper trapezius"
    assert (
        naming.trigger_point_name("upper_trapezius.trp1")
        == "Upper trapezius TrP1, anterior (vertical) fibres"
    )
    assert (
        naming.trigger_point_words("upper_trapezius.trp1", Side.RIGHT)
        == "right upper trapezius, TrP1, anterior (vertical) fibres"
    )
    # a point the knowledge base does not hold (an old record): words, never the raw id
    words = naming.trigger_point_words("levator_scapulae.trp9", Side.LEFT)
    assert words == "left levator scapulae, TrP9"
    assert "levator_scapulae" not in naming.trigger_point_name("levator_scapulae.trp9")


def test_no_trigger_point_label_shows_its_id() -> None:
    kb = knowledge()
    for m in kb.muscles.values():
        for tp in m.trigger_points:
            for text in (
                naming.trp_name(tp.id),
                naming.trigger_point_name(tp.id),
                naming.trigger_point_words(tp.id, Side.LEFT),
            ):
                assert tp.id not in text and "_" not in text.split(",")[0], text


def test_sides() -> None:
    assert naming.side_name(Side.LEFT) == "left"
    assert naming.side_name("right") == "right"
    assert naming.side_name(None) == ""
    assert naming.side_text(None) == "midline"
    assert naming.side_text(None, midline="") == ""
    assert naming.sides_text([Side.LEFT, Side.RIGHT, None]) == "both sides"
    assert naming.sides_text([Side.RIGHT]) == "right side"
    assert naming.sides_text([None]) == ""


def test_dates_short_and_long() -> None:
    d = date(2025, 3, 3)
    assert naming.short_date(d) == "3 Mar 2025"
    assert naming.long_date(d) == "3 March 2025"
    assert naming.day_month(d) == "3 Mar"
    assert naming.short_date(None) == naming.long_date(None) == naming.date_time(None) == ""


def test_times_are_utc_unless_a_zone_is_given() -> None:
    late = datetime(2025, 3, 3, 23, 30, tzinfo=UTC)
    assert naming.date_time(late) == "3 Mar 2025, 23:30"
    assert naming.time_of_day(late) == "23:30"
    assert naming.iso_minute(late) == "2025-03-03 23:30"
    # the clinic's zone moves the day as well as the hour
    assert naming.date_time(late, AUCKLAND) == "4 Mar 2025, 12:30"
    assert naming.short_date(late, AUCKLAND) == "4 Mar 2025"
    assert naming.long_date(late, AUCKLAND) == "4 March 2025"
    assert naming.day_month(late, AUCKLAND) == "4 Mar"
    assert naming.iso_minute(late, NEW_YORK) == "2025-03-03 18:30"
    assert naming.iso_date(late) == "2025-03-03" and naming.iso_date(late, AUCKLAND) == "2025-03-04"
    # a naive datetime is read as UTC, whatever the machine's zone
    assert naming.date_time(datetime(2025, 3, 3, 23, 30)) == "3 Mar 2025, 23:30"
    # a plain date is a calendar day: no zone moves it
    assert naming.short_date(date(2025, 3, 3), AUCKLAND) == "3 Mar 2025"


@given(st.datetimes(min_value=datetime(1950, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.just(UTC)))
def test_a_datetime_shows_its_day_in_the_zone(value: datetime) -> None:
    local = value.astimezone(AUCKLAND)
    assert naming.short_date(value, AUCKLAND) == naming.short_date(local.date())
    assert naming.date_time(value, AUCKLAND).endswith(f"{local:%H:%M}")
    assert re.fullmatch(r"\d{1,2} [A-Z][a-z]{2} \d{4}", naming.short_date(value))


def test_instrument_short_names_live_on_the_instrument() -> None:
    assert naming.instrument_short("pss10") == "PSS-10"
    assert naming.instrument_short("nprs") == "NPRS"
    assert naming.instrument_name("ndi") == "Neck Disability Index"
    for ins in INSTRUMENTS.values():
        assert ins.short and naming.instrument_short(ins.id) == ins.short


@pytest.mark.parametrize(
    ("key", "short"),
    [
        ("simons1999", "Simons et al. 1999"),
        ("travell1992", "Travell & Simons 1992"),
        ("simons2004", "Simons 2004"),
        ("finucane2020", "Finucane et al. 2020"),
        ("iglesias2013", "Iglesias-González et al. 2013"),
        ("nice2023", "National Institute for Health and Care Excellence 2023"),
    ],
)
def test_citations_come_from_the_bibliography(key: str, short: str) -> None:
    assert naming.citation_short(key) == short
    assert naming.citation(key) == knowledge().sources[key].citation


def test_no_citation_shows_its_key() -> None:
    kb = knowledge()
    for key in kb.sources:
        text = naming.citation_short(key, "ch. 6")
        assert key not in text and text.endswith(", ch. 6")
        assert re.search(r"\b(1[89]|20)\d\d\b", text), text
    assert (
        naming.source_line(["simons1999:ch. 6", "bron2011"]) == "Simons et al. 1999, ch. 6; Bron et al. 2011"
    )
    assert naming.citation_short("nosuchkey2020") == "unlisted source"
    assert naming.citation("nosuchkey2020") == ""


def test_technique_names() -> None:
    kb = knowledge()
    some = next(iter(kb.techniques.values()))
    assert naming.technique_name(some.id) == some.name
    assert naming.technique_name("made_up") == "made up"
