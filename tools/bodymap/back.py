"""The back view, cut into regions. Built on the x >= 0 half; x = 0 is the midline.

In the back view the x >= 0 half is the patient's RIGHT (the patient faces away from the viewer). The soles are
drawn beside the lower legs as the plantar surface, heel up, big toe towards the midline.
"""

from __future__ import annotations

from shapely.geometry import box
from shapely.ops import unary_union

from . import body
from .body import ANKLE_A, ARM, ELBOW_A, HAND, KNEE_A, LEG, WRIST_A
from .feet import Sole, back_foot
from .front import edge_strip
from .shapes import Partition, band, curve_poly, ellipse, poly, smooth

SOLE = Sole(origin=(95.0, 612.0), scale=1.08)


def silhouette():  # type: ignore[no-untyped-def]
    half = body.body_half(back_foot())
    crotch = unary_union([body.genital_bulge(), ellipse(0, 404, 7, 10)]).intersection(box(0, 0, 50, 500))
    return unary_union([half, crotch, SOLE.outline()])


def build() -> Partition:
    sil = silhouette()
    p = Partition(sil)
    head = unary_union([body.head(), body.ear()])

    # ---- head
    p.claim("head.ear", body.ear().difference(body.head().buffer(-0.5)), head)
    p.claim("head.mastoid", ellipse(32.5, 72, 5.5, 8.5, angle=-15), head)
    skull_base = [(0, 82), (12, 82), (24, 79), (31, 74.5)]
    p.claim("head.suboccipital", curve_poly(skull_base, [(38, 90), (20, 95), (0, 96)]))
    p.claim(
        "head.vertex",
        curve_poly([(0, -5), (50, -5), (50, 18)], [(33, 20.5), (24, 15.5), (12, 12.5), (0, 12)]),
        head,
    )
    p.claim("head.occiput", curve_poly([(0, 40), (14, 41), (25, 46), (31, 58), (33, 70)], [(0, 90)]), head)
    p.claim("head.parietal", box(0, -5, 60, 90), head)

    # ---- neck
    p.claim("neck.shoulder_angle", ellipse(24.5, 125.5, 11.5, 8.5, angle=22))
    p.claim("neck.posterior_upper", box(0, 80, 40, 109))
    p.claim("neck.posterior_lower", curve_poly([(0, 109), (40, 109)], [(40, 122), (17, 127), (0, 130)]))

    # ---- shoulder and scapula
    p.claim("shoulder.acromion", ellipse(77.5, 144, 7.5, 5.5, angle=28))
    scapula = smooth(
        [
            (29, 145),
            (34, 142.5),
            (55, 141),
            (70, 142),
            (73, 150),
            (66, 170),
            (56, 196),
            (47, 224),
            (42.5, 229),
            (39, 222),
            (35, 195),
            (32, 168),
        ]
    )
    spine = [(20, 162), (33, 160), (45, 154), (58, 148), (75, 141)]
    p.claim("back.scapula_superior_angle", ellipse(31.5, 148, 7.5, 7.5), scapula)
    p.claim("back.scapula_inferior_angle", ellipse(43, 225, 10, 10), scapula)
    p.claim("back.supraspinous", curve_poly([(20, 120), (80, 120)], spine[::-1]), scapula)
    medial_border = [(28, 150), (30.5, 175), (33.5, 198), (38.5, 222)]
    p.claim("back.scapula_medial_border", band(medial_border, 12.0), scapula)
    p.claim("back.infraspinous", scapula)
    p.claim("shoulder.top", poly([(9, 128), (9, 100), (90, 100), (90, 141), (71, 141), (50, 134), (20, 134)]))
    p.claim("shoulder.lateral", ARM.box(-12, 64, 0.42, 2.0, bow1=-4))
    deltoid_back = [(69, 141), (70, 160), (73.5, 180), (78, 195), (86, 203)]
    p.claim("shoulder.posterior", curve_poly(deltoid_back, [(110, 200), (110, 141)]))

    # ---- arm (seen from behind: the thumb side is still lateral)
    arm_zone = ARM.box(-20, WRIST_A + 8, -1.8, 3.0).difference(body.torso())
    p.claim("arm.upper_lateral", ARM.box(56, 122, 0.5, 2.0, bow0=-4), arm_zone)
    p.claim("arm.upper_medial", ARM.box(50, 122, -2.0, -0.5, bow0=-4), arm_zone)
    p.claim("arm.upper_posterior", ARM.box(40, 122, -0.5, 0.5, bow0=-4), arm_zone)
    p.claim("arm.elbow_posterior", ellipse(*ARM.point(ELBOW_A, -0.05), 8.5, 11), arm_zone)
    p.claim("arm.elbow_lateral", ARM.box(122, ELBOW_A + 17, 0.0, 2.0, bow0=2, bow1=3), arm_zone)
    p.claim("arm.elbow_medial", ARM.box(122, ELBOW_A + 17, -2.0, 0.0, bow0=2, bow1=3), arm_zone)
    p.claim("arm.forearm_radial", ARM.box(ELBOW_A + 17, WRIST_A - 13, 0.45, 2.0, bow0=3), arm_zone)
    p.claim("arm.forearm_ulnar", ARM.box(ELBOW_A + 17, WRIST_A - 13, -2.0, -0.45, bow0=3), arm_zone)
    p.claim("arm.forearm_dorsal", ARM.box(ELBOW_A + 17, WRIST_A - 13, -0.45, 0.45, bow0=3), arm_zone)
    palm = HAND.palm()
    wrist = ARM.box(WRIST_A - 13, WRIST_A + 6, -2.0, 2.0, bow1=2).difference(palm.buffer(-0.01))
    p.claim("arm.wrist_dorsal", wrist, arm_zone)
    for name, shape in HAND.fingers():
        p.claim(f"hand.{name}_dorsal", shape.difference(palm))
    p.claim(
        "hand.thumb_web", smooth(HAND.pts([(6, 26), (12, 17), (16.5, 24), (15.5, 40), (9, 41), (5.5, 34)]))
    )
    p.claim("hand.dorsum", palm.buffer(2))

    # ---- thoracic and lumbar back
    p.claim("back.interscapular", curve_poly([(8.5, 128), (30, 135)], [(38, 225), (8.5, 225)]))
    p.claim("back.upper_thoracic", box(0, 120, 8.5, 222))
    p.claim("chest.lateral", curve_poly([(62, 185), (100, 185)], [(100, 262), (52, 262), (50, 232)]))
    p.claim("back.mid_thoracic", curve_poly([(0, 222), (14, 222)], [(14, 272), (0, 272)]))
    p.claim("back.lower_ribs", box(14, 215, 90, 276))
    crest = [(18, 343), (32, 337), (48, 333), (62, 331), (72, 332)]
    p.claim("lowback.iliac_crest", band(crest, 9.0))
    p.claim("lowback.sacroiliac", ellipse(15.5, 358, 5.5, 8.5, angle=-15))
    p.claim("lowback.sacrum", curve_poly([(0, 339), (15, 341), (13, 352), (10, 370), (5, 386)], [(0, 388)]))
    p.claim("lowback.coccyx", curve_poly([(0, 386), (5, 386), (4, 393)], [(0, 397)]))
    p.claim("pelvis.anus", ellipse(0, 402, 3.5, 5))
    p.claim("pelvis.perineum", ellipse(0, 412, 10, 9))
    p.claim("hip.lateral", edge_strip(sil, 8.0, box(40, 339, 100, 402)))
    p.claim("lowback.flank", edge_strip(sil, 12, box(20, 272, 100, 339)))
    p.claim("lowback.lumbar", box(0, 268, 22, 350))
    p.claim("lowback.flank", box(0, 268, 100, 340))
    p.claim("hip.posterior", ellipse(56, 367, 8.5, 14, angle=-10))
    fold = [(2, 407), (15, 412.5), (30, 414), (45, 412), (60, 406), (72, 400)]
    p.claim(
        "hip.buttock_upper", curve_poly([(0, 330), (80, 330), (80, 372)], [(50, 380), (25, 384), (0, 381)])
    )
    p.claim("hip.buttock_lower", curve_poly([(0, 370), (80, 370)], fold[::-1]))

    # ---- leg
    below_fold = curve_poly(fold, [(120, 380), (120, 800), (0, 800)])
    p.claim("knee.posterior", ellipse(*LEG.point(KNEE_A - 3, -0.05), 12.5, 19))
    p.claim("thigh.lateral", LEG.box(0, KNEE_A - 28, 0.52, 2.2), below_fold)
    p.claim("thigh.medial", LEG.box(0, KNEE_A - 28, -2.2, -0.48), below_fold)
    p.claim("thigh.posterior", LEG.box(-10, KNEE_A - 28, -0.48, 0.52), below_fold)
    p.claim("knee.lateral", LEG.box(KNEE_A - 28, KNEE_A + 20, 0.3, 2.2))
    p.claim("knee.medial", LEG.box(KNEE_A - 28, KNEE_A + 20, -2.2, 0.3))
    p.claim("ankle.medial", ellipse(*LEG.point(ANKLE_A - 2, -0.95), 6.5, 8))
    p.claim("ankle.lateral", ellipse(*LEG.point(ANKLE_A + 4, 0.95), 6.2, 8))
    p.claim("leg.lateral", LEG.box(KNEE_A + 20, ANKLE_A - 14, 0.55, 2.2))
    p.claim("leg.medial", LEG.box(KNEE_A + 20, ANKLE_A - 14, -2.2, -0.55))
    p.claim("leg.calf_upper", LEG.box(KNEE_A + 20, 292, -0.55, 0.55, bow1=6))
    p.claim("leg.calf_lower", LEG.box(292, ANKLE_A - 30, -0.55, 0.55, bow0=6))
    p.claim("leg.achilles", LEG.box(ANKLE_A - 30, ANKLE_A + 8, -0.55, 0.55, bow1=2))
    p.claim("foot.heel", box(0, 600, 60, 800), back_foot().union(LEG.box(ANKLE_A - 20, ANKLE_A + 20, -2, 2)))

    # ---- the sole (plantar surface)
    sole = SOLE.outline()
    toes = SOLE.toes()
    ball = curve_poly(SOLE.pts([(-30, 68), (0, 70), (30, 64)]), SOLE.pts([(30, 110), (0, 110), (-30, 110)]))
    p.claim("foot.big_toe", toes[0].difference(SOLE.body()), sole)
    p.claim("foot.lesser_toes", unary_union(toes[1:]).difference(SOLE.body()), sole)
    p.claim("foot.heel_plantar", smooth(SOLE.pts([(-25, -5), (25, -5), (25, 27), (0, 30), (-25, 27)])), sole)
    p.claim("foot.ball", ball, sole)
    p.claim(
        "foot.lateral_border",
        curve_poly(SOLE.pts([(11, 27), (12, 45), (14, 66)]), SOLE.pts([(40, 66), (40, 27)])),
        sole,
    )
    p.claim("foot.arch", ellipse(*SOLE.p(-12, 48), 8.5, 19), sole)
    p.claim("foot.sole", sole)
    return p


# Side letters, in view coordinates (the view is 400 wide; the midline is x = 200).
LABELS: list[dict[str, object]] = [
    {"text": "L", "x": 40, "y": 80, "kind": "side", "side": "left"},
    {"text": "R", "x": 360, "y": 80, "kind": "side", "side": "right"},
    {"text": "R sole", "x": 295, "y": 768, "kind": "note", "side": "right"},
    {"text": "L sole", "x": 105, "y": 768, "kind": "note", "side": "left"},
]
