"""Outcome measures: item-level entry, scoring, and a flag when a change passes the MCID.

Scoring rules and minimal clinically important differences are from
/work/shared/reference/standards.md section 4 (sources named per instrument below).
``SCORING_VERSION`` is stored with every score so a later change of rules can be traced.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from taut.clinic import rules
from taut.clinic.errors import RecordValidationError

SCORING_VERSION = 1


@dataclass(frozen=True)
class Mcid:
    points: float
    better: str  # "lower" or "higher"
    population: str
    source: str


@dataclass(frozen=True)
class Instrument:
    id: str
    name: str
    range: tuple[float, float]
    better: str  # "lower" or "higher"
    mcid: Mcid | None
    note: str = ""
    short: str = ""  # the name on forms, charts and notes: "PSS-10" (taut.clinic.naming.instrument_short)


INSTRUMENTS: dict[str, Instrument] = {
    "nprs": Instrument(
        "nprs",
        "Numeric Pain Rating Scale",
        (0, 10),
        "lower",
        Mcid(2, "lower", "chronic pain trials", "Farrar et al., Pain 2001;94:149-58 (about 2 points or 30%)"),
        short="NPRS",
    ),
    "psfs": Instrument(
        "psfs",
        "Patient-Specific Functional Scale",
        (0, 10),
        "higher",
        Mcid(
            2,
            "higher",
            "musculoskeletal (mean score)",
            "commonly quoted 2 (mean); Abbott & Schmitt, JOSPT 2014",
        ),
        short="PSFS",
    ),
    "ndi": Instrument(
        "ndi",
        "Neck Disability Index",
        (0, 50),
        "lower",
        Mcid(5, "lower", "neck pain (Vernon: MDC about MCID about 5/50)", "Vernon & Mior 1991; Vernon 2008"),
        "sum of 10 items x 0-5; a missing item is pro-rated (at most 2 missing)",
        short="NDI",
    ),
    "pss10": Instrument(
        "pss10",
        "Perceived Stress Scale (10 items)",
        (0, 40),
        "lower",
        None,
        "no established MCID (Cohen); items 4, 5, 7 and 8 are reversed",
        short="PSS-10",
    ),
}


@dataclass(frozen=True, kw_only=True)
class PsfsActivity:
    activity: str
    score: int  # 0 unable .. 10 as before the problem


@dataclass(frozen=True, kw_only=True)
class Score:
    value: float
    band: str | None = None


@dataclass(frozen=True, kw_only=True)
class OutcomeMeasure:
    """One completed instrument with its raw item responses (``None`` = not answered)."""

    id: int | None = None
    instrument: str
    taken_on: date
    items: tuple[int | None, ...] = ()
    activities: tuple[PsfsActivity, ...] = ()  # PSFS only

    def __post_init__(self) -> None:
        rules.one_of("outcome.instrument", self.instrument, tuple(INSTRUMENTS))
        rules.a_date("outcome.taken_on", self.taken_on)

    @property
    def score(self) -> Score:
        return score(self)


def nprs(items: tuple[int | None, ...]) -> Score:
    if len(items) != 1 or items[0] is None:
        raise RecordValidationError("outcome.items", "NPRS has exactly one answered item (0-10)")
    v = rules.whole_number("outcome.items[0]", items[0], 0, 10)
    return Score(value=float(v), band="mild" if v <= 3 else "moderate" if v <= 6 else "severe")


def psfs(activities: tuple[PsfsActivity, ...]) -> Score:
    """Mean of 3-5 activities, each 0 (unable) to 10 (as before)."""
    if not 3 <= len(activities) <= 5:
        raise RecordValidationError(
            "outcome.activities", f"PSFS takes 3 to 5 activities, not {len(activities)}"
        )
    for i, a in enumerate(activities):
        rules.text(f"outcome.activities[{i}].activity", a.activity, max_len=200)
        rules.whole_number(f"outcome.activities[{i}].score", a.score, 0, 10)
    return Score(value=round(sum(a.score for a in activities) / len(activities), 2))


NDI_BANDS = ((4, "none"), (14, "mild"), (24, "moderate"), (34, "severe"), (50, "complete"))


def ndi(items: tuple[int | None, ...]) -> Score:
    """Sum of 10 items x 0-5 (0-50; x2 = percent). Up to 2 missing items are pro-rated (Vernon)."""
    if len(items) != 10:
        raise RecordValidationError("outcome.items", f"NDI has 10 items, not {len(items)}")
    answered = [
        rules.whole_number(f"outcome.items[{i}]", v, 0, 5) for i, v in enumerate(items) if v is not None
    ]
    if len(answered) < 8:
        raise RecordValidationError(
            "outcome.items", f"NDI needs at least 8 answered items, not {len(answered)}"
        )
    value = round(sum(answered) * 10 / len(answered), 1)
    band = next(name for limit, name in NDI_BANDS if value <= limit + 0.5)
    return Score(value=value, band=band)


PSS_REVERSED = (4, 5, 7, 8)  # 1-based item numbers scored 4 - answer


def pss10(items: tuple[int | None, ...]) -> Score:
    """Sum of 10 items x 0-4 with items 4, 5, 7, 8 reversed (0-40). Every item is required."""
    if len(items) != 10:
        raise RecordValidationError("outcome.items", f"PSS-10 has 10 items, not {len(items)}")
    total = 0
    for i, v in enumerate(items):
        if v is None:
            raise RecordValidationError(f"outcome.items[{i}]", "PSS-10 needs every item answered")
        a = rules.whole_number(f"outcome.items[{i}]", v, 0, 4)
        total += 4 - a if i + 1 in PSS_REVERSED else a
    band = "low" if total <= 13 else "moderate" if total <= 26 else "high"
    return Score(value=float(total), band=band)


def score(measure: OutcomeMeasure) -> Score:
    if measure.instrument == "psfs":
        return psfs(measure.activities)
    if measure.activities:
        raise RecordValidationError(
            "outcome.activities", f"only the PSFS has activities, not {measure.instrument}"
        )
    return {"nprs": nprs, "ndi": ndi, "pss10": pss10}[measure.instrument](measure.items)


@dataclass(frozen=True)
class Change:
    instrument: str
    baseline: float
    current: float
    delta: float  # current - baseline
    improved: bool
    passes_mcid: bool | None  # None when the instrument has no established MCID
    mcid: Mcid | None


def change(instrument: str, baseline: float, current: float) -> Change:
    """The change from baseline, and whether it is an improvement at least as large as the MCID."""
    ins = INSTRUMENTS[instrument]
    delta = round(current - baseline, 2)
    gain = -delta if ins.better == "lower" else delta
    passes = None if ins.mcid is None else gain >= ins.mcid.points
    return Change(instrument, baseline, current, delta, gain > 0, passes, ins.mcid)
