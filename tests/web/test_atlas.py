"""The atlas (search, muscle and condition pages with pictures and sources) and the knowledge API. Knowledge only:
every signed-in role may read it; nobody else."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest

from taut.clinic import User
from taut.knowledge import knowledge
from taut.web.atlas.search import search
from tests.web.conftest import Browser, WebWorld, signed_in

Login = Callable[[User], Browser]


@pytest.fixture(scope="module")
def login(web_world: WebWorld) -> Login:
    cache: dict[str, Browser] = {}

    def get(user: User) -> Browser:
        if user.email not in cache:
            cache[user.email] = signed_in(web_world.app, user)
        return cache[user.email]

    return get


def _names(html: str) -> list[str]:
    return re.findall(r'<span class="atlas-hit-name">([^<]+)</span>', html)


# --- search -------------------------------------------------------------------------------------------------------


def test_search_finds_by_name_alias_symptom_region_and_condition() -> None:
    kb = knowledge()

    def found(q: str) -> dict[str, list[str]]:
        return {h.muscle.name: h.reasons for _, hits in search(kb, q).groups for h in hits}

    assert found("upper trapezius")["upper trapezius"] == ["name"]
    assert "also called SCM" in found("scm")["sternocleidomastoid"]
    assert any(
        r.startswith("symptom: ") and "dizziness" in r for r in found("dizziness")["sternocleidomastoid"]
    )
    temple = found("temple")
    assert any(r.startswith("refers pain to Temple") for r in temple["temporalis"])
    assert "upper trapezius" in temple
    tennis = search(kb, "tennis elbow")
    assert [c.id for c in tennis.conditions] == ["lateral_epicondylalgia"]
    elbow = found("tennis elbow")
    assert elbow and all(any(r.startswith("examined in ") for r in why) for why in elbow.values())
    assert search(kb, "zzzz").total == 0
    everything = search(kb, "")
    assert everything.total == len(kb.muscles) and len(everything.conditions) == len(kb.conditions)


def test_results_are_grouped_by_body_part_head_to_toe() -> None:
    results = search(knowledge(), "headache")
    parts = [part for part, _ in results.groups]
    assert set(parts) >= {"head", "neck"} and len(parts) == len(set(parts))
    everything = [part for part, _ in search(knowledge(), "").groups]
    assert everything[:2] == ["head", "neck"] and everything[-1] == "foot"
    assert parts.index("head") < parts.index("neck")


def test_atlas_page_searches(web_world: WebWorld, login: Login) -> None:
    c = login(web_world.bob)
    page = c.get("/atlas")
    assert page.status_code == 200 and 'type="search"' in page.text and "Tension-type headache" in page.text
    assert len(_names(page.text)) == len(knowledge().muscles)
    scm = c.get("/atlas?q=SCM")
    assert _names(scm.text)[0] == "Sternocleidomastoid" and "also called SCM" in scm.text
    assert 'href="/atlas/muscles/sternocleidomastoid"' in scm.text
    tingling = c.get("/atlas?q=tingling")
    assert "Symptoms and history: " in tingling.text and len(_names(tingling.text)) > 3
    assert re.search(r'<h2 id="part-1">\w', tingling.text)
    none = c.get("/atlas?q=qwertyuiop")
    assert "No muscle matches" in none.text
    assert c.get("/atlas?q=" + "x" * 201).status_code == 422


# --- pages --------------------------------------------------------------------------------------------------------


def _picture(c: Any, html: str) -> str:
    """The page's picture: an <img> with its text alternative, whose SVG file (versioned, cached for a year)
    carries the same label."""
    img = re.search(r'<img class="figure-svg" src="(/assets/atlas/[^"]+\.svg)" alt="([^"]+)"', html)
    assert img, "no picture"
    r = c.get(img.group(1))
    assert r.status_code == 200 and r.headers["cache-control"] == "public, max-age=31536000, immutable"
    svg = re.search(r'<svg[^>]*class="figure-svg"[^>]*>.*?</svg>', r.text, re.S)
    assert svg and img.group(2) in svg.group(0), "the file is not the picture"
    return svg.group(0)


def test_muscle_page_has_picture_facts_and_sources(web_world: WebWorld, login: Login) -> None:
    c = login(web_world.bob)
    r = c.get("/atlas/muscles/upper_trapezius")
    assert r.status_code == 200
    html = r.text
    pic = _picture(c, html)
    assert (
        'role="img"' in pic and "<title" in pic and "patient&#x27;s right side" in pic.replace("'", "&#x27;")
    )
    assert (
        'fill="#c62828"' in pic and "url(#mp-hatch-0)" in pic and 'id="mp-hatch-0"' in pic
    )  # essential, spillover
    assert 'class="mark"' in pic  # the X on each trigger point
    for text in (
        "TrP1, anterior (vertical) fibres",
        "Essential zone",
        "Temple",
        "Spillover zone",
        "Aggravated by",
        "turning the head",
        "Satellite trigger points develop in",
        'href="/atlas/muscles/levator_scapulae"',
        'href="/atlas/conditions/tension_type_headache"',
        "Examination",
        "Pincer",
        "Ischemic compression",
        "Self-care",
        "confidence moderate",
    ):
        assert text in html, text
    assert 'id="src-simons1999"' in html and "Travell &amp; Simons" in html
    assert 'href="#src-simons1999"' in html
    left = c.get("/atlas/muscles/upper_trapezius?side=left")
    assert "patient&#39;s left side" in left.text or "patient's left side" in left.text
    assert c.get("/atlas/muscles/upper_trapezius?side=middle").status_code == 422


def test_aliases_redirect_to_the_muscle_page(web_world: WebWorld, login: Login) -> None:
    c = login(web_world.bob)
    r = c.get("/atlas/muscles/SCM")
    assert r.status_code == 301 and r.headers["location"] == "/atlas/muscles/sternocleidomastoid"
    r = c.get("/atlas/conditions/TTH")
    assert r.status_code == 301 and r.headers["location"] == "/atlas/conditions/tension_type_headache"


def test_unknown_muscle_is_404_with_a_helpful_message(web_world: WebWorld, login: Login) -> None:
    c = login(web_world.bob)
    r = c.get("/atlas/muscles/trapezious")
    assert r.status_code == 404
    assert "did you mean" in r.text and 'href="/atlas/muscles/upper_trapezius"' in r.text
    assert 'name="q" type="search" value="trapezious"' in r.text
    r = c.get("/atlas/conditions/tenis-elbow")
    assert r.status_code == 404 and 'href="/atlas/conditions/lateral_epicondylalgia"' in r.text


def test_condition_page_lists_muscles_red_flags_and_combined_zones(web_world: WebWorld, login: Login) -> None:
    c = login(web_world.bob)
    r = c.get("/atlas/conditions/tension_type_headache")
    assert r.status_code == 200
    html = r.text
    assert "Rule out first" in html and "Thunderclap headache" in html
    order = re.findall(r'<li><a href="/atlas/muscles/(\w+)">', html)
    assert order[:3] == ["suboccipitals", "upper_trapezius", "sternocleidomastoid"]
    assert html.count('class="figure-svg"') == 1 and 'fill="#c62828"' in _picture(c, html)
    assert "Differential" in html and 'id="src-simons1999"' in html


def test_every_role_may_read_the_atlas_and_nobody_else(web_world: WebWorld, login: Login) -> None:
    for user in (web_world.fran, web_world.carol):
        c = login(user)
        assert c.get("/atlas?q=neck").status_code == 200
        assert c.get("/atlas/muscles/masseter").status_code == 200
        assert c.get("/api/v1/muscles/masseter").status_code == 200
    anon = signed_in(web_world.app, None)
    r = anon.get("/atlas/muscles/masseter")
    assert r.status_code == 303 and r.headers["location"].startswith("/login?next=")
    assert anon.get("/api/v1/muscles").status_code == 401


# --- API ----------------------------------------------------------------------------------------------------------


def test_api_muscles(web_world: WebWorld, login: Login) -> None:
    c = login(web_world.bob)
    everything = c.get("/api/v1/muscles").json()
    assert everything["total"] == len(knowledge().muscles)
    found = c.get("/api/v1/muscles", params={"q": "scm"}).json()
    assert (
        found["items"][0]["slug"] == "sternocleidomastoid"
        and "also called SCM" in found["items"][0]["reasons"]
    )
    temple = c.get("/api/v1/muscles", params={"q": "temple"}).json()
    assert "Temple" in temple["regions"] and any(i["slug"] == "temporalis" for i in temple["items"])
    m = c.get("/api/v1/muscles/scm").json()
    assert m["name"] == "sternocleidomastoid" and m["url"] == "/atlas/muscles/sternocleidomastoid"
    assert m["trigger_points"][0]["essential_names"] and "simons1999" in m["citations"]
    r = c.get("/api/v1/muscles/trapezious")
    assert r.status_code == 404 and "did you mean" in r.json()["error"]["message"]


def test_api_conditions_and_regions(web_world: WebWorld, login: Login) -> None:
    c = login(web_world.bob)
    conditions = c.get("/api/v1/conditions").json()
    assert {x["id"] for x in conditions} == set(knowledge().conditions)
    one = c.get("/api/v1/conditions/tennis elbow").json()
    assert one["id"] == "lateral_epicondylalgia" and one["examine"][0]["slug"]
    tth = c.get("/api/v1/conditions/tension_type_headache").json()
    assert tth["red_flags"][0]["name"] and tth["red_flags"][0]["action"].startswith("refer")
    r = c.get("/api/v1/conditions/nonsense")
    assert r.status_code == 404 and "unknown condition" in r.json()["error"]["message"]
    regions = c.get("/api/v1/regions").json()
    temple = next(x for x in regions["regions"] if x["id"] == "head.temple")
    assert temple["name"] == "Temple" and temple["sided"] is True and "side" in temple["views"]
    assert any(p["name"] == "Neck" for p in regions["parts"])
