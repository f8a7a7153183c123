"""The front view, cut into regions. Built on the x >= 0 half; x = 0 is the midline.

In the front view the x >= 0 half is the patient's LEFT (the patient faces the viewer).
"""

from __future__ import annotations

from shapely.geometry import box
from shapely.ops import unary_union

from . import body
from .body import ANKLE_A, ARM, ELBOW_A, HAND, KNEE_A, LEG, WRIST_A
from .feet import front_foot, front_toes
from .shapes import Partition, band, curve_poly, ellipse, poly, smooth


def silhouette():  # type: ignore[no-untyped-def]
    half = body.body_half(front_foot())
    return unary_union([half, body.genital_bulge().intersection(box(0, 0, 50, 500))])


def edge_strip(sil, width: float, area):  # type: ignore[no-untyped-def]
    """The band of ``width`` just inside the outline, within ``area``."""
    return sil.difference(sil.buffer(-width)).intersection(area)


def build() -> Partition:
    sil = silhouette()
    p = Partition(sil)
    p.holes_ok.add("knee.peripatellar")
    head = unary_union([body.head(), body.ear()])

    # ---- head and face
    p.claim("head.ear", body.ear().difference(body.head().buffer(-0.5)), head)
    p.claim("head.orbit", ellipse(15.5, 50, 10.5, 6.8), head)
    p.claim(
        "head.eyebrow",
        curve_poly(
            [(4.5, 40.0), (11, 36), (19, 35.5), (28, 39)], [(28, 43.5), (19, 42.6), (11, 43), (4.5, 44.5)]
        ),
        head,
    )
    p.claim(
        "head.nose_side", curve_poly([(0, 41), (4, 42), (5.5, 55), (9.5, 66.5), (8.5, 72.5)], [(0, 73)]), head
    )
    p.claim("head.chin", ellipse(0, 96, 12.5, 9.5), head)
    p.claim("head.jaw_angle", ellipse(30.5, 82.5, 6.2, 8.5, angle=-30), head)
    p.claim(
        "head.maxilla",
        curve_poly([(0, 73), (8.5, 72.5), (15, 72.5), (22, 76.5)], [(21.5, 83), (12, 83.5), (0, 82.5)]),
        head,
    )
    p.claim(
        "head.mandible",
        curve_poly([(0, 82.5), (12, 83.5), (21.5, 83), (28, 80), (34, 76)], [(45, 95), (20, 110), (0, 110)]),
        head,
    )
    p.claim(
        "head.cheek",
        curve_poly(
            [(4, 53), (16, 57), (27, 55), (36, 53.5)], [(45, 56), (45, 76), (30, 78), (22, 76.5), (9.5, 68)]
        ),
        head,
    )
    p.claim("head.temple", curve_poly([(26, 17), (29.5, 30), (29, 44), (34, 56)], [(50, 56), (50, 17)]), head)
    p.claim(
        "head.vertex",
        curve_poly([(0, -5), (50, -5), (50, 18)], [(33, 20.5), (24, 15.5), (12, 12.5), (0, 12)]),
        head,
    )
    p.claim("head.forehead", box(0, -5, 50, 47), head)
    p.claim("head.cheek", box(0, 0, 60, 110), head)

    # ---- neck
    neck_zone = box(0, 60, 30, 140)
    p.claim("neck.throat", poly([(0, 80), (7, 80), (7.5, 133), (0, 134)]), neck_zone)
    p.claim("neck.anterior", poly([(7, 80), (14.5, 80), (16, 118), (9, 133), (7.5, 133)]), neck_zone)
    p.claim(
        "neck.lateral", poly([(14.5, 80), (30, 80), (30, 112), (22.5, 119), (16, 125), (9, 133)]), neck_zone
    )

    # ---- shoulder and chest
    clav = [(7.5, 132.5), (20, 134.5), (35, 135.5), (50, 136.2), (62, 137.5), (71, 141)]
    p.claim("chest.clavicle", band(clav, 5.5))
    p.claim("shoulder.acromion", ellipse(77.5, 144, 7.5, 5.5, angle=28))
    p.claim("shoulder.top", poly([(9, 128), (9, 100), (90, 100), (90, 141), (71, 141), (50, 134), (20, 132)]))
    p.claim("shoulder.axilla", ellipse(71.5, 199, 7.5, 8.5, angle=-10))
    p.claim("shoulder.lateral", ARM.box(-12, 64, 0.42, 2.0, bow1=-4))
    deltopectoral = [(66, 141), (68.5, 160), (72.5, 180), (78, 195), (86, 203)]
    p.claim("shoulder.anterior", curve_poly(deltopectoral, [(110, 200), (110, 141)]))
    # ---- arm (palms forward: the thumb side is lateral)
    arm_zone = ARM.box(-20, WRIST_A + 8, -1.8, 3.0).difference(body.torso())
    p.claim("arm.upper_lateral", ARM.box(56, 122, 0.5, 2.0, bow0=-4), arm_zone)
    p.claim("arm.upper_medial", ARM.box(50, 122, -2.0, -0.5, bow0=-4), arm_zone)
    p.claim("arm.upper_anterior", ARM.box(40, 122, -0.5, 0.5, bow0=-4), arm_zone)
    p.claim("arm.elbow_lateral", ARM.box(122, ELBOW_A + 17, 0.45, 2.0, bow0=2, bow1=3), arm_zone)
    p.claim("arm.elbow_medial", ARM.box(122, ELBOW_A + 17, -2.0, -0.45, bow0=2, bow1=3), arm_zone)
    p.claim("arm.elbow_anterior", ARM.box(122, ELBOW_A + 17, -0.45, 0.45, bow0=2, bow1=3), arm_zone)
    p.claim("arm.forearm_radial", ARM.box(ELBOW_A + 17, WRIST_A - 13, 0.45, 2.0, bow0=3), arm_zone)
    p.claim("arm.forearm_ulnar", ARM.box(ELBOW_A + 17, WRIST_A - 13, -2.0, -0.45, bow0=3), arm_zone)
    p.claim("arm.forearm_volar", ARM.box(ELBOW_A + 17, WRIST_A - 13, -0.45, 0.45, bow0=3), arm_zone)
    palm = HAND.palm()
    p.claim(
        "arm.wrist_volar",
        ARM.box(WRIST_A - 13, WRIST_A + 6, -2.0, 2.0, bow1=2).difference(palm.buffer(-0.01)),
        arm_zone,
    )
    for name, shape in HAND.fingers():
        p.claim(f"hand.{name}_palmar", shape.difference(palm))
    p.claim("hand.thenar", smooth(HAND.pts([(2, 4), (11, 2), (16, 14), (14, 28), (6, 28), (1.5, 16)])))
    p.claim("hand.palm", palm.buffer(2))

    # ---- chest
    p.claim("chest.sternum", curve_poly([(0, 130), (7.5, 133), (7, 150), (6.8, 226), (4, 248), (0, 253)]))
    p.claim(
        "chest.infraclavicular", curve_poly([(0, 132), (70, 138)], [(68, 155), (40, 157), (8, 154), (0, 154)])
    )
    p.claim("chest.breast", ellipse(36.5, 208, 20.5, 17.5, angle=8))
    p.claim("chest.lateral", edge_strip(sil, 8.5, box(50, 195, 100, 262)))
    p.claim("chest.pectoral", box(0, 130, 75, 222))
    p.claim("chest.lower", curve_poly([(0, 222), (62, 222), (62, 258)], [(40, 262), (20, 258), (0, 256)]))

    # ---- abdomen, flank, hip and groin
    inguinal = [(6, 392), (20, 381), (35, 369), (50, 352), (60, 340)]
    p.claim("pelvis.genitals", ellipse(0, 386, 7.2, 9.5))
    p.claim("pelvis.testicle", ellipse(5.2, 399.5, 5.4, 7.2, angle=-12))
    p.claim("lowback.flank", edge_strip(sil, 7.5, box(40, 262, 100, 336)))
    p.claim("hip.lateral", edge_strip(sil, 8.0, box(40, 336, 100, 402)))
    p.claim("pelvis.groin", band(inguinal, 10.0))
    p.claim("abdomen.umbilical", ellipse(0, 306, 12.5, 13.5))
    p.claim("pelvis.suprapubic", curve_poly([(0, 359), (14, 359), (16, 373), (9, 384)], [(0, 384)]))
    p.claim(
        "hip.anterior",
        curve_poly([(40, 350), (58, 330), (75, 335)], [(75, 405), (56, 396), (44, 383), (37, 372)]),
    )
    p.claim(
        "abdomen.lateral", curve_poly([(36, 258), (70, 258)], [(70, 345), (45, 355), (40, 340), (38, 300)])
    )
    p.claim("abdomen.upper", box(0, 250, 60, 306))
    p.claim("abdomen.lower", curve_poly([(0, 300), (60, 300), (60, 345)], [(40, 365), (20, 380), (0, 390)]))

    # ---- leg
    below_groin = curve_poly(inguinal, [(120, 340), (120, 800), (0, 800)])
    p.claim("knee.patella", ellipse(*LEG.point(KNEE_A - 13, 0.05), 9.3, 12.2))
    p.claim("knee.peripatellar", ellipse(*LEG.point(KNEE_A - 11, 0.04), 15.5, 21.5))
    p.claim("thigh.lateral", LEG.box(0, KNEE_A - 30, 0.52, 2.2), below_groin)
    p.claim("thigh.medial", LEG.box(0, KNEE_A - 30, -2.2, -0.48), below_groin)
    p.claim("thigh.anterior", LEG.box(-10, KNEE_A - 30, -0.48, 0.52), below_groin)
    p.claim("knee.lateral", LEG.box(KNEE_A - 30, KNEE_A + 20, 0.5, 2.2))
    p.claim("knee.medial", LEG.box(KNEE_A - 30, KNEE_A + 20, -2.2, -0.5))
    p.claim("knee.peripatellar", LEG.box(KNEE_A - 30, KNEE_A + 20, -0.5, 0.5))
    p.claim("ankle.medial", ellipse(*LEG.point(ANKLE_A - 2, -0.95), 6.5, 8))
    p.claim("ankle.lateral", ellipse(*LEG.point(ANKLE_A + 4, 0.95), 6.2, 8))
    p.claim("leg.lateral", LEG.box(KNEE_A + 20, ANKLE_A - 12, 0.35, 2.2))
    p.claim("leg.medial", LEG.box(KNEE_A + 20, ANKLE_A - 12, -2.2, -0.45))
    p.claim("leg.shin", LEG.box(KNEE_A + 20, ANKLE_A - 12, -0.45, 0.35))
    p.claim("ankle.anterior", LEG.box(ANKLE_A - 12, ANKLE_A + 10, -2.2, 2.2, bow1=2))
    toes = front_toes()
    p.claim("foot.big_toe", toes[0].intersection(box(0, 756, 100, 800)))
    p.claim("foot.lesser_toes", unary_union(toes[1:]).intersection(box(0, 757, 100, 800)))
    p.claim("foot.lateral_border", edge_strip(sil, 6.5, box(44, 738, 70, 800)))
    p.claim("foot.dorsum", box(0, 700, 100, 800))
    return p


# Side letters, in view coordinates (the view is 400 wide; the midline is x = 200).
LABELS: list[dict[str, object]] = [
    {"text": "R", "x": 40, "y": 80, "kind": "side", "side": "right"},
    {"text": "L", "x": 360, "y": 80, "kind": "side", "side": "left"},
]
