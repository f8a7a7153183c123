"""What the examination and plan forms show and read: trigger-point rows per muscle and side, ROM rows with
the normal value, planned points prefilled from the findings. Form fields are named
``trp:<trp_id>:<side>:<what>`` (side ``right``, ``left`` or ``mid``) and ``rom:<n>:<what>``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from taut.anatomy.regions import Side, body_map
from taut.clinic.assessment import (
    TEST_RESULTS,
    TRP_STATUSES,
    Assessment,
    EntrapmentTest,
    RomMeasurement,
    TriggerPointFinding,
    side_or_none,
)
from taut.clinic.errors import RecordValidationError
from taut.clinic.fields import TRIGGER_POINT_SIGNS
from taut.clinic.naming import capital, trp_label
from taut.clinic.plan import PlannedPoint, TreatmentPlan
from taut.clinic.rom import RomNorm, rom_norms
from taut.knowledge import knowledge
from taut.knowledge.model import TriggerPoint
from taut.web import clock, forms

SIDES = ("right", "left")
SIGNS = TRIGGER_POINT_SIGNS  # the columns of a trigger-point row after its status, as declared
ROM_ROWS = 6
TEST_ROWS = 3


@dataclass(frozen=True)
class TrpRow:
    trp_id: str
    name: str
    location: str
    side: str  # right / left / mid
    marker: str  # region key of the TrP site on this side ("neck.shoulder_angle:right")


@dataclass(frozen=True)
class MuscleBlock:
    slug: str
    name: str
    rows: tuple[TrpRow, ...]
    cautions: tuple[str, ...]
    examination: str


def muscle_block(name_or_slug: str) -> MuscleBlock:
    """The rows of one muscle: each trigger point on each side it can occur (LookupError if unknown)."""
    m = knowledge().muscle(name_or_slug)
    rows: list[TrpRow] = []
    for tp in m.trigger_points:
        for side in _sides(tp):
            marker = tp.marker.region + (f":{side}" if side != "mid" else "")
            rows.append(TrpRow(tp.id, trp_label(tp.id), tp.location, side, marker))
    ex = m.examination
    exam = " ".join(x for x in (ex.position, ex.notes) if x) if ex else ""
    return MuscleBlock(m.slug, capital(m.name), tuple(rows), tuple(m.treatment.cautions), exam)


def _sides(tp: TriggerPoint) -> tuple[str, ...]:
    """The sides a trigger point can be found on: its only side, "mid" on an unsided region, or both."""
    if tp.only_side:
        return (tp.only_side,)
    region = body_map().regions.get(tp.marker.region)
    if region is not None and not region.sided:
        return ("mid",)
    return SIDES


def muscle_choices() -> list[tuple[str, str]]:
    """(slug, display name) of every muscle, by name."""
    return sorted(((m.slug, capital(m.name)) for m in knowledge().muscles.values()), key=lambda x: x[1])


def rom_choices() -> list[RomNorm]:
    return list(rom_norms().values())


def _side(form: dict[str, str], name: str) -> Side | None:
    """The side chosen in field ``name`` ("right" or "left"; empty: none)."""
    return side_or_none(name, form.get(name) or None)


def _trp_rows(form: dict[str, str]) -> list[tuple[str, str]]:
    """(trp_id, side) of every trigger-point row whose status was chosen."""
    out = []
    for key, status in form.items():
        if not key.startswith("trp:") or not key.endswith(":status") or not status:
            continue
        trp_id, _, side = key.removeprefix("trp:").removesuffix(":status").rpartition(":")
        if not trp_id or side not in (*SIDES, "mid"):
            raise RecordValidationError(key, "is not a trigger-point row of this form")
        out.append((trp_id, side))
    return out


def findings_from_form(form: dict[str, str]) -> tuple[TriggerPointFinding, ...]:
    """A finding for every row whose status was chosen."""
    out = []
    for trp_id, side in _trp_rows(form):
        prefix = f"trp:{trp_id}:{side}:"
        out.append(
            TriggerPointFinding(
                trp_id=trp_id,
                side=None if side == "mid" else Side(side),
                status=form[prefix + "status"],
                **{f.name: forms.declared(form, prefix + f.form_key, f) for f in SIGNS},
            )
        )
    return tuple(out)


def rows(form: dict[str, str], prefix: str, first: str) -> range:
    """The numbers of the rows ``<prefix>:<n>:...`` the form holds (numbered from 0, each with ``first``)."""
    n = 0
    while f"{prefix}:{n}:{first}" in form:
        n += 1
    return range(n)


def rom_from_form(form: dict[str, str]) -> tuple[RomMeasurement, ...]:
    out = []
    for n in rows(form, "rom", "movement"):
        movement = form[f"rom:{n}:movement"]
        degrees = forms.whole(form, f"rom:{n}:degrees", 0, 360)
        if movement and degrees is not None:
            side = _side(form, f"rom:{n}:side")
            norm = rom_norms().get(movement)
            if norm is not None and not norm.sided:
                side = None
            out.append(RomMeasurement(movement=movement, side=side, degrees=degrees))
        elif movement and degrees is None:
            raise RecordValidationError(
                f"rom:{n}:degrees", "give the degrees measured (or leave the movement empty)"
            )
    return tuple(out)


def tests_from_form(form: dict[str, str]) -> tuple[EntrapmentTest, ...]:
    out = []
    for n in rows(form, "test", "name"):
        name = form[f"test:{n}:name"].strip()
        if name:
            if not form.get(f"test:{n}:result"):
                raise RecordValidationError(
                    f"test:{n}:result", f"choose the result of {name} (or leave the test's name empty)"
                )
            out.append(
                EntrapmentTest(
                    name=name,
                    side=_side(form, f"test:{n}:side"),
                    result=form.get(f"test:{n}:result", ""),
                    structure=form.get(f"test:{n}:structure", "").strip(),
                    notes=form.get(f"test:{n}:notes", "").strip(),  # kept through an amendment
                )
            )
    return tuple(out)


def assessment_from_form(form: dict[str, str]) -> Assessment:
    day = forms.a_date(form, "assessed_on", required=True)
    assert day is not None
    return Assessment(
        assessed_on=day,
        findings=findings_from_form(form),
        posture=forms.lines(form, "posture"),
        gait=forms.lines(form, "gait"),
        rom=rom_from_form(form),
        entrapment_tests=tests_from_form(form),
        summary=form.get("summary", "").strip(),
    )


def _point(form: dict[str, str], i: int) -> PlannedPoint:
    return PlannedPoint(
        trp_id=form.get(f"point:{i}:trp_id", ""),
        side=_side(form, f"point:{i}:side"),
        technique=form.get(f"point:{i}:technique", ""),
    )


def points_shown(form: dict[str, str]) -> tuple[PlannedPoint, ...]:
    """Every point row of a plan form that can be shown again, ticked or not (after an error)."""
    out = []
    for i in rows(form, "point", "trp_id"):
        try:
            out.append(_point(form, i))
        except RecordValidationError:
            continue
    return tuple(out)


def plan_from_form(form: dict[str, str]) -> TreatmentPlan:
    """The plan as typed; its points are the rows ticked "treat"."""
    starts = forms.a_date(form, "starts_on", required=True)
    assert starts is not None
    reassess = []
    for i, line in enumerate(forms.lines(form, "reassess_on")):
        day = forms.a_date({"reassess_on": line}, "reassess_on")
        if day is None:
            raise RecordValidationError(f"reassess_on[{i}]", "must be a date")
        reassess.append(day)
    points = [
        _point(form, i) for i in rows(form, "point", "trp_id") if forms.checked(form, f"point:{i}:include")
    ]
    return TreatmentPlan(
        starts_on=starts,
        goals=forms.lines(form, "goals"),
        sessions_planned=forms.whole(form, "sessions_planned", 1, 100, required=True) or 1,
        interval_days=forms.whole(form, "interval_days", 1, 90, required=True) or 1,
        points=tuple(points),
        reassess_on=tuple(reassess),
        self_care=form.get("self_care", "").strip(),
        status=form.get("status", "active") or "active",
    )


def default_technique(trp_id: str) -> str:
    try:
        m, _ = knowledge().trigger_point(trp_id)
    except LookupError:
        return "ischemic_compression"
    return m.treatment.techniques[0] if m.treatment.techniques else "ischemic_compression"


def points_from_findings(a: Assessment | None) -> list[PlannedPoint]:
    """Active trigger points first, then latent ones, each with the muscle's first technique."""
    if a is None:
        return []
    order = {"active": 0, "latent": 1}
    found = sorted((f for f in a.findings if f.status in order), key=lambda f: order[f.status])
    return [PlannedPoint(trp_id=f.trp_id, side=f.side, technique=default_technique(f.trp_id)) for f in found]


def today() -> date:
    return clock.today()


STATUSES = TRP_STATUSES
RESULTS = TEST_RESULTS
