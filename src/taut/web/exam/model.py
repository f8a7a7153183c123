"""What the examination and plan forms show and read: trigger-point rows per muscle and side, ROM rows with
the normal value, planned points prefilled from the findings. Form fields are named
``trp:<trp_id>:<side>:<what>`` (side ``right``, ``left`` or ``mid``) and ``rom:<n>:<what>``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from taut.anatomy.regions import Side
from taut.clinic.assessment import (
    TEST_RESULTS,
    TRP_STATUSES,
    Assessment,
    EntrapmentTest,
    RomMeasurement,
    TriggerPointFinding,
)
from taut.clinic.errors import RecordValidationError
from taut.clinic.plan import PlannedPoint
from taut.clinic.rom import RomNorm, rom_norms
from taut.knowledge import knowledge
from taut.knowledge.model import Muscle
from taut.web import forms

SIDES = ("right", "left")
FLAGS = (
    ("taut_band", "Taut band"),
    ("jump_sign", "Jump sign"),
    ("local_twitch", "Local twitch"),
    ("referral_reproduced", "Referral reproduced"),
)
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
        sides = _sides(m, tp)
        for side in sides:
            marker = tp.marker.region + (f":{side}" if side != "mid" else "")
            label = tp.id.split(".")[1].upper().replace("TRP", "TrP")
            rows.append(TrpRow(tp.id, label, tp.location, side, marker))
    ex = m.examination
    exam = " ".join(x for x in (ex.position, ex.notes) if x) if ex else ""
    return MuscleBlock(m.slug, _display(m.name), tuple(rows), tuple(m.treatment.cautions), exam)


def _sides(m: Muscle, tp: object) -> tuple[str, ...]:
    from taut.anatomy.regions import body_map

    only = getattr(tp, "only_side", None)
    if only:
        return (str(getattr(only, "value", only)),)
    region = body_map().regions.get(tp.marker.region)  # type: ignore[attr-defined]
    if region is not None and not region.sided:
        return ("mid",)
    return SIDES


def _display(name: str) -> str:
    return name[:1].upper() + name[1:]


def muscle_choices() -> list[tuple[str, str]]:
    """(slug, display name) of every muscle, by name."""
    return sorted(((m.slug, _display(m.name)) for m in knowledge().muscles.values()), key=lambda x: x[1])


def rom_choices() -> list[RomNorm]:
    return list(rom_norms().values())


def _side_of(value: str) -> Side | None:
    return None if value == "mid" else Side(value)


def findings_from_form(form: dict[str, str]) -> tuple[TriggerPointFinding, ...]:
    """A finding for every row whose status was chosen."""
    out = []
    for key, status in form.items():
        if not key.startswith("trp:") or not key.endswith(":status") or not status:
            continue
        _, trp_id, side, _ = key.split(":")
        prefix = f"trp:{trp_id}:{side}:"
        ppt = form.get(prefix + "ppt", "").strip()
        try:
            ppt_kpa = float(ppt) if ppt else None
        except ValueError:
            raise RecordValidationError(prefix + "ppt", f"must be a number of kPa, not {ppt!r}") from None
        out.append(
            TriggerPointFinding(
                trp_id=trp_id,
                side=_side_of(side),
                status=status,
                taut_band=forms.checked(form, prefix + "taut_band"),
                jump_sign=forms.checked(form, prefix + "jump_sign"),
                local_twitch=forms.checked(form, prefix + "local_twitch"),
                referral_reproduced=forms.checked(form, prefix + "referral_reproduced"),
                tenderness=forms.whole(form, prefix + "tenderness", 0, 10),
                ppt_kpa=ppt_kpa,
            )
        )
    return tuple(out)


def rom_from_form(form: dict[str, str]) -> tuple[RomMeasurement, ...]:
    out = []
    n = 0
    while f"rom:{n}:movement" in form:
        movement = form[f"rom:{n}:movement"]
        degrees = forms.whole(form, f"rom:{n}:degrees", 0, 360)
        if movement and degrees is not None:
            side = form.get(f"rom:{n}:side") or None
            norm = rom_norms().get(movement)
            if norm is not None and not norm.sided:
                side = None
            out.append(RomMeasurement(movement=movement, side=side, degrees=degrees))  # type: ignore[arg-type]
        elif movement and degrees is None:
            raise RecordValidationError(
                f"rom:{n}:degrees", "give the degrees measured (or leave the movement empty)"
            )
        n += 1
    return tuple(out)


def tests_from_form(form: dict[str, str]) -> tuple[EntrapmentTest, ...]:
    out = []
    n = 0
    while f"test:{n}:name" in form:
        name = form[f"test:{n}:name"].strip()
        if name:
            out.append(
                EntrapmentTest(
                    name=name,
                    side=form.get(f"test:{n}:side") or None,  # type: ignore[arg-type]
                    result=form.get(f"test:{n}:result", ""),
                    structure=form.get(f"test:{n}:structure", "").strip(),
                )
            )
        n += 1
    return tuple(out)


def lines(form: dict[str, str], name: str) -> tuple[str, ...]:
    return tuple(x.strip() for x in form.get(name, "").splitlines() if x.strip())


def assessment_from_form(form: dict[str, str]) -> Assessment:
    day = forms.a_date(form, "assessed_on", required=True)
    assert day is not None
    return Assessment(
        assessed_on=day,
        findings=findings_from_form(form),
        posture=lines(form, "posture"),
        gait=lines(form, "gait"),
        rom=rom_from_form(form),
        entrapment_tests=tests_from_form(form),
        summary=form.get("summary", "").strip(),
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
    return date.today()


STATUSES = TRP_STATUSES
RESULTS = TEST_RESULTS
