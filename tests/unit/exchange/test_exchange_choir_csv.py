"""CHOIR Body Map CSV: rows of a drawing, reading a file back, the crosswalk limits stated, errors naming the
row and the column. Pure: no database."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from taut.anatomy.crosswalk import choir_code, choir_labels, regions_for_choir
from taut.anatomy.pain import PainDrawing, PainMark
from taut.anatomy.regions import RegionRef, Side, body_map
from taut.exchange.choir import DEFAULT_COMPLAINT, EXPORT_COLUMNS, drawing_rows, read_drawings
from taut.exchange.errors import ExchangeError

DAY = date(2025, 3, 3)


def _csv(header: list[str] | tuple[str, ...], rows: list[list[str]]) -> str:
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(header)
    w.writerows(rows)
    return buf.getvalue()


def _rows(drawing: PainDrawing, client: int = 4, intake: int = 9) -> list[dict[str, str]]:
    return [dict(zip(EXPORT_COLUMNS, r, strict=True)) for r in drawing_rows(client, intake, DAY, drawing)]


def _codes(drawing: PainDrawing) -> set[int]:
    return {c for m in drawing.marks for c in choir_code(m.ref)}


def test_each_painted_region_gives_a_row_with_its_code_and_whether_the_code_says_exactly_that() -> None:
    drawing = PainDrawing.of(
        [
            PainMark(RegionRef("head.temple", Side.RIGHT), 6, ("aching", "throbbing")),
            PainMark(RegionRef("neck.throat", None), 3),
            PainMark(RegionRef(_exact_region(), Side.LEFT)),
        ]
    )
    rows = _rows(drawing)
    temple, throat_right, throat_left, exact = rows
    assert temple["choir_code"] == str(choir_code(RegionRef("head.temple", Side.RIGHT))[0])
    assert temple["choir_side"] == "right" and temple["intensity"] == "6"
    assert temple["qualities"] == "aching;throbbing"
    assert temple["taut_region"] == "head.temple" and temple["taut_side"] == "right"
    assert temple["exact"] == "false" and "is broader: it also holds" in temple["note"]
    # a midline region lies across the right and the left code of its area: one row each, never dropped
    assert {throat_right["choir_code"], throat_left["choir_code"]} == {"105", "106"}
    assert throat_right["taut_side"] == "" and throat_right["exact"] == "false"
    assert throat_right["note"] == "midline region: lies across CHOIR 105 and 106"
    assert exact["exact"] == "true" and exact["note"] == ""
    assert all(
        r["client_id"] == "4" and r["intake_id"] == "9" and r["recorded_on"] == "2025-03-03" for r in rows
    )


def _exact_region() -> str:
    """A sided region that is a whole CHOIR area by itself (e.g. the back of the knee)."""
    return next(
        r.id
        for r in body_map()
        if r.sided
        and regions_for_choir(choir_code(RegionRef(r.id, Side.LEFT))[0]) == [RegionRef(r.id, Side.LEFT)]
    )


def test_a_taut_export_reads_back_as_the_same_drawing() -> None:
    drawing = PainDrawing.of(
        [
            PainMark(RegionRef("head.temple", Side.RIGHT), 6, ("aching",)),
            PainMark(RegionRef("head.chin", None), 2),
            PainMark(RegionRef("neck.posterior_upper", Side.LEFT), 5, ("pressing", "aching")),
        ]
    )
    text = _csv(EXPORT_COLUMNS, drawing_rows(4, 9, DAY, drawing))
    [item] = read_drawings(text, "drawings.csv")
    assert item.client_id == 4
    assert item.intake.recorded_on == DAY
    assert item.intake.chief_complaint == DEFAULT_COMPLAINT
    assert set(item.intake.pain_drawing.marks) == set(drawing.marks)
    assert item.source == "drawings.csv row 2"


def test_a_code_alone_brings_every_region_of_its_area_and_midline_regions_only_with_both_halves() -> None:
    header = ["client_id", "date", "choir_code", "intensity"]
    [right_only] = read_drawings(_csv(header, [["1", "2025-03-03", "103", "4"]]), "f.csv")
    expected = {r for r in regions_for_choir(103) if r.side is not None}
    assert right_only.intake.pain_drawing.refs == expected
    assert all(m.intensity == 4 for m in right_only.intake.pain_drawing.marks)
    [both] = read_drawings(
        _csv(header, [["1", "2025-03-03", "103", ""], ["1", "2025-03-03", "104", ""]]), "f.csv"
    )
    assert RegionRef("head.chin", None) in both.intake.pain_drawing.refs
    assert both.intake.pain_drawing.refs == set(regions_for_choir(103)) | set(regions_for_choir(104))


@settings(max_examples=60, deadline=None)
@given(st.sets(st.sampled_from(sorted(choir_labels())), min_size=1, max_size=12))
def test_choir_codes_come_back_the_same_through_taut(codes: set[int]) -> None:
    header = ["client_id", "recorded_on", "choir_code"]
    [item] = read_drawings(_csv(header, [["2", "2024-12-01", str(c)] for c in sorted(codes)]), "f.csv")
    drawing = item.intake.pain_drawing
    assert _codes(drawing) == codes
    # and out again through the Taut export, then in again with its Taut columns: still the same codes
    [again] = read_drawings(_csv(EXPORT_COLUMNS, drawing_rows(2, 1, DAY, drawing)), "f.csv")
    assert again.intake.pain_drawing.refs == drawing.refs


@settings(max_examples=60, deadline=None)
@given(st.data())
def test_any_taut_drawing_survives_the_csv(data: st.DataObject) -> None:
    refs = [RegionRef(r.id, s) for r in body_map() for s in r.sides]
    chosen = data.draw(st.lists(st.sampled_from(refs), min_size=1, max_size=10, unique=True))
    marks = [
        PainMark(
            ref,
            data.draw(st.none() | st.integers(0, 10)),
            tuple(
                data.draw(st.lists(st.sampled_from(["aching", "burning", "sharp"]), unique=True, max_size=2))
            ),
        )
        for ref in chosen
    ]
    drawing = PainDrawing.of(marks)
    [item] = read_drawings(_csv(EXPORT_COLUMNS, drawing_rows(3, 5, DAY, drawing)), "f.csv")
    assert set(item.intake.pain_drawing.marks) == set(drawing.marks)


def test_rows_group_into_intakes_by_intake_id_or_by_client_and_date() -> None:
    header = ["client_id", "recorded_on", "choir_code", "intake_id", "chief_complaint"]
    rows = [
        ["1", "2025-01-01", "103", "7", "Jaw pain"],
        ["1", "2025-01-01", "104", "7", ""],
        ["1", "2025-01-01", "105", "8", ""],
        ["2", "2025-01-02", "201", "", ""],
        ["2", "2025-01-02", "202", "", ""],
    ]
    items = read_drawings(_csv(header, rows), "f.csv")
    assert [(i.client_id, _codes(i.intake.pain_drawing)) for i in items] == [
        (1, {103, 104}),
        (1, {105}),
        (2, {201, 202}),
    ]
    assert items[0].intake.chief_complaint == "Jaw pain"
    assert items[1].intake.chief_complaint == DEFAULT_COMPLAINT
    assert [i.source for i in items] == ["f.csv row 2", "f.csv row 4", "f.csv row 5"]


BASE = ["client_id", "recorded_on", "choir_code", "intensity", "choir_side", "taut_region", "taut_side"]


@pytest.mark.parametrize(
    ("header", "row", "message"),
    [
        (
            BASE,
            ["1", "2025-03-03", "150", "", "", "", ""],
            "f.csv row 2 column choir_code: unknown CHOIR Body Map code 150",
        ),
        (
            BASE,
            ["1", "2025-03-03", "abc", "", "", "", ""],
            "f.csv row 2 column choir_code: not a CHOIR Body Map code: 'abc'",
        ),
        (BASE, ["x", "2025-03-03", "103", "", "", "", ""], "f.csv row 2 column client_id: not a client id"),
        (
            BASE,
            ["1", "03/03/2025", "103", "", "", "", ""],
            "f.csv row 2 column recorded_on: not a date (YYYY-MM-DD)",
        ),
        (
            BASE,
            ["1", "2025-03-03", "103", "11", "", "", ""],
            "f.csv row 2 column intensity: 11 is not an intensity 0-10",
        ),
        (
            BASE,
            ["1", "2025-03-03", "103", "", "left", "", ""],
            "f.csv row 2 column choir_side: CHOIR 103 (Face (front)) is on the patient's right",
        ),
        (
            BASE,
            ["1", "2025-03-03", "104", "", "", "head.temple", "right"],
            "f.csv row 2 column taut_region: head.temple:right lies in CHOIR 101, not in 104",
        ),
        (
            BASE,
            ["1", "2025-03-03", "103", "", "", "head.nowhere", "right"],
            "f.csv row 2 column taut_region: unknown region id 'head.nowhere'",
        ),
        (
            BASE,
            ["1", "2025-03-03", "103", "", "", "head.temple", ""],
            "f.csv row 2 column taut_region: Temple (head.temple) is sided",
        ),
        (
            BASE,
            ["1", "2025-03-03", "103", "", "", "head.temple", "up"],
            "f.csv row 2 column taut_side: must be left, right or empty",
        ),
        (BASE, ["1", "2025-03-03"], "f.csv row 2: has 2 cells, the header has 7"),
        (
            ["client_id", "recorded_on", "choir_code", "painscore"],
            ["1", "2025-03-03", "103", "4"],
            "f.csv row 1 column painscore: unknown column",
        ),
        (["client_id", "recorded_on"], ["1", "2025-03-03"], "f.csv row 1: the column choir_code is missing"),
        (["client_id", "choir_code"], ["1", "103"], "f.csv row 1: give the date in one column"),
        (
            ["client_id", "recorded_on", "choir_code", "qualities"],
            ["1", "2025-03-03", "103", "aching;stabbing"],
            "f.csv row 2 column qualities: unknown pain quality 'stabbing'",
        ),
    ],
)
def test_bad_rows_name_the_row_and_the_column(header: list[str], row: list[str], message: str) -> None:
    with pytest.raises(ExchangeError) as e:
        read_drawings(_csv(header, [row]), "f.csv")
    assert str(e.value).startswith(message)


def test_one_intake_must_keep_one_date_and_an_empty_file_is_refused() -> None:
    header = ["client_id", "recorded_on", "choir_code", "intake_id"]
    text = _csv(header, [["1", "2025-01-01", "103", "7"], ["1", "2025-01-02", "104", "7"]])
    with pytest.raises(
        ExchangeError, match=r"^f.csv row 3 column recorded_on: 2025-01-02 differs from row 2"
    ):
        read_drawings(text, "f.csv")
    with pytest.raises(ExchangeError, match=r"f\.csv: is empty"):
        read_drawings("", "f.csv")
    with pytest.raises(ExchangeError, match=r"f\.csv: has no rows below the header"):
        read_drawings("client_id,date,choir_code\n\n", "f.csv")
