"""The engine's answer for people: ``Suggestion.to_dict()`` plus names, reasons in words and, for each ranked
muscle, the referral zones to overlay on the body map. The suggestions page, the live panel of the intake
form and the JSON API all use this one form."""

from __future__ import annotations

from functools import cache
from typing import Any

from taut.anatomy.regions import body_map
from taut.clinic.naming import region_name as region_label
from taut.clinic.screening import LEVELS, level_words, refers
from taut.knowledge import knowledge
from taut.knowledge.screening import ANSWERS, safety_screen
from taut.reasoning.result import Flag, RankedMuscle, Suggestion
from taut.web.bodymap import overlay_zones, referral_zones
from taut.web.templating import muscle_name

ACTIONS = {
    "refer_urgently": "Refer urgently: same-day medical assessment",
    "refer_before_treatment": "Refer for medical assessment before any treatment",
    "lighten_pressure": "Use lighter pressure",
    "modify_position": "Change the client's position",
    "avoid_area": "Do not work over the area",
}

LEVEL_ORDER = tuple(LEVELS)

PRIOR = {
    "very_common": "very often harbours trigger points",
    "common": "often harbours trigger points",
    "occasional": "sometimes harbours trigger points",
    "rare": "rarely harbours trigger points",
}

SUPPORT_WORDS = (
    ("symptom", "the symptom", "the symptoms"),
    ("aggravator", "what makes it worse:", "what makes it worse:"),
    ("mechanism", "how it started:", "how it started:"),
)

SHOWN = 12  # ranked muscles listed on the page; the rest fold away


def action_words(action: str) -> str:
    return ACTIONS.get(action) or (action[:1].upper() + action[1:]).replace("_", " ")


def because_words(item: str) -> str:
    """A flag's reason: a vocabulary term, a fact like ``age 80``, or ``pain in <region ids>`` named."""
    if item.startswith("pain in "):
        bm = body_map()
        ids = [r.strip() for r in item[len("pain in ") :].split(",")]
        return "pain in " + ", ".join(bm.regions[r].name if r in bm.regions else r for r in ids)
    return item


def flag_view(f: Flag) -> dict[str, Any]:
    label, todo = level_words(f.level)
    return {
        **f.to_dict(),
        "action_text": action_words(f.action),
        "because_text": [because_words(b) for b in f.because],
        "level_label": label,
        "level_action": todo,
    }


