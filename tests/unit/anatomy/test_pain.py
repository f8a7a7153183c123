import pytest

from taut.anatomy.pain import PainDrawing, PainDrawingError, PainMark, drawing_from_specs, parse_spec
from taut.anatomy.regions import RegionRef, Side


def test_spec_with_side_intensity_and_qualities():
    marks = parse_spec("outer elbow:left:7:sharp,burning")
    assert marks == [PainMark(RegionRef("arm.elbow_lateral", Side.LEFT), 7, ("sharp", "burning"))]


def test_both_sides_and_midline():
    d = drawing_from_specs(["back of neck:both:5", "top of head:3"])
    assert len(d) == 5
    assert PainMark(RegionRef("head.vertex"), 3) in d.marks


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("temple:right:11", "0-10"),
        ("temple", "needs a side"),
        ("top of head:left", "midline"),
        ("tempel:right", "did you mean"),
        ("temple:right:6:stabby", "cannot read"),
        (":right", "region is missing"),
    ],
)
def test_bad_specs_say_what_is_wrong(spec, message):
    with pytest.raises(PainDrawingError, match=message):
        parse_spec(spec)


def test_empty_drawing_is_an_error():
    with pytest.raises(PainDrawingError, match="empty"):
        drawing_from_specs([])


def test_marks_validate_side_presence():
    with pytest.raises(PainDrawingError, match="side"):
        PainMark(RegionRef("head.temple"))
    with pytest.raises(PainDrawingError, match="midline"):
        PainMark(RegionRef("head.vertex", Side.LEFT))
    with pytest.raises(PainDrawingError, match="unknown region"):
        PainMark(RegionRef("head.nowhere", Side.LEFT))


def test_repeated_region_keeps_highest_intensity_and_round_trips():
    d = PainDrawing.of(parse_spec("temple:right:3") + parse_spec("temple:right:6:aching"))
    assert len(d) == 1 and d.marks[0].intensity == 6 and d.marks[0].qualities == ("aching",)
    assert PainDrawing.from_list(d.to_list()) == d


def test_from_list_rejects_bad_side():
    with pytest.raises(PainDrawingError, match="side must be left or right"):
        PainDrawing.from_list([{"region": "head.temple", "side": "up"}])
