"""What the progress page shows: the charts (pain, each outcome instrument, range of motion) with the MCID band
from the baseline, the summary lines, the pain drawings and the trigger-point table, built from a Progress."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from markupsafe import Markup

from taut.anatomy.drawing import pain_figure
from taut.anatomy.regions import body_map
from taut.clinic.intake import Intake
from taut.clinic.naming import capital, region_name, short_date, trp_name
from taut.clinic.outcomes import INSTRUMENTS, Change, Instrument
from taut.clinic.progress import InstrumentProgress, Progress, RomProgress, TrpProgress, mcid_edge
from taut.web.charts import (
    PALETTE,
    Band,
    LineChart,
    RefLine,
    Series,
    embed_svg,
    nice_ticks,
    number,
    sparkline,
)
from taut.web.progress.instruments import FORMS

GOAL_LINE = "#1d6b35"
TRP_COLUMNS = 6  # examinations shown as columns of the trigger-point table (the latest ones)


@dataclass(frozen=True)
class SummaryItem:
    label: str
    value: str
    detail: str
    state: str  # ok (MCID reached), warn (not yet), info (nothing to compare yet), none


@dataclass(frozen=True)
class ChartBlock:
    chart: LineChart
    heading: str
    note: str = ""

    @property
    def table(self) -> tuple[list[str], list[list[str]]]:
        return self.chart.table()


def _mcid_band(ins: Instrument, baseline: float) -> tuple[Band, RefLine] | None:
    """The band of an improvement of at least the MCID from ``baseline`` (towards the better end of the scale), and
    the baseline line; None when the instrument has no MCID or the baseline leaves no room for such a change."""
    edge = mcid_edge(ins, baseline)
    lo, hi = ins.range
    if ins.mcid is None or edge is None or not lo <= edge <= hi:
        return None
    label = f"improved by MCID ({number(ins.mcid.points)}) or more"
    band = Band(lo, edge, label) if ins.better == "lower" else Band(edge, hi, label)
    return band, RefLine(baseline, f"baseline {number(baseline)}", "#55616e")


def pain_chart(p: Progress) -> ChartBlock:
    nprs = p.instruments.get("nprs")
    series = []
    if nprs is not None:
        series.append(
            Series(
                "NPRS measure",
                tuple((e.measure.taken_on, e.score.value) for e in nprs.entries),
                PALETTE[0],
                "circle",
            )
        )
    if p.sessions:
        series.append(
            Series(
                "Session: pain before",
                tuple((s.on, float(s.before)) for s in p.sessions),
                PALETTE[1],
                "square",
            )
        )
        after = tuple((s.on, float(s.after)) for s in p.sessions if s.after is not None)
        if after:
            series.append(
                Series("Session: pain after", after, PALETTE[2], "diamond", dashed=True, goal=False)
            )
    if nprs is not None:
        baseline, from_what = nprs.baseline, "the first NPRS measure"
    elif p.sessions:
        baseline, from_what = float(p.sessions[0].before), "the pain before the first session"
    else:
        baseline, from_what = None, ""
    bands: tuple[Band, ...] = ()
    lines: tuple[RefLine, ...] = ()
    note = "MCID 2 points on the 0-10 scale (Farrar et al., Pain 2001)."
    if baseline is not None:
        made = _mcid_band(INSTRUMENTS["nprs"], baseline)
        if made is not None:
            bands, lines = (made[0],), (made[1],)
            note += f" Shaded: 2 or more points below the baseline ({number(baseline)}, {from_what})."
        else:
            note += f" The baseline ({number(baseline)}) is too low for a change of 2 points."
    desc = _describe(series, "pain 0-10") + (f" Baseline {number(baseline)}." if baseline is not None else "")
    chart = LineChart(
        key="chart-pain",
        title="Pain over time (0 no pain, 10 worst imaginable)",
        desc=desc,
        series=tuple(series),
        y_min=0,
        y_max=10,
        y_label="pain 0-10",
        bands=bands,
        lines=lines,
        empty_text="No pain ratings yet: sessions and NPRS measures appear here",
    )
    return ChartBlock(chart, "Pain", note)


def instrument_chart(ip: InstrumentProgress) -> ChartBlock:
    ins = ip.instrument
    lo, hi = ins.range
    short = FORMS[ins.id].short
    series = (
        Series(
            f"{short} score",
            tuple((e.measure.taken_on, e.score.value) for e in ip.entries),
            PALETTE[0],
            "circle",
        ),
    )
    bands: tuple[Band, ...] = ()
    lines: tuple[RefLine, ...] = ()
    direction = "lower is better" if ins.better == "lower" else "higher is better"
    if ins.mcid is not None:
        note = f"MCID {number(ins.mcid.points)} points ({ins.mcid.source}); {direction}."
        made = _mcid_band(ins, ip.baseline)
        if made is not None:
            bands, lines = (made[0],), (made[1],)
        else:
            note += " The baseline leaves no room for a change of the MCID."
    else:
        note = f"{ins.note}; {direction}."
        lines = (RefLine(ip.baseline, f"baseline {number(ip.baseline)}"),)
    chart = LineChart(
        key=f"chart-{ins.id}",
        title=f"{ins.name} over time ({number(lo)}-{number(hi)}, {direction})",
        desc=_describe(list(series), f"score {number(lo)}-{number(hi)}")
        + f" Baseline {number(ip.baseline)}.",
        series=series,
        y_min=lo,
        y_max=hi,
        y_label=f"score {number(lo)}-{number(hi)}",
        bands=bands,
        lines=lines,
    )
    return ChartBlock(chart, ins.name, note)


def rom_chart(r: RomProgress) -> ChartBlock:
    styles = {"right": (PALETTE[0], "circle"), "left": (PALETTE[1], "square"), "": (PALETTE[0], "circle")}
    series = tuple(
        Series(
            f"{side} side" if side else "degrees",
            tuple((x.on, float(x.degrees)) for x in readings),
            styles[side][0],
            styles[side][1],
        )
        for side, readings in r.sides.items()
    )
    top = max([r.normal, *(x.degrees for rs in r.sides.values() for x in rs)])
    ticks = nice_ticks(0, top * 1.12, 5)
    y_max = ticks[-1] if ticks[-1] >= top else top * 1.12
    chart = LineChart(
        key=f"chart-rom-{r.movement.replace('.', '-')}",
        title=f"{r.name}: degrees over the examinations",
        desc=_describe(list(series), "degrees") + f" Normal {r.normal} degrees.",
        series=series,
        y_min=0,
        y_max=y_max,
        y_label="degrees",
        lines=(RefLine(r.normal, f"normal {r.normal}°", GOAL_LINE),),
        width=340,
        height=220,
    )
    return ChartBlock(chart, r.name, f"Normal {r.normal}° (AAOS).")


def _describe(series: list[Series], unit: str) -> str:
    parts = []
    for s in series:
        if not s.points:
            continue
        first, last = s.points[0], s.points[-1]
        if len(s.points) == 1:
            parts.append(f"{s.name}: {number(first[1])} on {first[0].isoformat()}")
        else:
            parts.append(
                f"{s.name}: {len(s.points)} values from {number(first[1])} on {first[0].isoformat()} "
                f"to {number(last[1])} on {last[0].isoformat()}"
            )
    return (f"{capital(unit)}. " + "; ".join(parts) + ".") if parts else "Nothing recorded yet."


def change_text(c: Change) -> str:
    return f"{number(c.baseline)} → {number(c.current)} ({c.delta:+g})"


def summary(p: Progress) -> list[SummaryItem]:
    items: list[SummaryItem] = []
    n = len(p.sessions)
    if n:
        first, last = p.sessions[0].on, p.sessions[-1].on
        span = f"{short_date(first)} – {short_date(last)}" if n > 1 else short_date(first)
        items.append(SummaryItem("Sessions", str(n), span, "none"))
    else:
        items.append(SummaryItem("Sessions", "0", "no session yet", "none"))
    pc = p.session_pain_change
    if pc is not None:
        items.append(
            SummaryItem(
                "Pain at session start",
                change_text(pc),
                _mcid_words(pc),
                "ok" if pc.passes_mcid else "warn",
            )
        )
    elif p.sessions:
        items.append(
            SummaryItem("Pain at session start", str(p.sessions[0].before), "one session so far", "info")
        )
    for key, ip in p.instruments.items():
        short = FORMS[key].short
        c = ip.change
        if c is None:
            items.append(
                SummaryItem(
                    short,
                    number(ip.baseline),
                    f"baseline {short_date(ip.entries[0].measure.taken_on)}",
                    "info",
                )
            )
        else:
            state = "info" if c.passes_mcid is None else "ok" if c.passes_mcid else "warn"
            items.append(SummaryItem(short, change_text(c), _mcid_words(c), state))
    return items


def _mcid_words(c: Change) -> str:
    if c.passes_mcid is None:
        return "no established MCID" + ("; improved" if c.improved else "")
    assert c.mcid is not None
    if c.passes_mcid:
        return f"MCID ({number(c.mcid.points)}) reached"
    if c.improved:
        return f"improved, MCID ({number(c.mcid.points)}) not yet reached"
    return f"not improved; MCID {number(c.mcid.points)}"


# --- pain drawings ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Drawing:
    label: str
    intake: Intake
    svg: Markup
    marks: list[str]


def drawings(p: Progress) -> list[Drawing]:
    """The first and the latest pain drawing (one when there is a single intake), on the same views."""
    chosen: list[tuple[str, Intake]] = []
    if p.first_intake is not None:
        chosen.append(("First", p.first_intake))
    if p.latest_intake is not None and p.latest_intake is not p.first_intake:
        chosen.append(("Latest", p.latest_intake))
    views = fewest_views({m.ref.region for _, i in chosen for m in i.pain_drawing})
    out = []
    for label, intake in chosen:
        title = f"{label} pain drawing, {short_date(intake.recorded_on)}"
        fig = pain_figure(intake.pain_drawing, views=views)
        fig.title("")  # the page's caption names the drawing
        marks = [
            f"{_region(m.ref.key)}: "
            + (f"{m.intensity}/10" if m.intensity is not None else "no intensity given")
            + (f", {', '.join(m.qualities)}" if m.qualities else "")
            for m in intake.pain_drawing
        ]
        out.append(
            Drawing(
                label, intake, embed_svg(fig.to_svg(), id_prefix=f"pd{label.lower()}-", label=title), marks
            )
        )
    return out


VIEW_SETS = (
    ("side",),
    ("back",),
    ("front",),
    ("front", "back"),
    ("back", "side"),
    ("front", "side"),
    ("front", "back", "side"),
)


def fewest_views(regions: set[str]) -> tuple[str, ...]:
    """The fewest views that draw every region (the larger each picture can be): the head-and-neck view alone for
    a headache, front and back for a whole-body drawing."""
    bm = body_map()
    for views in VIEW_SETS:
        if all(set(bm[r].views) & set(views) for r in regions):
            return views
    return VIEW_SETS[-1]


def _region(key: str) -> str:
    return region_name(key)


# --- trigger points -----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TrpRow:
    trp: TrpProgress
    spark: Markup
    cells: list[Any]  # per examination column: a TrpReading or None


def trp_table(p: Progress) -> tuple[list[date], list[TrpRow]]:
    """Columns: the latest examinations (at most TRP_COLUMNS); rows: each trigger point and side, by muscle."""
    columns = list(p.examinations[-TRP_COLUMNS:])
    rows = []
    for t in p.trigger_points:
        by_day = {r.on: r for r in t.readings}
        name = trp_name(t.trp_id) + (f" ({t.side.value})" if t.side else "")
        words = "; ".join(
            f"{short_date(r.on)}: {r.status}"
            + (f", tenderness {r.tenderness}" if r.tenderness is not None else "")
            for r in t.readings
        )
        spark = sparkline(
            [(r.on, float(r.tenderness) if r.tenderness is not None else None, r.status) for r in t.readings],
            label=f"{name}: {words}",
        )
        rows.append(TrpRow(t, spark, [by_day.get(d) for d in columns]))
    rows.sort(key=lambda r: (r.trp.trp_id, r.trp.side or ""))
    return columns, rows
