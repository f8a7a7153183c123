"""Treatment minutes and units per CPT code for one session, under the CMS 8-minute rule.

Only the codes are used here (97140 manual therapy, 97124 massage); the AMA's CPT descriptors are
copyrighted and are not shipped (shared/reference/standards.md §1.12). The labels below are our own words.

The rule (Medicare Claims Processing Manual, Pub. 100-04, Chapter 5, §20.2, "Reporting of Service Units
With HCPCS"):

- The total timed minutes of the day decide the total number of 15-minute units: 8-22 minutes = 1 unit,
  23-37 = 2, 38-52 = 3, and so on, one more unit for each further 15 minutes; under 8 minutes bills nothing.
- Each code first gets one unit for each full 15 minutes it was performed.
- Units still left go to the codes with the most remaining minutes (the minutes beyond their full units);
  so a code done for 7 minutes or less can take a unit when its remainder is the largest, and a code done
  for less than 8 minutes on its own bills nothing. With equal remainders CMS lets either code take it.

How Taut gets minutes per code: the session's timed minutes are ``session.minutes`` (from start to end);
they are split across codes in proportion to the seconds of the holds done with each code's techniques,
rounded to whole minutes by the largest remainder so that the parts add up to the session's minutes.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from taut.clinic.errors import RecordValidationError
from taut.clinic.sessions import TreatmentSession

MANUAL_THERAPY = "97140"
MASSAGE = "97124"
CODE_LABELS = {MANUAL_THERAPY: "manual therapy techniques", MASSAGE: "massage"}
UNIT_MINUTES = 15
MINIMUM_MINUTES = 8

# Each technique of knowledge/data/techniques.yaml and the code it is billed under. Sources: the CPT
# descriptors of 97124 (massage, naming effleurage, petrissage and tapotement: stroking, compression,
# percussion) and 97140 (manual therapy techniques such as mobilisation/manipulation; CPT guidance places
# myofascial release here), as summarised in shared/reference/standards.md §1.7, and S. A. Collins, "Codes
# for Soft-Tissue Work", Dynamic Chiropractic 25(25), 2007 (97124 = strokes for relaxation and circulation;
# 97140 = soft-tissue techniques with a specific therapeutic aim). Some payers code passive trigger-point
# pressure as 97124 instead (standards.md §1.7): pass another map to ``session_billing`` for them.
TECHNIQUE_CODES: dict[str, str] = {
    # Sustained pressure on one trigger point until it releases: targeted soft-tissue mobilisation with a
    # therapeutic aim (pain, range of motion), not a massage stroke.
    "ischemic_compression": MANUAL_THERAPY,
    # Effleurage along the fibres: the stroking named in the massage descriptor.
    "gliding": MASSAGE,
    # Slow deep gliding along a taut band: a stroke of the effleurage family.
    "stripping": MASSAGE,
    # Transverse friction on one band or attachment to mobilise it: a soft-tissue mobilisation technique.
    "cross_fiber_friction": MANUAL_THERAPY,
    # Contract-relax against the therapist's resistance to gain range: a manual mobilisation technique.
    "muscle_energy": MANUAL_THERAPY,
    # Strain-counterstrain: passive positioning of a joint in ease, no stroking: manual therapy.
    "positional_release": MANUAL_THERAPY,
    # Pressure fixing a point while the joint moves the muscle long: soft-tissue mobilisation.
    "pin_and_stretch": MANUAL_THERAPY,
    # Therapist-applied lengthening to restore range (a stretch the client does alone is exercise, 97110,
    # which Taut does not code).
    "stretching": MANUAL_THERAPY,
}


def units_for_minutes(total: int) -> int:
    """Total 15-minute units for the total timed minutes: 0-7 = 0, 8-22 = 1, 23-37 = 2, ... (§20.2)."""
    if total < MINIMUM_MINUTES:
        return 0
    return (total + UNIT_MINUTES - MINIMUM_MINUTES) // UNIT_MINUTES


@dataclass(frozen=True)
class Allocation:
    units: dict[str, int]  # code -> units, every code given
    # Codes whose equal remaining minutes competed for the last unit(s) (CMS lets either take it), and the
    # ones that took it here.
    ties: tuple[tuple[tuple[str, ...], tuple[str, ...]], ...] = ()


def assign_units(minutes: Mapping[str, int]) -> Allocation:
    """Units per code for the timed minutes per code, by §20.2. Between equal remainders the code with
    more minutes in all takes the unit, then the one named first."""
    for code, m in minutes.items():
        if isinstance(m, bool) or not isinstance(m, int) or m < 0:
            raise RecordValidationError(f"billing.minutes[{code}]", f"must be whole minutes >= 0, not {m!r}")
    total = units_for_minutes(sum(minutes.values()))
    units = {code: m // UNIT_MINUTES for code, m in minutes.items()}
    left = total - sum(units.values())  # never negative, never more than the codes with a remainder
    order = list(minutes)

    def rest(code: str) -> int:
        return minutes[code] % UNIT_MINUTES

    ranked = sorted((c for c in order if rest(c)), key=lambda c: (-rest(c), -minutes[c], order.index(c)))
    taken = ranked[:left]
    for code in taken:
        units[code] += 1
    ties = []
    if 0 < left < len(ranked) and rest(ranked[left]) == rest(ranked[left - 1]):
        tied = tuple(c for c in ranked if rest(c) == rest(ranked[left - 1]))
        ties.append((tied, tuple(c for c in tied if c in taken)))
    return Allocation(units, tuple(ties))


def split_minutes(total: int, seconds: Mapping[str, int]) -> dict[str, int]:
    """``total`` whole minutes split in proportion to ``seconds`` per code, by the largest remainder."""
    all_seconds = sum(seconds.values())
    if all_seconds <= 0:
        return {code: 0 for code in seconds}
    exact = {code: total * s / all_seconds for code, s in seconds.items()}
    out = {code: int(x) for code, x in exact.items()}
    order = list(seconds)
    rest = sorted(order, key=lambda c: (-(exact[c] - out[c]), order.index(c)))
    for code in rest[: total - sum(out.values())]:
        out[code] += 1
    return out


@dataclass(frozen=True)
class CodeLine:
    code: str
    label: str
    hold_seconds: int
    minutes: int
    units: int


@dataclass(frozen=True)
class BillingSummary:
    """Minutes and units per code; ``problem`` says why nothing can be counted (then units is None)."""

    session_minutes: int | None
    units: int | None
    lines: tuple[CodeLine, ...]
    problem: str | None = None
    notes: tuple[str, ...] = ()

    def render(self) -> str:
        """The summary in words. Under a minute reads "under 1 min", never "0 min"; no unit reads "no unit"
        with the reason (under the 8 minutes a unit needs), never "0 unit(s)"."""
        if self.problem is not None:
            return f"No units: {self.problem}."
        rule = "the CMS 8-minute rule (Medicare Claims Processing Manual, ch. 5, §20.2)"
        total = minutes_words(self.session_minutes or 0)
        if not self.units:
            out = [
                f"Timed treatment {total} (session start to end): under the {MINIMUM_MINUTES} minutes a unit "
                f"needs, so no unit is billed under {rule}."
            ]
        else:
            out = [
                f"Timed treatment {total} (session start to end) = {units_words(self.units)} under {rule}."
            ]
        for line in self.lines:
            out.append(
                f"- {line.code} ({line.label}): {minutes_words(line.minutes)} from "
                f"{seconds_words(line.hold_seconds)} of holds, {units_words(line.units)}"
            )
        out.extend(self.notes)
        return "\n".join(out)


def minutes_words(minutes: int) -> str:
    """Whole minutes as billing reads them: 0 -> "under 1 min" (a hold of 40 s is not "0 min")."""
    return "under 1 min" if minutes <= 0 else f"{minutes} min"


def seconds_words(seconds: int) -> str:
    """40 -> "40 s"; 130 -> "2 min 10 s"; 120 -> "2 min"."""
    if seconds < 60:
        return f"{seconds} s"
    m, s = divmod(seconds, 60)
    return f"{m} min {s} s" if s else f"{m} min"


def units_words(units: int) -> str:
    """0 -> "no unit"; 1 -> "1 unit"; 3 -> "3 units"."""
    return "no unit" if units == 0 else f"{units} unit" + ("s" if units != 1 else "")


def session_billing(session: TreatmentSession, codes: Mapping[str, str] = TECHNIQUE_CODES) -> BillingSummary:
    """Minutes and units per CPT code for one session (``codes``: technique id -> CPT code)."""
    seconds: dict[str, int] = {}
    for i, h in enumerate(session.holds):
        code = codes.get(h.technique)
        if code is None:
            raise RecordValidationError(
                f"session.holds[{i}].technique", f"no CPT code is mapped for technique {h.technique!r}"
            )
        seconds[code] = seconds.get(code, 0) + h.seconds
    minutes = session.minutes
    if not seconds:
        return BillingSummary(minutes, None, (), "no holds are recorded for this session")
    if minutes is None:
        return BillingSummary(
            None,
            None,
            tuple(CodeLine(c, CODE_LABELS.get(c, c), s, 0, 0) for c, s in seconds.items()),
            "the treatment minutes are unknown (the session has no end time); finish the session first",
        )
    per_code = split_minutes(minutes, seconds)
    allocation = assign_units(per_code)
    lines = tuple(
        CodeLine(c, CODE_LABELS.get(c, c), seconds[c], per_code[c], allocation.units[c]) for c in seconds
    )
    notes = ["Minutes are split across codes in proportion to the seconds of holds per code."]
    for tied, took in allocation.ties:
        notes.append(
            f"{' and '.join(tied)} have equal remaining minutes: CMS lets either take the unit "
            f"(given here to {', '.join(took)}, the one with more minutes in all)."
        )
    return BillingSummary(minutes, units_for_minutes(minutes), lines, None, tuple(notes))