def by_level(flags: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Flag views most urgent first (emergency, urgent, refer, caution), in their order within a level."""
    rank = {lv: i for i, lv in enumerate(LEVEL_ORDER)}
    return sorted(flags, key=lambda f: rank.get(f["level"], len(rank)))


@cache
def screen_json() -> dict[str, Any]:
    """The safety screen's questions by group, as the forms and the API show them."""
    screen = safety_screen()
    return {
        "answers": list(ANSWERS),
        "groups": [
            {
                "id": g.id,
                "name": g.name,
                "screens_for": g.screens_for,
                "questions": [{"id": q.id, "ask": q.ask, "means": list(q.yes)} for q in g.questions],
            }
            for g in screen.groups
        ],
    }


@cache
def _zones(muscle: str) -> dict[str, Any]:
    return referral_zones(muscle)


def zones_for(m: RankedMuscle) -> dict[str, list[str]]:
    """The overlay for a ranked muscle: the zones of its ranked trigger points on its side (both: either side)."""
    zones = _zones(m.muscle)
    side = m.side if m.side in ("right", "left") else "both"
    known = {t["id"] for t in zones["trigger_points"]}
    trps: list[str | None] = [t for t in m.trigger_points if t in known] or [None]
    out: dict[str, dict[str, None]] = {"essential": {}, "spillover": {}, "trps": {}}
    for t in trps:
        one = overlay_zones(zones, side, t)
        for kind in out:
            out[kind].update(dict.fromkeys(one[kind]))
    return {
        "essential": list(out["essential"]),
        "spillover": [k for k in out["spillover"] if k not in out["essential"]],
        "trps": list(out["trps"]),
    }


def _trp_title(trp_id: str) -> str:
    try:
        _, trp = knowledge().trigger_point(trp_id)
    except LookupError:
        return trp_id
    return str(trp.name)


def _join(items: list[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def _condition_reason(condition: str, muscle: str) -> str:
    """'Looks like carpal tunnel syndrome: a study found trigger points in this muscle in 34% of patients.'"""
    c = knowledge().condition(condition)
    step = next(s for s in c.examine if s.muscle == muscle)
    share = f"{round((step.prevalence or 0) * 100)}%"
    return f"Looks like {c.name[0].lower()}{c.name[1:]}: a study found trigger points in this muscle in {share} of patients."


def reasons(m: RankedMuscle, entrapments: list[dict[str, Any]]) -> list[str]:
    """Why the muscle is ranked, in sentences: the painted regions it explains (which zone of which trigger
    point), the symptoms, aggravators and mechanisms that fit it, entrapments, and what it does not explain."""
    out: list[str] = []
    by_zone: dict[tuple[str, str], list[str]] = {}
    for e in m.explains:
        by_zone.setdefault((e.trigger_point, e.zone), []).append(region_label(e.ref))
    for (trp, zone), regions in by_zone.items():
        out.append(f"Explains {_join(regions)}: {zone} zone of {_trp_title(trp)}.")
    for kind, one, many in SUPPORT_WORDS:
        terms = [s.term for s in m.support if s.kind == kind]
        if terms:
            out.append(f"Fits {one if len(terms) == 1 else many} {_join(terms)}.")
    for trap in entrapments:
        out.append(f"Can entrap the {trap['structure']}, which fits the {_join(trap['symptoms'])}.")
    for sup in m.support:
        if sup.kind == "condition":
            out.append(_condition_reason(sup.term, m.muscle))
    prior = next((s.term for s in m.support if s.kind == "prior"), None)
    if prior:
        out.append(f"This muscle {PRIOR.get(prior, prior.replace('_', ' '))}.")
    if m.missing_essential:
        missing = [region_label(k) for k in m.missing_essential]
        out.append(f"Not painted though in its main zone: {_join(missing)}.")
    return out


def suggestion_view(s: Suggestion) -> dict[str, Any]:
    """``s.to_dict()`` with, for people: flags' action in words, each ranked muscle's slug, display name,
    percent, reasons, painted regions it explains and its referral-zone overlay; region names throughout."""
    d = s.to_dict()
    # a red flag of level "caution" limits the session like a caution; it holds nothing
    d["red_flags"] = by_level([flag_view(f) for f in s.red_flags if refers(f.level)])
    d["cautions"] = [flag_view(f) for f in (*s.cautions, *(f for f in s.red_flags if not refers(f.level)))]
    kb = knowledge()
    for e in d["entrapments"]:
        e["name"] = muscle_name(e["muscle"])
        e["region_labels"] = [region_label(k) for k in e["regions"]]
    for item, m in zip(d["ranking"], s.ranking, strict=True):
        traps = [e for e in d["entrapments"] if e["muscle"] == m.muscle and e["side"] == m.side]
        item["slug"] = kb.muscle(m.muscle).slug
        item["name"] = muscle_name(m.muscle)
        item["percent"] = round(m.score * 100)
        item["explained_labels"] = list(dict.fromkeys(region_label(e.ref) for e in m.explains))
        item["missing_labels"] = [region_label(k) for k in m.missing_essential]
        item["reasons"] = reasons(m, traps)
        item["zones"] = zones_for(m)
    d["unexplained_labels"] = [region_label(k) for k in s.unexplained]
    d["exam_order_items"] = [
        {"muscle": n, "slug": kb.muscle(n).slug, "name": muscle_name(n)} for n in s.exam_order
    ]
    for c in d["cover"]:
        c["muscle_name"] = muscle_name(c["muscle"])
        c["region_labels"] = [region_label(k) for k in c["explains"]]
    return d


def exam_slugs(view: dict[str, Any], top: int = 5) -> list[str]:
    """The muscles to examine first: the examination order (or the top ranked), at most ``top``."""
    slugs = [e["slug"] for e in view["exam_order_items"]] or [r["slug"] for r in view["ranking"]]
    return list(dict.fromkeys(slugs))[:top]
