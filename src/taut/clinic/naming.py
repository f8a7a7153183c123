"""How Taut names things to people: the one home of every display name and date format.

Every layer (web pages, PDFs, SOAP notes, the command line, FHIR displays) takes its words from here, so a
region, a muscle, a trigger point, a side, a date, an instrument or a source reads the same everywhere, and
no raw id (``levator_scapulae.trp1``, ``head.temple``) or citation key (``travell1992``) reaches a person.

- Regions: ``region_name`` (``Temple (right)``, a label) and ``region_words`` (``right temple``, in a sentence).
- Muscles and trigger points: ``muscle_name`` (``Upper trapezius``), ``trp_label`` (``TrP1``), ``trp_name``
  (``Upper trapezius TrP1``), ``trigger_point_name`` (``Upper trapezius TrP1, anterior (vertical) fibres``) and
  ``trigger_point_words`` (``right upper trapezius, TrP1, anterior (vertical) fibres``).
- Sides (always the patient's): ``side_name``, ``side_text``, ``sides_text``.
- Dates and times: ``short_date`` (``3 Mar 2025``), ``long_date`` (``3 March 2025``), ``day_month``
  (``3 Mar``), ``date_time`` (``3 Mar 2025, 14:05``), ``time_of_day`` (``14:05``), ``iso_date``
  (``2025-03-03``) and ``iso_minute`` (``2025-03-03 14:05``) for clinical notes. Each takes an optional time zone (a ``ZoneInfo``): a datetime is shown in that zone,
  UTC when none is given (a naive datetime is read as UTC). A plain date is a calendar day and is shown as is.
- Outcome instruments: ``instrument_short`` (``PSS-10``) and ``instrument_name``, from ``Instrument.short``.
- Sources: ``citation_short`` (``Simons et al. 1999``) and ``citation`` (the full reference), from the
  bibliography of the knowledge base.
- ``capital``: the first letter in capitals, the rest untouched (never ``str.capitalize``, which lowercases
  the rest: "Psoas (iliopsoas)", "TMJ").
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import UTC, date, datetime, tzinfo

from taut.anatomy.regions import RegionRef, Side, region_name
from taut.clinic.outcomes import INSTRUMENTS
from taut.knowledge import KnowledgeBase, knowledge
from taut.knowledge.model import Source

__all__ = [
    "MONTHS",
    "capital",
    "citation",
    "citation_short",
    "date_time",
    "day_month",
    "instrument_name",
    "instrument_short",
    "iso_date",
    "iso_minute",
    "long_date",
    "lower_first",
    "muscle_name",
    "muscle_words",
    "region_name",
    "region_words",
    "short_date",
    "side_name",
    "side_text",
    "sides_text",
    "source_line",
    "technique_name",
    "time_of_day",
    "trigger_point_name",
    "trigger_point_words",
    "trp_label",
    "trp_name",
]

MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


# --- words ---------------------------------------------------------------------------------------------------------


def capital(text: str) -> str:
    """The first letter in capitals, the rest as it is: "upper trapezius" -> "Upper trapezius"."""
    return text[:1].upper() + text[1:]


NOTE_KIND_NAMES = {
    "soap": "SOAP note",
    "progress": "Progress note",
    "assessment": "Assessment note",
    "discharge": "Discharge summary",
    "letter": "Letter",
}


def note_kind_name(kind: str) -> str:
    """What a note of this kind is called: "SOAP note" (never "Soap note"), "Discharge summary"."""
    return NOTE_KIND_NAMES.get(kind, capital(kind) + " note")


def lower_first(text: str) -> str:
    """The first letter in lower case for use inside a sentence, unless the word is an acronym ("TMJ")."""
    return text[:1].lower() + text[1:] if text[1:2].islower() else text


# --- regions and sides ---------------------------------------------------------------------------------------------


def region_words(ref: RegionRef) -> str:
    """``right temple``, ``top of head``: the body map's name with the patient's side, inside a sentence."""
    name = lower_first(region_name(ref.region))
    return name if ref.side is None else f"{ref.side.value} {name}"


def side_name(side: Side | str | None) -> str:
    """``right``, ``left``, or "" for no side."""
    return "" if side is None else str(getattr(side, "value", side))


def side_text(side: Side | None, midline: str = "midline") -> str:
    """``right``, ``left``, or the word for no side (``midline`` unless told)."""
    return side.value if side is not None else midline


def sides_text(sides: Iterable[Side | None]) -> str:
    """ "right side", "left side", "both sides", or "" for the midline (sides are the patient's)."""
    s = {x for x in sides if x is not None}
    if len(s) == 2:
        return "both sides"
    if s:
        return f"{next(iter(s)).value} side"
    return ""


# --- muscles, trigger points, techniques ---------------------------------------------------------------------------


def _kb(kb: KnowledgeBase | None) -> KnowledgeBase:
    return kb if kb is not None else knowledge()


def muscle_words(muscle: str, kb: KnowledgeBase | None = None) -> str:
    """A muscle's name as the knowledge base writes it ("upper trapezius") from its canonical name, alias or
    slug (a catalogued muscle without a data file by its canonical name); an unknown muscle's slug as words
    ("upper_trapezius" -> "upper trapezius")."""
    kb = _kb(kb)
    try:
        return kb.muscle(muscle).name
    except LookupError:
        slug = _slug(muscle)
        return next((name for name in kb.canonical if _slug(name) == slug), muscle.replace("_", " "))


def _slug(name: str) -> str:
    return name.lower().replace(" ", "_").replace("-", "_")


def muscle_name(muscle: str, kb: KnowledgeBase | None = None) -> str:
    """A muscle's display name: "upper_trapezius" -> "Upper trapezius"."""
    return capital(muscle_words(muscle, kb))


def trp_label(trp_id: str) -> str:
    """ "upper_trapezius.trp1" -> "TrP1" (the point's number, never its raw id)."""
    point = trp_id.partition(".")[2] or trp_id
    return point.upper().replace("TRP", "TrP")


def trp_name(trp_id: str, kb: KnowledgeBase | None = None) -> str:
    """ "upper_trapezius.trp1" -> "Upper trapezius TrP1"; a muscle's slug alone -> "Upper trapezius"."""
    muscle, _, trp = trp_id.partition(".")
    return f"{muscle_name(muscle, kb)} {trp_label(trp_id)}" if trp else muscle_name(muscle, kb)


def _point_words(trp_id: str, kb: KnowledgeBase | None) -> tuple[str, str]:
    """(muscle words, the point's name in the knowledge base or its label)."""
    try:
        muscle, tp = _kb(kb).trigger_point(trp_id)
        return muscle.name, tp.name
    except LookupError:
        return muscle_words(trp_id.partition(".")[0], kb), trp_label(trp_id)


def trigger_point_name(trp_id: str, kb: KnowledgeBase | None = None) -> str:
    """ "upper_trapezius.trp1" -> "Upper trapezius TrP1, anterior (vertical) fibres" (a label)."""
    muscle, point = _point_words(trp_id, kb)
    return f"{capital(muscle)} {point}"


def trigger_point_words(trp_id: str, side: Side | None = None, kb: KnowledgeBase | None = None) -> str:
    """``right upper trapezius, TrP1, anterior (vertical) fibres`` (inside a sentence)."""
    muscle, point = _point_words(trp_id, kb)
    text = f"{muscle}, {point}"
    return text if side is None else f"{side.value} {text}"


def technique_name(technique_id: str, kb: KnowledgeBase | None = None) -> str:
    """ "ischemic_compression" -> the technique's name in the knowledge base, else the id as words."""
    t = _kb(kb).techniques.get(technique_id)
    return t.name if t is not None else technique_id.replace("_", " ")


# --- dates and times -----------------------------------------------------------------------------------------------


def _local(value: datetime, tz: tzinfo | None) -> datetime:
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(tz or UTC)


def _day(value: date | datetime, tz: tzinfo | None) -> date:
    return _local(value, tz).date() if isinstance(value, datetime) else value


# Locales whose readers put the month first and read the clock in 12 hours (CLDR's medium date and short time
# of en-US and en-CA); every other locale a clinic can choose reads "3 Mar 2025, 14:05".
MONTH_FIRST = frozenset({"en-US", "en-CA"})


def short_date(value: date | datetime | None, tz: tzinfo | None = None, locale: str | None = None) -> str:
    """3 Mar 2025 ("" for none); "Mar 3, 2025" where the clinic's ``locale`` puts the month first. A datetime is
    shown on its day in ``tz`` (UTC when none)."""
    if value is None:
        return ""
    d = _day(value, tz)
    if locale in MONTH_FIRST:
        return f"{MONTHS[d.month - 1][:3]} {d.day}, {d.year}"
    return f"{d.day} {MONTHS[d.month - 1][:3]} {d.year}"


def long_date(value: date | datetime | None, tz: tzinfo | None = None) -> str:
    """3 March 2025 (day, month in words, year: the same on A4 and Letter, never ambiguous; "" for none)."""
    if value is None:
        return ""
    d = _day(value, tz)
    return f"{d.day} {MONTHS[d.month - 1]} {d.year}"


def day_month(value: date | datetime, tz: tzinfo | None = None) -> str:
    """3 Mar (a chart's axis, where the year is shown once)."""
    d = _day(value, tz)
    return f"{d.day} {MONTHS[d.month - 1][:3]}"


def time_of_day(value: datetime, tz: tzinfo | None = None, locale: str | None = None) -> str:
    """14:05, in ``tz`` (UTC when none); "2:05 PM" where the clinic's ``locale`` reads a 12-hour clock."""
    t = _local(value, tz)
    if locale in MONTH_FIRST:
        return f"{(t.hour - 1) % 12 + 1}:{t.minute:02d} {'AM' if t.hour < 12 else 'PM'}"
    return f"{t:%H:%M}"


def date_time(value: datetime | None, tz: tzinfo | None = None, locale: str | None = None) -> str:
    """3 Mar 2025, 14:05 in ``tz`` (UTC when none; "" for none); "Mar 3, 2025, 2:05 PM" in en-US."""
    if value is None:
        return ""
    return f"{short_date(value, tz, locale)}, {time_of_day(value, tz, locale)}"


def iso_date(value: date | datetime, tz: tzinfo | None = None) -> str:
    """2025-03-03: the day in ``tz`` (UTC when none), as clinical notes write it."""
    return _day(value, tz).isoformat()


def iso_minute(value: datetime, tz: tzinfo | None = None) -> str:
    """2025-03-03 14:05 in ``tz`` (UTC when none): the heading of a clinical note."""
    return f"{_local(value, tz):%Y-%m-%d %H:%M}"


# --- outcome instruments -------------------------------------------------------------------------------------------


def instrument_short(instrument_id: str) -> str:
    """ "pss10" -> "PSS-10" (the instrument's own short name; an unknown id in capitals)."""
    ins = INSTRUMENTS.get(instrument_id)
    return ins.short if ins is not None and ins.short else instrument_id.upper()


def instrument_name(instrument_id: str) -> str:
    """ "pss10" -> "Perceived Stress Scale (10 items)"."""
    ins = INSTRUMENTS.get(instrument_id)
    return ins.name if ins is not None else instrument_id.upper()


# --- sources -------------------------------------------------------------------------------------------------------

_INITIALS = re.compile(r"^[A-Z]{1,4}$")
_YEAR = re.compile(r"\b(1[89]\d\d|20\d\d)\b")
_KEY_YEAR = re.compile(r"(1[89]\d\d|20\d\d)")


def _surnames(authors: str) -> list[str]:
    out = []
    for person in authors.split(", "):
        words = person.split()
        if words == ["et", "al."] or words == ["et", "al"]:
            out.append("et al.")
        elif len(words) > 1 and _INITIALS.match(words[-1]):
            out.append(" ".join(words[:-1]))
        else:
            return [authors]  # an organisation: its whole name
    return out


def _year(s: Source) -> str:
    years = _YEAR.findall(s.citation)
    in_key = _KEY_YEAR.findall(s.key)
    if in_key and in_key[0] in years:
        return str(in_key[0])
    return str(years[0]) if years else ""


def citation_short(key: str, locator: str = "", kb: KnowledgeBase | None = None) -> str:
    """A source in a line of text: "Simons et al. 1999, ch. 6", "Travell & Simons 1992", from the bibliography
    (the first authors' surnames and the year). A key missing from the bibliography: "unlisted source"."""
    s = _kb(kb).sources.get(key)
    if s is None:
        text = "unlisted source"
    else:
        names = _surnames(s.citation.split(". ", 1)[0])
        more = "et al." in names
        names = [n for n in names if n != "et al."]
        if len(names) == 1 and not more:
            who = names[0]
        elif len(names) == 2 and not more:
            who = f"{names[0]} & {names[1]}"
        else:
            who = f"{names[0]} et al."
        text = f"{who} {_year(s)}".strip()
    return f"{text}, {locator}" if locator else text


def citation(key: str, kb: KnowledgeBase | None = None) -> str:
    """The full reference of a source from the bibliography ("" when the key is not in it)."""
    s = _kb(kb).sources.get(key)
    return s.citation if s is not None else ""


def source_line(refs: Iterable[str], kb: KnowledgeBase | None = None) -> str:
    """``("simons1999:ch. 6", "bron2011")`` -> ``Simons et al. 1999, ch. 6; Bron et al. 2011``."""
    out = []
    for ref in refs:
        key, _, loc = ref.partition(":")
        out.append(citation_short(key.strip(), loc.strip(), kb))
    return "; ".join(out)
