"""The examination: trigger-point findings as records, posture and gait, range of motion, entrapment tests."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from taut.anatomy.regions import Side
from taut.clinic import rules
from taut.clinic.catalogue import Catalogue
from taut.clinic.errors import RecordValidationError
from taut.clinic.fields import TRIGGER_POINT_SIGNS
from taut.clinic.rom import rom_norms

TRP_STATUSES = ("active", "latent", "resolved")
TEST_RESULTS = ("positive", "negative", "equivocal")


def side_or_none(field: str, value: object) -> Side | None:
    if value is None:
        return None
    try:
        return Side(str(value))
    except ValueError:
        raise RecordValidationError(field, f"must be left or right (the patient's), not {value!r}") from None


@dataclass(frozen=True, kw_only=True)
class TriggerPointFinding:
    """One trigger point on one side as found at an examination. The signs and measurements after ``status``
    are declared in ``clinic.fields.TRIGGER_POINT_SIGNS`` (label, range, FHIR code, SOAP words), which every
    adapter reads; a new sign is declared there and added here with its default."""

    trp_id: str  # "upper_trapezius.trp1"
    side: Side | None
    status: str  # active / latent / resolved
    taut_band: bool = False
    jump_sign: bool = False
    local_twitch: bool = False
    referral_reproduced: bool = False
    tenderness: int | None = None  # 0-10
    ppt_kpa: float | None = None  # pressure-pain threshold

    def __post_init__(self) -> None:
        object.__setattr__(self, "side", side_or_none("finding.side", self.side))
        rules.one_of("finding.status", self.status, TRP_STATUSES)
        TRIGGER_POINT_SIGNS.check(self)

    @property
    def muscle(self) -> str:
        return self.trp_id.partition(".")[0]


@dataclass(frozen=True, kw_only=True)
class RomMeasurement:
    """Active range of motion in degrees beside the normal value for that movement (and its source)."""

    movement: str  # id from rom_norms.yaml, e.g. "cervical.rotation"
    side: Side | None
    degrees: int

    def __post_init__(self) -> None:
        norm = rom_norms().get(self.movement)
        if norm is None:
            raise RecordValidationError(
                "rom.movement", f"unknown movement {self.movement!r}; known: {', '.join(rom_norms())}"
            )
        object.__setattr__(self, "side", side_or_none("rom.side", self.side))
        if norm.sided and self.side is None:
            raise RecordValidationError("rom.side", f"{norm.name} is measured per side: give left or right")
        if not norm.sided and self.side is not None:
            raise RecordValidationError("rom.side", f"{norm.name} takes no side")
        rules.whole_number("rom.degrees", self.degrees, 0, 360)

    @property
    def normal(self) -> int:
        return rom_norms()[self.movement].aaos

    @property
    def normal_source(self) -> str:
        return rom_norms()[self.movement].source

    @property
    def percent_of_normal(self) -> int:
        return round(100 * self.degrees / self.normal)


@dataclass(frozen=True, kw_only=True)
class EntrapmentTest:
    name: str  # e.g. "Phalen", "Adson", "slump", "piriformis (FAIR)"
    side: Side | None
    result: str  # positive / negative / equivocal
    structure: str = ""  # nerve or vessel tested, e.g. "median nerve"
    notes: str = ""

    def __post_init__(self) -> None:
        rules.text("entrapment.name", self.name, max_len=200)
        object.__setattr__(self, "side", side_or_none("entrapment.side", self.side))
        rules.one_of("entrapment.result", self.result, TEST_RESULTS)


@dataclass(frozen=True, kw_only=True)
class Assessment:
    id: int | None = None
    assessed_on: date
    findings: tuple[TriggerPointFinding, ...] = ()
    posture: tuple[str, ...] = ()
    gait: tuple[str, ...] = ()
    rom: tuple[RomMeasurement, ...] = ()
    entrapment_tests: tuple[EntrapmentTest, ...] = ()
    summary: str = ""
    version: int = 1  # one more for each amendment (the earlier versions are kept: clinic/amendments.py)

    def validate(self, catalogue: Catalogue) -> Assessment:
        rules.a_date("assessment.assessed_on", self.assessed_on)
        seen: set[tuple[str, Side | None]] = set()
        for i, f in enumerate(self.findings):
            catalogue.check_trigger_point(f"assessment.findings[{i}].trp_id", f.trp_id)
            if (f.trp_id, f.side) in seen:
                raise RecordValidationError(
                    f"assessment.findings[{i}]", f"{f.trp_id} ({f.side or 'midline'}) is recorded twice"
                )
            seen.add((f.trp_id, f.side))
        for name, items in (("posture", self.posture), ("gait", self.gait)):
            for i, s in enumerate(items):
                rules.text(f"assessment.{name}[{i}]", s, max_len=500)
        rules.text("assessment.summary", self.summary, required=False)
        return self
