"""Golden-file rankings for classic presentations. A change to the knowledge base or the model that moves any
of these shows up as a diff to review: run with TAUT_UPDATE_GOLDEN=1 to rewrite them (the run fails when one changed), and read the diff."""

import json
from pathlib import Path

import pytest
from tests.golden import golden

from taut.anatomy.pain import drawing_from_specs
from taut.reasoning.case import Case, canonical_terms
from taut.reasoning.engine import suggest

GOLDEN = Path(__file__).with_name("golden")

PRESENTATIONS = {
    "tension_type_headache": (
        ["forehead:both:5", "temple:both:5", "back of head:both:4", "base of skull:both:4"],
        ["pressing", "headache", "desk work", "emotional stress"],
        {"suboccipitals", "upper trapezius", "sternocleidomastoid", "temporalis", "semispinalis capitis"},
    ),
    "tennis_elbow": (
        ["outer elbow:right:7", "back of forearm:right:4"],
        ["gripping", "repetitive strain"],
        {"extensor carpi radialis brevis", "extensor carpi radialis longus", "supinator", "brachioradialis"},
    ),
    "plantar_heel_pain": (
        ["bottom of heel:left:7", "arch:left:3"],
        ["first steps in the morning", "walking"],
        {"soleus", "quadratus plantae", "gastrocnemius", "abductor hallucis"},
    ),
    "pseudo_sciatica": (
        ["buttock:right:5", "back of thigh:right:5", "calf:right:4"],
        ["prolonged sitting"],
        {"gluteus minimus", "piriformis"},
    ),
    "anterior_shoulder": (
        ["front of shoulder:right:7", "front of upper arm:right:4"],
        ["reaching behind the back", "night pain"],
        {"infraspinatus", "deltoid", "biceps brachii"},
    ),
    "jaw_pain": (
        ["jaw joint:left:6", "cheek:left:4", "ear:left:3"],
        ["chewing", "jaw clicking"],
        {"lateral pterygoid", "masseter"},
    ),
}


def answer(specs, terms):
    s = suggest(Case(drawing_from_specs(specs), canonical_terms(terms)))
    return {
        "top5": [[m.muscle, m.side] for m in s.ranking[:5]],
        "cover": [[c.muscle, c.side, c.trigger_point] for c in s.cover],
        "red_flags": [f.code for f in s.red_flags],
    }


@pytest.mark.parametrize("name", sorted(PRESENTATIONS))
def test_classic_presentation(name):
    specs, terms, plausible = PRESENTATIONS[name]
    got = answer(specs, terms)
    # Clinically: the first suggestion is one of the muscles the literature names for this picture.
    assert got["top5"][0][0] in plausible, got["top5"]
    expected = json.loads(golden(GOLDEN / f"{name}.json", json.dumps(got, indent=1) + "\n"))
    assert got == expected, f"ranking changed for {name}; review and update the golden file"
