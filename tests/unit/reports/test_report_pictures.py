"""Pictures (body maps, outcome charts), wording helpers and the self-contained HTML of both documents."""

from __future__ import annotations

import base64
import re
import subprocess
import sys
import threading
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
from tests.records_factories import make_hold
from tests.unit.reports.conftest import STAFF

from taut.anatomy.regions import Side
from taut.clinic.chart import Chart, SessionEntry
from taut.clinic.errors import RecordValidationError
from taut.reports.content import DrawingSnapshot, handout_content, progress_content
from taut.reports.handout import handout_html
from taut.reports.pictures import crop_svg, drawing_pictures, outcome_chart_svg, treated_picture
from taut.reports.progress import progress_html
from taut.reports.render import font_configuration, html_to_pdf, page_size
from taut.reports.text import long_date, score, short_date, sides_text, signed

DOT = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="


def _viewbox(svg: str) -> list[float]:
    m = re.search(r'viewBox="([^"]+)"', svg)
    assert m
    return [float(x) for x in m.group(1).split()]


def test_treated_picture_marks_every_point_on_the_views_it_needs(chart: Chart) -> None:
    h = handout_content(chart, 11, clinic="L", staff=STAFF)
    pic = treated_picture(h.muscles)
    assert pic is not None
    assert pic.views == ("back",)  # upper trapezius and levator scapulae TrP1 are drawn on the back
    assert pic.svg.count('class="mark"') == 3  # right and left trapezius, right levator
    assert 'data-view="front"' not in pic.svg
    # cut to the upper body: the band starts at the views' headings and is far shorter than the figure
    x, y, w, hgt = _viewbox(pic.svg)
    assert (x, w) == (0, pic.width) and hgt == pic.height
    assert 0 < y < 40 and hgt < 600
    for label in ("1", "2"):
        assert f">{label}</text>" in pic.svg


def test_drawing_pictures_share_views_and_band(chart: Chart) -> None:
    snaps = [chart.intakes[0], chart.intakes[1]]
    pics = drawing_pictures([DrawingSnapshot(i.recorded_on, i.pain_drawing) for i in snaps])
    assert len(pics) == 2
    assert pics[0].views == pics[1].views == ("front", "back", "side")  # the temple and neck show on the side
    assert _viewbox(pics[0].svg) == _viewbox(pics[1].svg)
    assert "Pain intensity" not in pics[0].svg and "Pain drawing" not in pics[0].svg  # the page has them
    _, y, _, h = _viewbox(pics[0].svg)
    assert y == 24 and h < 600  # from the views' headings to the waist: the temple and neck are high up
    assert drawing_pictures([]) == []


def test_outcome_chart_draws_baseline_and_mcid_as_text(chart: Chart) -> None:
    p = progress_content(chart, clinic="L", author="A", staff=STAFF, written_on=date(2025, 3, 18))
    series = {s.instrument: s for s in p.outcomes}
    svg = outcome_chart_svg(series["nprs"])
    assert svg.startswith("<svg") and ">baseline<" in svg and ">MCID<" in svg
    assert outcome_chart_svg(series["nprs"]) == svg  # the same data gives the same picture
    no_mcid = outcome_chart_svg(series["pss10"])
    assert ">baseline<" in no_mcid and ">MCID<" not in no_mcid
    low = replace(series["ndi"], points=(replace(series["ndi"].points[0], value=3.0),))
    assert "MCID off" in outcome_chart_svg(low) and ">MCID<" not in outcome_chart_svg(low)  # 3 - 5 < 0


def test_crop_svg_changes_only_the_root_box() -> None:
    svg = '<svg xmlns="x" viewBox="0 0 100 200" width="100" height="200"><rect width="5" height="6"/></svg>'
    out = crop_svg(svg, 0, 50, 100, 80)
    assert out.startswith('<svg xmlns="x" viewBox="0 50 100 80" width="100" height="80">')
    assert out.endswith('<rect width="5" height="6"/></svg>')


def test_wording_helpers() -> None:
    assert long_date(date(2025, 3, 3)) == "3 March 2025" and short_date(date(2025, 12, 24)) == "24 Dec 2025"
    assert (signed(-4), signed(2.333), signed(0), signed(None)) == ("−4", "+2.3", "0", "–")
    assert (score(6.0), score(4.333)) == ("6", "4.3")
    assert sides_text([Side.RIGHT, Side.LEFT]) == "both sides"
    assert sides_text([Side.LEFT]) == "left side" and sides_text([None]) == ""


