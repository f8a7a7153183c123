"""The session conductor's rules in the core (clinic/conductor.py): the points of a session, in order, and
where they come from."""

from __future__ import annotations

from dataclasses import replace

from tests.records_factories import make_assessment, make_hold, make_plan, make_session

from taut.anatomy.regions import Side
from taut.clinic.conductor import DEFAULT_TECHNIQUE, default_technique, session_points


def test_a_plan_with_points_gives_them_in_order_and_saved_holds_elsewhere_follow() -> None:
    session = make_session(1, holds=(make_hold(), make_hold(trp_id="levator_scapulae.trp1", side=Side.LEFT)))
    points, source = session_points(session, make_plan(), make_assessment().findings)
    assert source == "plan"
    assert [(p.trp_id, p.side, p.source) for p in points] == [
        ("upper_trapezius.trp1", Side.RIGHT, "plan"),
        ("levator_scapulae.trp1", Side.LEFT, "added"),
    ]


def test_without_plan_points_the_active_findings_are_the_points() -> None:
    session = make_session(1, holds=())
    points, source = session_points(session, replace(make_plan(), points=()), make_assessment().findings)
    assert source == "assessment"
    assert [(p.trp_id, p.side) for p in points] == [
        ("upper_trapezius.trp1", Side.RIGHT)
    ]  # the latent one is not
    assert points[0].technique == default_technique("upper_trapezius.trp1")
    assert session_points(session, None, ()) == ((), "none")


def test_an_unknown_trigger_point_starts_with_ischemic_compression() -> None:
    assert default_technique("no_such_muscle.trp1") == DEFAULT_TECHNIQUE
