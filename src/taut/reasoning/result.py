"""What the engine answers: red flags first, cautions, the ranked muscles with their reasons, what stays
unexplained, likely entrapments, a covering set of trigger points and an examination order."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Flag:
    code: str
    name: str
    message: str
    action: str
    because: tuple[str, ...]  # the client's terms (and facts) that raised it
    level: str = "refer"  # emergency | urgent | refer | caution (knowledge.model.LEVELS)

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "name": self.name,
            "message": self.message,
            "action": self.action,
            "level": self.level,
            "because": list(self.because),
        }


@dataclass(frozen=True)
class Explained:
    """A painted region a muscle explains, and through which zone of which trigger point."""

    ref: str  # region key, e.g. head.temple:right
    region_name: str
    zone: str  # essential | spillover
    trigger_point: str


@dataclass(frozen=True)
class Support:
    """Other evidence for a muscle: a symptom, aggravating movement, mechanism or entrapment."""

    kind: str  # symptom | aggravator | mechanism | entrapment | prior
    term: str
    factor: float  # likelihood ratio (or prior odds) it contributed


@dataclass(frozen=True)
class RankedMuscle:
    muscle: str
    side: str  # right | left | both
    score: float  # 0-1
    logodds: float
    trigger_points: tuple[str, ...]
    explains: tuple[Explained, ...]
    support: tuple[Support, ...]
    missing_essential: tuple[str, ...] = ()  # essential regions of its main TrP the client did not paint

    def to_dict(self) -> dict[str, Any]:
        return {
            "muscle": self.muscle,
            "side": self.side,
            "score": round(self.score, 4),
            "trigger_points": list(self.trigger_points),
            "explains": [
                {"region": e.ref, "name": e.region_name, "zone": e.zone, "trigger_point": e.trigger_point}
                for e in self.explains
            ],
            "support": [{"kind": s.kind, "term": s.term, "factor": round(s.factor, 2)} for s in self.support],
            "missing_essential": list(self.missing_essential),
        }


@dataclass(frozen=True)
class Entrapment:
    muscle: str
    side: str
    structure: str
    symptoms: tuple[str, ...]
    regions: tuple[str, ...]


@dataclass(frozen=True)
class CoverStep:
    muscle: str
    side: str
    trigger_point: str
    trigger_point_name: str
    explains: tuple[str, ...]  # region keys newly explained by this step


@dataclass(frozen=True)
class Suggestion:
    case_id: str | None
    red_flags: tuple[Flag, ...]
    cautions: tuple[Flag, ...]
    ranking: tuple[RankedMuscle, ...]
    unexplained: tuple[str, ...] = ()
    entrapments: tuple[Entrapment, ...] = ()
    cover: tuple[CoverStep, ...] = ()
    exam_order: tuple[str, ...] = ()
    method: str = "engine"
    notes: tuple[str, ...] = field(default_factory=tuple)

    def to_dict(self) -> dict[str, Any]:
        """The answer object of shared/eval/FORMAT.md, with Taut's extra keys."""
        return {
            "id": self.case_id,
            "method": self.method,
            "advice": "refer before treatment" if self.red_flags else None,
            "red_flags": [f.to_dict() for f in self.red_flags],
            "cautions": [f.to_dict() for f in self.cautions],
            "ranking": [m.to_dict() for m in self.ranking],
            "unexplained": list(self.unexplained),
            "entrapments": [
                {
                    "muscle": e.muscle,
                    "side": e.side,
                    "structure": e.structure,
                    "symptoms": list(e.symptoms),
                    "regions": list(e.regions),
                }
                for e in self.entrapments
            ],
            "cover": [
                {
                    "muscle": c.muscle,
                    "side": c.side,
                    "trigger_point": c.trigger_point,
                    "name": c.trigger_point_name,
                    "explains": list(c.explains),
                }
                for c in self.cover
            ],
            "exam_order": list(self.exam_order),
        }
