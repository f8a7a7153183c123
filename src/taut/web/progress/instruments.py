"""The outcome-measure entry forms: short item labels and answer anchors in our own words (the published
questionnaires are not reproduced: the client fills in the clinic's form and the therapist enters the answers),
and reading a submitted form into an ``OutcomeMeasure`` with errors that name the item.

Item counts, ranges and reversed items follow ``taut.clinic.outcomes`` (standards.md section 4): NPRS one item
0-10; PSFS 3-5 activities 0-10 (Stratford 1995); NDI 10 sections 0-5 (Vernon & Mior 1991); PSS-10 10 items 0-4
with items 4, 5, 7 and 8 reversed (Cohen 1983)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from taut.clinic.errors import RecordValidationError
from taut.clinic.naming import instrument_name, instrument_short
from taut.clinic.outcomes import INSTRUMENTS, PSS_REVERSED, OutcomeMeasure, PsfsActivity
from taut.web import clock, forms

PSFS_ROWS = 5


@dataclass(frozen=True)
class Item:
    number: int  # 1-based
    label: str
    low: str  # what the lowest answer means
    high: str  # what the highest answer means
    reversed: bool = False


@dataclass(frozen=True)
class Form:
    instrument: str
    title: str
    short: str
    what: str  # one line on what the instrument measures
    how: str  # how to enter it
    answers: tuple[int, int]  # lowest and highest answer per item
    items: tuple[Item, ...] = ()
    answer_names: tuple[str, ...] = ()  # words for each answer value, when the scale has them
    missing_allowed: int = 0


NDI_ITEMS = (
    ("Pain intensity", "no pain at the moment", "the worst pain imaginable"),
    ("Personal care", "washing and dressing as usual, no extra pain", "needs help, stays in bed"),
    ("Lifting", "heavy weights without extra pain", "cannot lift or carry anything"),
    ("Reading", "as much as wanted, no neck pain", "cannot read at all"),
    ("Headaches", "none", "almost all the time"),
    ("Concentration", "full concentration, no difficulty", "cannot concentrate at all"),
    ("Work", "as much work as wanted", "cannot do any work"),
    ("Driving", "as long as wanted, no neck pain", "cannot drive at all"),
    ("Sleeping", "no trouble", "sleep completely disturbed"),
    ("Recreation", "all usual activities, no neck pain", "no recreation at all"),
)

PSS_ITEMS = (
    "Upset by something unexpected",
    "Unable to control the important things in life",
    "Nervous or stressed",
    "Confident about handling personal problems",
    "Things going the way they wanted",
    "Could not cope with everything there was to do",
    "Able to control irritations",
    "On top of things",
    "Angered by things outside their control",
    "Difficulties piling up too high to overcome",
)
PSS_ANSWERS = ("never", "almost never", "sometimes", "fairly often", "very often")

FORMS: dict[str, Form] = {
    "nprs": Form(
        "nprs",
        instrument_name("nprs"),
        instrument_short("nprs"),
        "Pain intensity on one 0-10 scale.",
        "Ask for the client's pain now, 0 (no pain) to 10 (the worst pain imaginable).",
        (0, 10),
        (Item(1, "Pain now", "no pain", "worst pain imaginable"),),
    ),
    "psfs": Form(
        "psfs",
        instrument_name("psfs"),
        instrument_short("psfs"),
        "Three to five activities the client finds hard, each rated 0-10; the score is their mean.",
        "Name each activity in the client's words and enter how well they can do it today: 0 unable, 10 as well as "
        "before the problem. At a follow-up, re-rate the same activities.",
        (0, 10),
    ),
    "ndi": Form(
        "ndi",
        instrument_name("ndi"),
        instrument_short("ndi"),
        "Ten sections of daily life scored 0-5 each (0-50; higher = more disability).",
        "Enter the section scores from the client's completed questionnaire, 0 (no difficulty) to 5 (the most). "
        "Up to two sections may be left unanswered; the score is then pro-rated.",
        (0, 5),
        tuple(Item(i, label, low, high) for i, (label, low, high) in enumerate(NDI_ITEMS, 1)),
        missing_allowed=2,
    ),
    "pss10": Form(
        "pss10",
        instrument_name("pss10"),
        instrument_short("pss10"),
        "How often life felt unpredictable, uncontrollable or overloaded in the last month (0-40).",
        "Enter each answer from the client's completed questionnaire: 0 never … 4 very often. Every item is "
        "needed; the positively worded items are reversed when scoring.",
        (0, 4),
        tuple(
            Item(i, label, "never", "very often", reversed=i in PSS_REVERSED)
            for i, label in enumerate(PSS_ITEMS, 1)
        ),
        answer_names=PSS_ANSWERS,
    ),
}
assert set(FORMS) == set(INSTRUMENTS), "a form for every instrument"


def measure_from_form(instrument: str, form: dict[str, str], *, today: date | None = None) -> OutcomeMeasure:
    """The submitted form as an OutcomeMeasure; RecordValidationError names the form field (``item3``,
    ``activity2``, ``score2``, ``taken_on``) and says which item in words."""
    spec = FORMS.get(instrument)
    if spec is None:
        raise RecordValidationError("instrument", f"choose one of {', '.join(FORMS)}, not {instrument!r}")
    taken_on = forms.a_date(form, "taken_on", required=True)
    assert taken_on is not None
    today = today or clock.today()
    if taken_on > today:
        raise RecordValidationError("taken_on", f"may not be in the future (today is {today.isoformat()})")
    if instrument == "psfs":
        return OutcomeMeasure(instrument="psfs", taken_on=taken_on, activities=_psfs_rows(form))
    lo, hi = spec.answers
    items: list[int | None] = []
    for item in spec.items:
        name = f"item{item.number}"
        raw = form.get(name, "").strip()
        if not raw:
            items.append(None)
            continue
        try:
            value = int(raw)
        except ValueError:
            raise RecordValidationError(
                name, f"{_item_name(spec, item)}: must be a whole number {lo}-{hi}, not {raw!r}"
            ) from None
        if not lo <= value <= hi:
            raise RecordValidationError(name, f"{_item_name(spec, item)}: must be {lo}-{hi}, not {value}")
        items.append(value)
    missing = [item for item, v in zip(spec.items, items, strict=True) if v is None]
    if len(missing) > spec.missing_allowed:
        first = missing[0]
        if len(spec.items) == 1:
            rule = f"{_item_name(spec, first)}: choose a value {lo}-{hi}"
        elif spec.missing_allowed:
            rule = (
                f"{len(missing)} items are not answered ({', '.join(_item_name(spec, m) for m in missing)}); "
                f"the {spec.short} allows at most {spec.missing_allowed}"
            )
        else:
            rule = (
                f"answer every item: {', '.join(_item_name(spec, m) for m in missing)} "
                f"{'is' if len(missing) == 1 else 'are'} not answered"
            )
        raise RecordValidationError(f"item{first.number}", rule)
    return OutcomeMeasure(instrument=instrument, taken_on=taken_on, items=tuple(items))


def _item_name(spec: Form, item: Item) -> str:
    return item.label if len(spec.items) == 1 else f"item {item.number} ({item.label})"


def _psfs_rows(form: dict[str, str]) -> tuple[PsfsActivity, ...]:
    rows: list[PsfsActivity] = []
    for i in range(1, PSFS_ROWS + 1):
        activity = form.get(f"activity{i}", "").strip()
        raw = form.get(f"score{i}", "").strip()
        if not activity and not raw:
            continue
        if not activity:
            raise RecordValidationError(f"activity{i}", f"activity {i}: name the activity scored {raw}")
        if len(activity) > 200:
            raise RecordValidationError(f"activity{i}", f"activity {i}: at most 200 characters")
        if not raw:
            raise RecordValidationError(f"score{i}", f"activity {i} ({activity}): give a score 0-10")
        try:
            score = int(raw)
        except ValueError:
            raise RecordValidationError(
                f"score{i}", f"activity {i} ({activity}): the score must be a whole number 0-10, not {raw!r}"
            ) from None
        if not 0 <= score <= 10:
            raise RecordValidationError(
                f"score{i}", f"activity {i} ({activity}): the score must be 0-10, not {score}"
            )
        rows.append(PsfsActivity(activity=activity, score=score))
    if len(rows) < 3:
        need = 3 - len(rows)
        raise RecordValidationError(
            f"activity{len(rows) + 1}",
            f"the PSFS takes 3 to 5 activities: add {need} more (only {len(rows)} given)",
        )
    return tuple(rows)


def form_of(measure: OutcomeMeasure) -> dict[str, str]:
    """A saved measure as form values (to prefill the next PSFS with the same activities)."""
    out = {f"item{i}": str(v) for i, v in enumerate(measure.items, 1) if v is not None}
    for i, a in enumerate(measure.activities, 1):
        out[f"activity{i}"] = a.activity
    return out
