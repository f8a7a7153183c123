"""The knowledge base over HTTP: muscles (search, one whole record with its citations), conditions and the body
map regions. Knowledge only, no client data: any signed-in user may read it."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Query

from taut.anatomy.regions import body_map
from taut.knowledge import KnowledgeBase, knowledge
from taut.knowledge.citations import muscle_groups, source_keys
from taut.knowledge.model import Condition, Muscle
from taut.web.atlas.facts import region_label
from taut.web.atlas.search import muscle_or_none, search
from taut.web.deps import CurrentUser, check_csrf

router = APIRouter(tags=["knowledge"], dependencies=[Depends(check_csrf)])


def _unknown(error: LookupError) -> HTTPException:
    return HTTPException(404, str(error.args[0]) if error.args else str(error))


def muscle_summary(m: Muscle) -> dict[str, Any]:
    return {
        "name": m.name,
        "slug": m.slug,
        "body_part": m.body_part,
        "aliases": list(m.aliases),
        "involvement": m.involvement.frequency,
        "trigger_points": [tp.id for tp in m.trigger_points],
        "url": f"/atlas/muscles/{m.slug}",
    }


def muscle_json(kb: KnowledgeBase, m: Muscle) -> dict[str, Any]:
    data = m.as_json()
    data["slug"] = m.slug
    data["url"] = f"/atlas/muscles/{m.slug}"
    for tp in data["trigger_points"]:
        tp["essential_names"] = [region_label(r) for r in tp["essential"]]
        tp["spillover_names"] = [region_label(r) for r in tp["spillover"]]
    data["citations"] = {k: kb.sources[k].citation for k in source_keys(muscle_groups(m)) if k in kb.sources}
    return data


def condition_json(kb: KnowledgeBase, c: Condition) -> dict[str, Any]:
    data = c.as_json()
    data["url"] = f"/atlas/conditions/{c.id}"
    for step in data["examine"]:
        found = muscle_or_none(kb, step["muscle"])
        step["slug"] = found.slug if found is not None else None
    data["red_flags"] = [
        {"id": rid, "name": r.name, "kind": r.kind, "message": r.message, "action": r.action}
        if (r := kb.rules.get(rid)) is not None
        else {"id": rid}
        for rid in c.red_flags
    ]
    data["citations"] = {k: kb.sources[k].citation for k in source_keys([c]) if k in kb.sources}
    return data


@router.get("/muscles")
def list_muscles(user: CurrentUser, q: Annotated[str, Query(max_length=200)] = "") -> dict[str, Any]:
    """Muscles head to toe; with ``q``, those whose name or alias, body region (where a trigger point lies or
    refers pain), symptom or condition matches, each with the reasons it matched."""
    kb = knowledge()
    results = search(kb, q)
    items = [
        {**muscle_summary(h.muscle), "reasons": list(h.reasons)} for _, hits in results.groups for h in hits
    ]
    return {
        "query": q,
        "total": len(items),
        "items": items,
        "conditions": [{"id": c.id, "name": c.name} for c in results.conditions] if q else [],
        "regions": results.regions,
        "terms": results.terms,
    }


@router.get("/muscles/{slug}")
def get_muscle(slug: str, user: CurrentUser) -> dict[str, Any]:
    """One muscle's whole record (by slug, canonical name or alias) with the citations of its sources."""
    kb = knowledge()
    try:
        return muscle_json(kb, kb.muscle(slug))
    except LookupError as e:
        raise _unknown(e) from None


@router.get("/conditions")
def list_conditions(user: CurrentUser) -> list[dict[str, Any]]:
    kb = knowledge()
    return [
        {
            "id": c.id,
            "name": c.name,
            "aliases": list(c.aliases),
            "muscles": [s.muscle for s in c.examine],
            "red_flags": list(c.red_flags),
            "url": f"/atlas/conditions/{c.id}",
        }
        for c in kb.conditions.values()
    ]


@router.get("/conditions/{condition_id}")
def get_condition(condition_id: str, user: CurrentUser) -> dict[str, Any]:
    """One condition: muscles to examine in order, entrapment sites, red flags, differential, sources."""
    kb = knowledge()
    try:
        return condition_json(kb, kb.condition(condition_id))
    except LookupError as e:
        raise _unknown(e) from None


@router.get("/regions")
def list_regions(user: CurrentUser) -> dict[str, Any]:
    """The body map: every region with its name, whether it has a left and right, the views that draw it, its
    body part and area, and its codes (CHOIR body-map group, SNOMED CT body structure where known)."""
    bm = body_map()
    return {
        "regions": [
            {
                "id": r.id,
                "name": r.name,
                "sided": r.sided,
                "views": list(r.views),
                "part": r.part,
                "area": r.area,
                "choir_group": r.choir_group,
                "snomed": r.snomed,
                "snomed_broader": r.snomed_broader,
            }
            for r in bm
        ],
        "parts": [{"id": p.id, "name": p.name, "regions": list(p.regions)} for p in bm.parts.values()],
        "areas": [{"id": a.id, "name": a.name, "regions": list(a.regions)} for a in bm.areas.values()],
    }
