"""The atlas: searching the knowledge base, a page per muscle (its referral pattern on the body map and every
fact with its sources) and per condition. Knowledge only, no client data: any signed-in user may read it."""

from __future__ import annotations

import difflib
from functools import lru_cache
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import RedirectResponse, Response
from markupsafe import Markup

from taut.anatomy.regions import Side
from taut.clinic.naming import capital, citation_short
from taut.knowledge import KnowledgeBase, knowledge
from taut.knowledge.citations import cite, muscle_groups, source_keys, sourced_parts
from taut.web.atlas.facts import conditions_of, region_label
from taut.web.atlas.pictures import condition_label, muscle_label, picture_img
from taut.web.atlas.search import muscle_or_none, norm, search
from taut.web.deps import CurrentUser, check_csrf
from taut.web.templating import render, templates

router = APIRouter(dependencies=[Depends(check_csrf)])

SideParam = Annotated[Literal["right", "left"], Query()]


def _common(kb: KnowledgeBase) -> dict[str, Any]:
    return {
        "kb": kb,
        "cite": cite,
        "citation_short": lambda key, loc="": citation_short(key, loc, kb),
        "regions_text": lambda ids: ", ".join(region_label(r) for r in ids),
        "muscle_link": lambda n: muscle_or_none(kb, n),
    }


@router.get("/atlas", include_in_schema=False)
def atlas_index(
    request: Request, user: CurrentUser, q: Annotated[str, Query(max_length=200)] = ""
) -> Response:
    kb = knowledge()
    results = search(kb, q)
    return render(request, "atlas/index.html", {**_common(kb), "q": q, "results": results})


def suggestions(kb: KnowledgeBase, name: str) -> list[tuple[str, str]]:
    """Close spellings of a muscle or condition name, alias or id, and what a search for it finds, as
    (label, url); at most ten."""
    words: dict[str, tuple[str, str]] = {}
    for m in kb.muscles.values():
        for w in (m.name, m.slug, *m.aliases):
            words.setdefault(norm(w), (capital(m.name), f"/atlas/muscles/{m.slug}"))
    for c in kb.conditions.values():
        for w in (c.name, c.id, *c.aliases):
            words.setdefault(norm(w), (c.name, f"/atlas/conditions/{c.id}"))
    found = [words[w] for w in difflib.get_close_matches(norm(name), list(words), n=5, cutoff=0.6)]
    results = search(kb, name)
    if len(norm(name)) >= 2:
        found += [
            (capital(h.muscle.name), f"/atlas/muscles/{h.muscle.slug}")
            for _, hs in results.groups
            for h in hs
        ]
        found += [(c.name, f"/atlas/conditions/{c.id}") for c in results.conditions]
    return list(dict.fromkeys(found))[:10]


def _not_found(request: Request, kind: str, name: str, error: LookupError) -> Response:
    message = str(error.args[0]) if error.args else str(error)
    return render(
        request,
        "atlas/not_found.html",
        {"kind": kind, "name": name, "message": message, "suggestions": suggestions(knowledge(), name)},
        status_code=404,
    )


@router.get("/atlas/muscles/{slug}", include_in_schema=False)
def muscle_page(request: Request, user: CurrentUser, slug: str, side: SideParam = "right") -> Response:
    kb = knowledge()
    try:
        m = kb.muscle(slug)
    except LookupError as e:
        return _not_found(request, "muscle", slug, e)
    if slug != m.slug:  # an alias or a name: the page lives at the canonical slug
        query = f"?side={side}" if side != "right" else ""
        return RedirectResponse(f"/atlas/muscles/{m.slug}{query}", status_code=301)
    return render(request, "atlas/muscle.html", {"m": m, "main": _muscle_main(m.slug, side)})


@lru_cache(maxsize=1024)
def _muscle_main(slug: str, side: str) -> Markup:
    """A muscle's atlas page content: knowledge only (no user, clinic or client in it), the same for everyone,
    so rendered once per process and side."""
    kb = knowledge()
    m = kb.muscle(slug)
    drawn = Side(side)
    only = [tp for tp in m.trigger_points if tp.only_side is not None and tp.only_side != drawn.value]
    picture = picture_img(f"atlas/muscle-{m.slug}-{drawn.value}.svg", muscle_label(m.name, drawn.value))
    groups = muscle_groups(m)
    low = [(label, g) for label, g in sourced_parts(m) if g.confidence != "high"]
    context = {
        **_common(kb),
        "m": m,
        "side": drawn.value,
        "other_side": drawn.other.value,
        "picture": picture,
        "not_drawn": only,
        "sources": [(k, kb.sources.get(k)) for k in source_keys(groups)],
        "low_confidence": low,
        "conditions": conditions_of(kb, m),
        "techniques": [kb.techniques.get(t) for t in m.treatment.techniques],
        "technique_ids": m.treatment.techniques,
    }
    return Markup(templates().get_template("atlas/_muscle.html").render(context))


@router.get("/atlas/conditions/{condition_id}", include_in_schema=False)
def condition_page(request: Request, user: CurrentUser, condition_id: str) -> Response:
    kb = knowledge()
    try:
        c = kb.condition(condition_id)
    except LookupError as e:
        return _not_found(request, "condition", condition_id, e)
    if condition_id != c.id:
        return RedirectResponse(f"/atlas/conditions/{c.id}", status_code=301)
    return render(request, "atlas/condition.html", {"c": c, "main": _condition_main(c.id)})


@lru_cache(maxsize=1024)
def _condition_main(condition_id: str) -> Markup:
    """A condition's atlas page content: knowledge only, rendered once per process."""
    kb = knowledge()
    c = kb.condition(condition_id)
    steps = [(s, muscle_or_none(kb, s.muscle)) for s in c.examine]
    muscles = [m for _, m in steps if m is not None]
    picture = None
    if muscles:
        picture = picture_img(f"atlas/condition-{c.id}.svg", condition_label(c.name))
    context = {
        **_common(kb),
        "c": c,
        "steps": steps,
        "picture": picture,
        "red_flags": [(rid, kb.rules.get(rid)) for rid in c.red_flags],
        "sources": [(k, loc, kb.sources.get(k)) for k, loc in cite(c.sources)],
    }
    return Markup(templates().get_template("atlas/_condition.html").render(context))