def test_paper_is_a4_or_letter() -> None:
    assert page_size("A4") == "A4" and page_size("letter") == "letter"
    with pytest.raises(RecordValidationError, match="paper: must be a4 or letter, not 'legal'"):
        page_size("legal")


def test_html_is_self_contained_and_escaped(chart: Chart) -> None:
    evil = replace(chart, client=replace(chart.client, given_name="<script>x</script>"))
    h = handout_html(handout_content(evil, 11, clinic="L & Co", staff=STAFF), paper="letter")
    p = progress_html(
        progress_content(evil, clinic="L & Co", author="A", staff=STAFF, written_on=date(2025, 3, 18))
    )
    for html in (h, p):
        assert "<script>" not in html and "&lt;script&gt;" in html and "L &amp; Co" in html
        assert not re.search(r'(src|href)="(?!data:)', html)  # every picture is a data: URI
        assert "http" not in html.split("<body>", 1)[1]
    assert "size: letter;" in h and "size: A4;" in p
    assert "newly found" in p and "not re-examined" in p  # suboccipitals; the left upper trapezius
    assert 'counter(page) " of " counter(pages)' in h


def test_the_pdf_renderer_fetches_data_uris_only(tmp_path: Path) -> None:
    png = tmp_path / "dot.png"
    png.write_bytes(base64.b64decode(DOT))
    inline = html_to_pdf(f'<html><body><img src="data:image/png;base64,{DOT}"></body></html>')
    local = html_to_pdf(f'<html><body><img src="{png.as_uri()}"></body></html>')
    assert b"/Image" in inline and b"/Image" not in local


def test_chart_dates_carry_the_year_where_it_starts_or_changes() -> None:
    from taut.reports.pictures import _day_labels

    days = [date(2024, 12, 20), date(2024, 12, 27), date(2025, 1, 3)]
    assert _day_labels(days) == ["20 Dec\n2024", "27 Dec", "3 Jan\n2025"]


def test_a_point_recorded_without_its_side_is_listed_but_not_drawn(chart: Chart) -> None:
    s = replace(chart.sessions[1].session, holds=(make_hold(trp_id="suboccipitals.trp1", side=None),))
    c = replace(chart, sessions=(chart.sessions[0], SessionEntry(s, None)))
    h = handout_content(c, 12, clinic="L", staff=STAFF)
    assert [m.display for m in h.muscles] == ["Suboccipitals"] and h.muscles[0].points[0].marker is None
    assert treated_picture(h.muscles) is None
    html = handout_html(h)
    assert "Suboccipitals" in html and "<img" not in html and "Each X marks" not in html


CROWDED = (
    "upper_trapezius.trp1",
    "upper_trapezius.trp2",
    "levator_scapulae.trp1",
    "levator_scapulae.trp2",
    "splenius_capitis.trp1",
    "splenius_cervicis.trp1",
    "splenius_cervicis.trp2",
    "semispinalis_capitis.trp1",
    "semispinalis_capitis.trp2",
    "suboccipitals.trp1",
    "cervical_multifidus.trp1",
    "semispinalis_cervicis.trp1",
)


def _marks_and_numbers(svg: str) -> list[tuple[float, float, float, float]]:
    """The drawn extent of each X (with its halo) and of each number, from the SVG itself, per view group."""
    boxes = []
    for group in re.split(r'(?=<g[^>]*data-view=")', svg)[1:]:
        for m in re.finditer(r'<path d="M([\d.]+),([\d.]+)L[^"]*" stroke="white"', group):
            x, y = float(m.group(1)) + 4.2, float(m.group(2)) + 4.2
            boxes.append((x - 6.3, y - 6.3, x + 6.3, y + 6.3))
        for m in re.finditer(
            r'<text x="([\d.]+)" y="([\d.]+)"[^>]*font-weight="bold" text-anchor="start" fill="#[^>]*>(\d+)</text>',
            group,
        ):
            x, y, n = float(m.group(1)), float(m.group(2)), m.group(3)
            boxes.append((x, y - 8.0, x + 6.0 * len(n), y + 1.5))
    return boxes


def test_crowded_treated_points_never_overlap(chart: Chart) -> None:
    """Twelve points of the neck on one side: every X and every number has room of its own (issue 17 item 12)."""
    holds = tuple(make_hold(trp_id=t) for t in CROWDED)
    entry = chart.sessions[0]
    crowded = replace(chart, sessions=(replace(entry, session=replace(entry.session, holds=holds)),))
    h = handout_content(crowded, 11, clinic="L", staff=STAFF)
    pic = treated_picture(h.muscles)
    assert pic is not None and pic.svg.count('class="mark"') == len(CROWDED)
    boxes = _marks_and_numbers(pic.svg)
    marks = [b for b in boxes if b[2] - b[0] > 12]
    assert len(marks) == len(CROWDED)
    clashes = [
        (a, b)
        for i, a in enumerate(boxes)
        for b in boxes[i + 1 :]
        if a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]
    ]
    assert not clashes, clashes[:3]


