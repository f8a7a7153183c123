"""Properties of the engine that must hold for every drawing."""

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from taut.anatomy import body_map
from taut.anatomy.pain import PainDrawing, PainMark
from taut.anatomy.regions import RegionRef, Side
from taut.knowledge import knowledge
from taut.reasoning.case import Case
from taut.reasoning.engine import suggest
from taut.reasoning.params import Params

ALL = Params(top_n=1000)
REGIONS = sorted(body_map().regions)


def ref_of(rid: str, side: Side) -> RegionRef:
    return RegionRef(rid, side if body_map()[rid].sided else None)


marks = st.lists(
    st.tuples(
        st.sampled_from(REGIONS), st.sampled_from([Side.RIGHT, Side.LEFT]), st.none() | st.integers(0, 10)
    ),
    min_size=1,
    max_size=6,
)


def drawing(items) -> PainDrawing:
    return PainDrawing.of([PainMark(ref_of(r, s), i) for r, s, i in items])


def scores(d: PainDrawing) -> dict[str, float]:
    return {m.muscle: m.logodds for m in suggest(Case(d), params=ALL).ranking}


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(items=marks, data=st.data())
def test_painting_more_of_an_essential_zone_never_lowers_the_muscle(items, data):
    d = drawing(items)
    kb = knowledge()
    muscle = data.draw(st.sampled_from(sorted(kb.muscles)))
    trp = data.draw(st.sampled_from(kb.muscles[muscle].trigger_points))
    side = data.draw(st.sampled_from([Side.RIGHT, Side.LEFT]))
    extra = ref_of(data.draw(st.sampled_from(trp.essential)), side)
    if extra in d.refs:
        return
    before = scores(d)[muscle]
    after = scores(PainDrawing.of([*d.marks, PainMark(extra, data.draw(st.none() | st.integers(0, 10)))]))[
        muscle
    ]
    assert after >= before - 1e-9


ONE_SIDED = {m.name for m in knowledge().muscles.values() if any(t.only_side for t in m.trigger_points)}


@settings(max_examples=30, deadline=None)
@given(items=marks)
def test_mirroring_left_and_right_mirrors_the_answer(items):
    """Anatomy is symmetric except for trigger points found on one side only (ONE_SIDED muscles)."""
    d = drawing(items)
    mirrored = PainDrawing.of([m.mirrored() for m in d.marks])
    a = [m for m in suggest(Case(d), params=ALL).ranking if m.muscle not in ONE_SIDED]
    b = [m for m in suggest(Case(mirrored), params=ALL).ranking if m.muscle not in ONE_SIDED]
    flip = {"right": "left", "left": "right", "both": "both"}
    assert [m.muscle for m in a] == [m.muscle for m in b]
    assert [flip[m.side] for m in a] == [m.side for m in b]
    for x, y in zip(a, b, strict=True):
        assert abs(x.logodds - y.logodds) < 1e-9


@settings(max_examples=30, deadline=None)
@given(items=marks, data=st.data())
def test_the_order_of_painted_regions_changes_nothing(items, data):
    d = drawing(items)
    shuffled = PainDrawing(tuple(data.draw(st.permutations(d.marks))))
    a, b = suggest(Case(d)), suggest(Case(shuffled))
    assert [(m.muscle, m.side) for m in a.ranking] == [(m.muscle, m.side) for m in b.ranking]
    assert a.unexplained == b.unexplained
