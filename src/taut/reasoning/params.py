"""Every parameter of the suggestion engine, in one place. docs/suggestion-engine.md explains each.

They are set from the structure of the trigger-point literature (essential zones are "almost always" felt,
spillover zones "sometimes"), not fitted to any case set.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field


@dataclass(frozen=True, eq=False)
class Params:
    # P(region painted | the TrP is active and the region is in its essential / spillover zone),
    # and P(region painted | the TrP is active and the region is outside its zones) — the leak. The leak equals
    # the background rate: drawings usually have several causes, so a region one muscle does not explain is
    # explained by something else and neither supports nor counts against that muscle.
    p_essential: float = 0.80
    p_spillover: float = 0.45
    p_leak: float = 0.12
    # P(region painted) for a region whatever the cause: the background rate the likelihood ratios compare to.
    p_background: float = 0.12
    # An unpainted essential region counts against a TrP. Patients paint the few areas that bother them most,
    # so in a large zone each single region is less likely to be painted: P(painted) is diluted to
    # p_essential * min(1, typical_painted / zone size). missing_weight scales the whole penalty.
    missing_weight: float = 0.5
    typical_painted: float = 3.0
    # A TrP that may cross the midline explains the other side's copy of its zone as spillover.
    crossed_as: str = "spillover"
    # Intensity weighting: a painted region with intensity i weighs w0 + (1 - w0) * i / 10 (unrated: w_unrated).
    w0: float = 0.55
    w_unrated: float = 0.8
    # Prior odds multipliers by how often the muscle is clinically involved.
    prior: dict[str, float] = field(
        default_factory=lambda: {"very_common": 3.0, "common": 1.7, "occasional": 1.0, "rare": 0.5}
    )
    # Symptom evidence: LR = 1 + symptom_gain * (share of muscles NOT listing the term), capped.
    symptom_gain: float = 2.5
    symptom_cap: float = 4.0
    # Terms too common in ordinary pain to point at one muscle keep a weak LR whatever their spread: pain that
    # wakes the patient is reported with trigger points of many muscles (docs/suggestion-engine.md).
    weak_symptoms: dict[str, float] = field(default_factory=lambda: {"night pain": 1.15})
    aggravator_lr: float = 1.6
    # Mechanism evidence per muscle: LR = 1 + mechanism_gain * (share of muscles NOT listing the mechanism),
    # capped, then its log scaled by the confidence the muscle file gives its mechanisms.
    mechanism_gain: float = 0.8
    mechanism_cap: float = 1.8
    confidence_weight: dict[str, float] = field(
        default_factory=lambda: {"high": 1.0, "moderate": 0.7, "low": 0.4}
    )
    # Tingling or numbness with a muscle that entraps a nerve felt in the painted regions.
    entrapment_lr: float = 3.0
    # A condition the case presents as (conditions.yaml presents_as) supports each muscle with a published
    # prevalence among its patients by LR = 1 + condition_weight * prevalence (reasoning/conditions.py); 0: off.
    condition_weight: float = 1.0
    # A second TrP of the same muscle adds this share of what it explains beyond the best TrP.
    second_trp_share: float = 0.5
    # Base log-odds for turning evidence into a 0-1 score.
    base_logodds: float = -3.0
    # Both sides are reported ("both") when the weaker side scores at least this share of the stronger one's
    # region evidence and explains at least one painted region itself.
    both_sides_share: float = 0.6
    # Set cover: stop when a TrP adds less than this much weight, or after max_cover TrPs.
    cover_min_gain: float = 0.5
    max_cover: int = 5
    top_n: int = 20

    def lr(self, zone: str) -> float:
        p = {"essential": self.p_essential, "spillover": self.p_spillover, "outside": self.p_leak}[zone]
        return p / self.p_background

    def log_lr(self, zone: str) -> float:
        return math.log(self.lr(zone))

    def log_missing(self, zone_size: int) -> float:
        """log of P(an essential region unpainted | TrP active) / P(region unpainted), for a zone of that size."""
        p = self.p_essential * min(1.0, self.typical_painted / max(zone_size, 1))
        return math.log((1 - p) / (1 - self.p_background))


DEFAULT = Params()
