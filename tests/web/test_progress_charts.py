"""The server-side SVG chart helpers (taut.web.charts): ticks, date axis, series, bands, sparklines, embedding."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from taut.web.charts import (
    Band,
    LineChart,
    RefLine,
    Series,
    date_ticks,
    embed_svg,
    nice_ticks,
    number,
    sparkline,
)

NS = "{http://www.w3.org/2000/svg}"
D = date(2025, 3, 3)


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)  # well-formed XML, or this raises


def test_nice_ticks_are_round_and_cover_the_range() -> None:
    assert nice_ticks(0, 10) == [0, 2, 4, 6, 8, 10]
    assert nice_ticks(0, 50) == [0, 10, 20, 30, 40, 50]
    assert nice_ticks(0, 40) == [0, 10, 20, 30, 40]
    assert nice_ticks(0, 180, 5) == [0, 50, 100, 150]
    assert nice_ticks(0, 1) == [0, 0.2, 0.4, 0.6, 0.8, 1.0]
    assert nice_ticks(10, 0) == nice_ticks(0, 10)
    assert nice_ticks(3, 3) == [3.0]
    with pytest.raises(ValueError):
        nice_ticks(0, 10, 1)


@given(
    st.floats(-1000, 1000, allow_nan=False),
    st.floats(0.001, 5000, allow_nan=False),
    st.integers(2, 12),
)
def test_nice_ticks_never_exceed_the_count_and_stay_in_range(lo: float, span: float, most: int) -> None:
    ticks = nice_ticks(lo, lo + span, most)
    assert 1 <= len(ticks) <= most
    assert all(lo - 1e-6 <= t <= lo + span + 1e-6 for t in ticks)
    assert ticks == sorted(ticks)


def test_date_ticks_pick_the_finest_step_that_fits() -> None:
    assert date_ticks(D, date(2025, 3, 5)) == [D, date(2025, 3, 4), date(2025, 3, 5)]
    weekly = date_ticks(date(2025, 3, 1), date(2025, 4, 5))
    assert weekly[0] == D and all(d.weekday() == 0 for d in weekly) and len(weekly) <= 6  # Mondays
    months = date_ticks(date(2025, 1, 3), date(2025, 9, 20))
    assert months == [date(2025, 3, 1), date(2025, 5, 1), date(2025, 7, 1), date(2025, 9, 1)]
    years = date_ticks(date(2020, 1, 3), date(2025, 9, 20))
    assert years == [date(y, 1, 1) for y in range(2021, 2026)]
    assert date_ticks(D, D) == [D]
    assert date_ticks(date(2025, 4, 1), D) == date_ticks(D, date(2025, 4, 1))


def test_number_formatting() -> None:
    assert (number(2.0), number(2.5), number(6.333333), number(-4)) == ("2", "2.5", "6.33", "-4")


def _chart(**kw: object) -> LineChart:
    base: dict[str, object] = {
        "key": "c1",
        "title": "Pain",
        "desc": "Pain over time",
        "series": (Series("NPRS", ((D, 6.0), (date(2025, 3, 17), 3.0), (date(2025, 3, 10), 5.0))),),
        "y_min": 0,
        "y_max": 10,
    }
    base.update(kw)
    return LineChart(**base)  # type: ignore[arg-type]


def test_a_chart_is_an_accessible_image_with_its_points_and_axes() -> None:
    svg = str(_chart().svg())
    root = parse(svg)
    assert root.get("role") == "img" and root.get("aria-labelledby") == "c1-title c1-desc"
    assert root.find(f"{NS}title").text == "Pain" and root.find(f"{NS}desc").text == "Pain over time"  # type: ignore[union-attr]
    points = re.findall(r'data-value="([\d.]+)" data-date="([\d-]+)"', svg)
    assert points == [("6", "2025-03-03"), ("5", "2025-03-10"), ("3", "2025-03-17")]  # in date order
    labels = [t.text for t in root.iter(f"{NS}text")]
    assert all(str(v) in labels for v in (0, 2, 4, 6, 8, 10))  # y ticks
    assert "3 Mar" in labels and "2025" in labels  # date axis with the year once
    # lower values are drawn lower: y grows downwards in SVG
    ys = [float(y) for y in re.findall(r'<circle cx="[\d.]+" cy="([\d.]+)"', svg)]
    assert ys[0] < ys[1] < ys[2]


def test_the_mcid_band_shades_and_rings_the_points_inside() -> None:
    chart = _chart(
        bands=(Band(0, 4, "improved by MCID (2) or more"),),
        lines=(RefLine(6, "baseline 6"),),
    )
    svg = str(chart.svg())
    parse(svg)
    assert svg.count("data-goal") == 1  # only 3 is at least 2 below the baseline of 6
    assert 'fill="#e3f2e5"' in svg and "improved by MCID (2) or more" in svg and "baseline 6" in svg
    no_rings = _chart(
        bands=(Band(0, 4, "MCID"),),
        series=(Series("after", ((D, 1.0),), goal=False),),
    )
    assert "data-goal" not in str(no_rings.svg())


def test_an_empty_chart_says_so_and_a_single_point_is_centred() -> None:
    empty = _chart(series=(Series("NPRS", ()),), empty_text="No pain ratings yet")
    svg = str(empty.svg())
    parse(svg)
    assert empty.empty and "No pain ratings yet" in svg and 'class="point"' not in svg
    assert empty.table() == (["Date", "NPRS"], [])
    one = _chart(series=(Series("NPRS", ((D, 4.0),)),), width=560)
    svg = str(one.svg())
    parse(svg)
    cx = float(re.search(r'<circle cx="([\d.]+)"', svg).group(1))  # type: ignore[union-attr]
    assert 250 < cx < 310  # in the middle of the plot
    assert "3 Mar" in svg


def test_the_table_has_a_row_per_date_and_a_column_per_series() -> None:
    chart = _chart(
        series=(
            Series("before", ((D, 6.0), (date(2025, 3, 10), 5.0))),
            Series("after", ((D, 3.0),)),
        )
    )
    assert chart.table() == (
        ["Date", "before", "after"],
        [["3 Mar 2025", "6", "3"], ["10 Mar 2025", "5", ""]],
    )


def test_values_outside_the_range_are_kept_inside_the_plot() -> None:
    svg = str(_chart(series=(Series("x", ((D, 99.0), (date(2025, 3, 4), -5.0))),)).svg())
    ys = [float(y) for y in re.findall(r'<circle cx="[\d.]+" cy="([\d.]+)"', svg)]
    assert min(ys) >= 0 and max(ys) <= 260


def test_series_rejects_an_unknown_marker() -> None:
    with pytest.raises(ValueError, match="marker"):
        Series("x", (), marker="star")


def test_sparkline() -> None:
    svg = str(
        sparkline(
            [(D, 7.0, "active"), (date(2025, 4, 1), 3.0, "latent"), (date(2025, 5, 1), None, "resolved")],
            label="Upper trapezius TrP1: 7 active, 3 latent, resolved",
        )
    )
    root = parse(svg)
    assert root.get("role") == "img" and "7 active" in (root.get("aria-label") or "")
    assert svg.count("<circle") == 3 and svg.count("<path") == 1  # a line through the two measured values
    assert 'fill="white" stroke="#1d6b35"' in svg  # not measured: a hollow marker
    single = str(sparkline([(D, 5.0, "active")], label="one"))
    assert "<path" not in single and 'cx="66.0"' in single


def test_embed_svg_prefixes_ids_and_drops_the_fixed_size() -> None:
    doc = (
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10" width="10" height="10">'
        '<defs><pattern id="hatch-0"/></defs><path id="front--x" fill="url(#hatch-0)"/></svg>'
    )
    out = str(embed_svg(doc, id_prefix="a-", label="A <picture>"))
    root = parse(out)
    assert root.get("width") is None and root.get("viewBox") == "0 0 10 10" and root.get("role") == "img"
    assert 'id="a-hatch-0"' in out and "url(#a-hatch-0)" in out and 'id="a-front--x"' in out
    assert root.find(f"{NS}title").text == "A <picture>"  # type: ignore[union-attr]
    with pytest.raises(ValueError):
        embed_svg("<div/>", id_prefix="a-", label="x")


def test_the_mcid_band_runs_from_the_baseline_to_the_better_end_or_is_left_out() -> None:
    from taut.clinic.outcomes import INSTRUMENTS
    from taut.clinic.progress import mcid_edge
    from taut.web.progress.view import _mcid_band

    nprs, psfs, pss = INSTRUMENTS["nprs"], INSTRUMENTS["psfs"], INSTRUMENTS["pss10"]
    made = _mcid_band(nprs, 6)
    assert made is not None
    band, line = made
    assert (band.lo, band.hi, band.label) == (0, 4, "improved by MCID (2) or more") and line.y == 6
    made = _mcid_band(psfs, 3)  # higher is better: from baseline + MCID up to the top of the scale
    assert made is not None and (made[0].lo, made[0].hi) == (5, 10)
    assert _mcid_band(nprs, 2) is not None and _mcid_band(nprs, 1.5) is None  # no room below 0
    assert _mcid_band(psfs, 9) is None  # no room above 10
    assert _mcid_band(pss, 20) is None and mcid_edge(pss, 20) is None  # no established MCID
    assert mcid_edge(nprs, 1) == -1  # the edge itself is not clamped; the API's target is
