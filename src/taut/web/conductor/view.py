"""What the conductor page shows and hands to its script: points with their names and cautions, the
techniques with their hold ranges, every trigger point for the picker, the saved holds."""

from __future__ import annotations

import json
from functools import cache
from typing import Any

from taut.clinic.conductor import Caution, Point, default_technique
from taut.clinic.naming import muscle_name, side_name, trp_name
from taut.clinic.sessions import GOOD_PAIN_LIMIT, PRESSURE_LEVELS, Hold, TreatmentSession
from taut.knowledge import knowledge
from taut.web.conductor.page import SessionView

# The ischemic compression dose of the knowledge base (techniques.yaml): 10-30 s. Used for a technique
# without its own hold range.
DEFAULT_HOLD = (10, 30)


def caution_json(c: Caution, scope: str) -> dict[str, Any]:
    return {"title": c.title, "text": c.text, "lighter": c.lighter, "scope": scope}


def point_json(p: Point) -> dict[str, Any]:
    """A point with what the therapist needs at the table: names, where, techniques, the muscle's cautions."""
    info = trigger_point_info(p.trp_id)
    return {
        "key": p.key,
        "trp_id": p.trp_id,
        "side": side_name(p.side),
        "technique": p.technique,
        "source": p.source,
        **info,
    }


@cache
def trigger_point_info(trp_id: str) -> dict[str, Any]:
    kb = knowledge()
    try:
        muscle, tp = kb.trigger_point(trp_id)
    except LookupError:
        return {
            "muscle": muscle_name(trp_id.partition(".")[0]),
            "point": trp_name(trp_id),
            "location": "",
            "techniques": [],
            "cautions": [],
            "sides": ["right", "left"],
        }
    if tp.laterality == "midline":
        sides = [""]
    elif tp.only_side:
        sides = [tp.only_side]
    else:
        sides = ["right", "left"]
    return {
        "muscle": muscle_name(muscle.name),
        "point": tp.name,
        "location": tp.location,
        "techniques": list(muscle.treatment.techniques),
        "cautions": [
            {"title": muscle_name(muscle.name), "text": c, "lighter": False, "scope": "muscle"}
            for c in muscle.treatment.cautions
        ],
        "sides": sides,
    }


@cache
def techniques_json() -> dict[str, dict[str, Any]]:
    out = {}
    for t in knowledge().techniques.values():
        lo, hi = t.hold_seconds or DEFAULT_HOLD
        out[t.id] = {
            "name": t.name,
            "short": short_technique(t.name),
            "hold": [lo, hi],
            "own_range": t.hold_seconds is not None,
            "dose": t.dose,
            "cautions": list(t.cautions),
        }
    return out


def short_technique(name: str) -> str:
    """ "Ischemic compression (trigger-point pressure release)" -> "Ischemic compression"."""
    return name.split(" (")[0]


@cache
def trigger_point_choices() -> list[dict[str, Any]]:
    """Every trigger point of the knowledge base for the picker, grouped by body part then muscle."""
    kb = knowledge()
    rows = []
    for m in sorted(kb.muscles.values(), key=lambda m: (m.body_part, m.name)):
        for tp in m.trigger_points:
            rows.append(
                {
                    "trp_id": tp.id,
                    "label": f"{muscle_name(m.name)} – {tp.name}",
                    "body_part": m.body_part,
                    "technique": default_technique(tp.id),
                    "search": " ".join((m.name, *m.aliases, tp.name, m.body_part)).lower(),
                }
            )
    return rows


def hold_json(h: Hold, position: int) -> dict[str, Any]:
    return {
        "position": position,
        "trp_id": h.trp_id,
        "side": side_name(h.side),
        "technique": h.technique,
        "pressure": h.pressure,
        "seconds": h.seconds,
        "discomfort": h.discomfort,
        "pressure_change": h.pressure_change,
        "released": h.released,
        "past_good_pain": h.past_good_pain,
        "key": h.key,
    }


def session_json(client_id: int, s: TreatmentSession) -> dict[str, Any]:
    return {
        "id": s.id,
        "client_id": client_id,
        "status": s.status,
        "occurred_at": s.occurred_at.isoformat(),
        "ended_at": s.ended_at.isoformat() if s.ended_at else None,
        "practitioner_id": s.practitioner_id,
        "plan_id": s.plan_id,
        "pain_before": s.pain_before,
        "pain_after": s.pain_after,
        "notes": s.notes,
        "aftercare": s.aftercare,
        "holds": [hold_json(h, i) for i, h in enumerate(s.holds)],
        "warnings": list(s.warnings),
    }


def conductor_data(view: SessionView, csrf: str) -> dict[str, Any]:
    """Everything the conductor's script needs, as one JSON object on the page."""
    s = view.session
    assert s.id is not None and view.client.id is not None
    return {
        "session_id": s.id,
        "client_id": view.client.id,
        "csrf": csrf,
        "points": [point_json(p) for p in view.points],
        "points_from": view.points_from,
        "client_cautions": [caution_json(c, "client") for c in view.cautions],
        "lighter": any(c.lighter for c in view.cautions),
        "techniques": techniques_json(),
        "pressure_levels": {str(k): v for k, v in PRESSURE_LEVELS.items()},
        "holds": [hold_json(h, i) for i, h in enumerate(s.holds)],
        "good_pain_limit": GOOD_PAIN_LIMIT,
    }  # the catalogue of points (picker_catalogue) is the static file js/catalogue.js: catalogue_script


def catalogue_script() -> bytes:
    """``picker_catalogue`` as a static script (``window.TautCatalogue = {...};``) that the conductor page loads
    before its own script: a versioned, long-cached file (web/assets.py) instead of 100 KB inline on every page."""
    body = json.dumps(picker_catalogue(), separators=(",", ":"), ensure_ascii=False, sort_keys=True)
    return (
        "// The conductor's catalogue of trigger points (web/conductor/view.py).\nwindow.TautCatalogue = "
        + body
        + ";\n"
    ).encode()


@cache
def picker_catalogue() -> dict[str, dict[str, Any]]:
    """For a point added during the session: where it is, its sides and its muscle's cautions."""
    out = {}
    for c in trigger_point_choices():
        info = trigger_point_info(c["trp_id"])
        out[c["trp_id"]] = {
            "muscle": info["muscle"],
            "point": info["point"],
            "location": info["location"],
            "sides": info["sides"],
            "cautions": info["cautions"],
        }
    return out


def grouped_cautions(cautions: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Cautions with the same title (a muscle's several cautions) as one entry with its sentences in order."""
    out: list[dict[str, Any]] = []
    for c in cautions:
        if out and out[-1]["title"] == c["title"]:
            out[-1]["texts"].append(c["text"])
        else:
            out.append({"title": c["title"], "texts": [c["text"]], "scope": c["scope"]})
    return out