def test_the_handout_and_the_progress_report_date_sessions_on_the_clinics_day(chart: Chart) -> None:
    """Session 11 began at 14:00 UTC on 3 March: in Auckland (UTC+13) that is 4 March (issue 13)."""
    from zoneinfo import ZoneInfo

    auckland = ZoneInfo("Pacific/Auckland")
    assert handout_content(chart, 11, clinic="L", staff=STAFF).session_date == date(2025, 3, 3)
    assert handout_content(chart, 11, clinic="L", staff=STAFF, tz=auckland).session_date == date(2025, 3, 4)
    p = progress_content(chart, clinic="L", author="B", staff=STAFF, written_on=date(2025, 4, 1), tz=auckland)
    assert p.sessions[0].occurred_on == date(2025, 3, 4)


def test_outcome_chart_axes_ticks_and_band(chart: Chart) -> None:
    from taut.reports.pictures import _ticks

    assert _ticks(0, 10) == [0, 2, 4, 6, 8, 10] and _ticks(0, 50) == [0, 10, 20, 30, 40, 50]
    assert _ticks(0, 40) == [0, 10, 20, 30, 40] and _ticks(0, 4) == [0, 1, 2, 3, 4]
    p = progress_content(chart, clinic="L", author="A", staff=STAFF, written_on=date(2025, 3, 18))
    nprs = {s.instrument: s for s in p.outcomes}["nprs"]
    svg = outcome_chart_svg(nprs)
    for label in (
        "0",
        "2",
        "10",
        "NPRS",
        *(str(round(pt.value, 1)).removesuffix(".0") for pt in nprs.points),
    ):
        assert f">{label}</text>" in svg, label
    band = re.search(r'<rect x="[\d.]+" y="([\d.]+)" width="[\d.]+" height="([\d.]+)" fill="#dcfce7"/>', svg)
    lines = {
        float(m.group(1)) for m in re.finditer(r'<line x1="[\d.]+" y1="([\d.]+)"[^>]*stroke="#15803d"', svg)
    }
    assert band and lines == {float(band.group(1))}  # lower is better: the band runs down from the MCID line
    zero = re.search(r'<line x1="[\d.]+" y1="([\d.]+)"[^>]*/><text[^>]*>0</text>', svg)
    assert (
        zero and abs(float(band.group(1)) + float(band.group(2)) - float(zero.group(1))) < 0.02
    )  # to 0, the end


def test_a_long_series_labels_at_most_six_dates_first_and_last_among_them(chart: Chart) -> None:
    p = progress_content(chart, clinic="L", author="A", staff=STAFF, written_on=date(2025, 3, 18))
    nprs = {s.instrument: s for s in p.outcomes}["nprs"]
    first = nprs.points[0]
    points = tuple(
        replace(first, taken_on=date(2024, 12, 2 + 3 * i), value=float(8 - i % 5), delta=None)
        for i in range(10)
    )
    svg = outcome_chart_svg(replace(nprs, points=points))
    assert svg.count("<circle ") == 10
    dates = re.findall(r">(\d+ \w{3})</text>", svg)
    assert len(dates) == 6 and dates[0] == "2 Dec" and dates[-1] == "29 Dec"


def test_outcome_charts_need_no_plotting_library() -> None:
    """A PDF worker does not carry matplotlib (about 30 MB of resident memory) for its charts."""
    code = (
        "import sys\n"
        "from taut.reports import progress\n"
        "from taut.reports.pictures import outcome_chart_svg\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'matplotlib'))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_every_document_of_a_process_shares_one_font_configuration() -> None:
    """WeasyPrint's own default, a new font configuration a document, grew a worker by 0.4 MB a letter."""
    from weasyprint.text.fonts import FontConfiguration

    assert (
        isinstance(font_configuration(), FontConfiguration) and font_configuration() is font_configuration()
    )
    pdfs: list[bytes] = []
    page = "<html><body><p>Thread {}: héllo</p></body></html>"
    threads = [
        threading.Thread(target=lambda i=i: pdfs.append(html_to_pdf(page.format(i)))) for i in range(4)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    texts = sorted(
        subprocess.run(["pdftotext", "-", "-"], input=p, capture_output=True, check=True).stdout for p in pdfs
    )
    assert [t.strip() for t in texts] == [f"Thread {i}: héllo".encode() for i in range(4)]
