"""Scoring of the outcome instruments on worked examples, and the MCID flag."""

from __future__ import annotations

from datetime import date

import pytest

from taut.clinic import OutcomeMeasure, PsfsActivity, RecordValidationError
from taut.clinic.chart import outcome_entries
from taut.clinic.outcomes import change, ndi, nprs, psfs, pss10

D = date(2025, 1, 1)


def test_nprs_is_the_single_item() -> None:
    assert nprs((7,)).value == 7.0
    assert nprs((7,)).band == "severe"


def test_nprs_refuses_out_of_range() -> None:
    with pytest.raises(RecordValidationError, match=r"outcome.items\[0\]: must be 0-10, not 11"):
        nprs((11,))


def test_psfs_is_the_mean_of_the_activities() -> None:
    acts = (
        PsfsActivity(activity="reading", score=4),
        PsfsActivity(activity="driving", score=6),
        PsfsActivity(activity="lifting a child", score=5),
    )
    assert psfs(acts).value == 5.0


def test_psfs_needs_three_to_five_activities() -> None:
    with pytest.raises(
        RecordValidationError, match=r"outcome.activities: PSFS takes 3 to 5 activities, not 2"
    ):
        psfs((PsfsActivity(activity="a", score=1), PsfsActivity(activity="b", score=2)))


def test_ndi_worked_example_sum_and_band() -> None:
    # items 1,2,0,3,1,2,1,0,2,1 -> 13/50 (26 %), mild (5-14)
    s = ndi((1, 2, 0, 3, 1, 2, 1, 0, 2, 1))
    assert s.value == 13.0
    assert s.band == "mild"


def test_ndi_prorates_a_missing_item() -> None:
    # 9 answered items summing to 18 -> 18 / 9 * 10 = 20.0 (moderate)
    s = ndi((2, 2, 2, 2, 2, 2, 2, 2, 2, None))
    assert s.value == 20.0
    assert s.band == "moderate"


def test_ndi_refuses_more_than_two_missing() -> None:
    with pytest.raises(RecordValidationError, match=r"at least 8 answered"):
        ndi((1, 1, 1, 1, 1, 1, 1, None, None, None))


def test_ndi_bands_at_the_edges() -> None:
    assert ndi((0,) * 10).band == "none"
    assert ndi((5,) * 7 + (0, 0, 0)).band == "complete"  # 35


def test_pss10_reverses_items_4_5_7_8() -> None:
    # all answers 2: reversed items score 2 as well -> 20
    assert pss10((2,) * 10).value == 20.0
    # all answers 0: the four reversed items score 4 each -> 16 (moderate)
    s = pss10((0,) * 10)
    assert s.value == 16.0
    assert s.band == "moderate"
    # a worked example: 3,2,3,1,1,2,1,1,3,2 -> 3+2+3+(4-1)+(4-1)+2+(4-1)+(4-1)+3+2 = 27 (high)
    s = pss10((3, 2, 3, 1, 1, 2, 1, 1, 3, 2))
    assert s.value == 27.0
    assert s.band == "high"


def test_pss10_needs_every_item() -> None:
    with pytest.raises(RecordValidationError, match=r"outcome.items\[3\]: PSS-10 needs every item"):
        pss10((1, 1, 1, None, 1, 1, 1, 1, 1, 1))


def test_mcid_flag_for_pain_that_falls_two_points() -> None:
    c = change("nprs", 7, 5)
    assert c.delta == -2 and c.improved and c.passes_mcid


def test_mcid_flag_not_set_below_the_threshold_or_when_worse() -> None:
    assert change("nprs", 7, 6).passes_mcid is False
    assert change("ndi", 10, 16).passes_mcid is False
    assert change("ndi", 20, 15).passes_mcid is True


def test_psfs_improves_upwards() -> None:
    assert change("psfs", 3.0, 5.3).passes_mcid is True
    assert change("psfs", 5.0, 3.0).improved is False


def test_pss10_has_no_mcid() -> None:
    assert change("pss10", 27, 12).passes_mcid is None


def test_chart_entries_compare_with_the_first_measure() -> None:
    first = OutcomeMeasure(id=1, instrument="nprs", taken_on=D, items=(7,))
    later = OutcomeMeasure(id=2, instrument="nprs", taken_on=date(2025, 2, 1), items=(4,))
    entries = outcome_entries([later, first])
    assert entries[0].change is None
    assert entries[1].change is not None and entries[1].change.passes_mcid


def test_unknown_instrument_names_the_field() -> None:
    with pytest.raises(RecordValidationError, match=r"outcome.instrument: must be one of"):
        OutcomeMeasure(instrument="odi", taken_on=D, items=(1,))
