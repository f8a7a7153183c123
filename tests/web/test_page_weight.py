"""Page weight and caching (issue #18 item 2): the body-map pages stay small because the map is a static,
versioned, long-cached, pre-compressed file, and every static file they use is served the same way."""

from __future__ import annotations

import gzip
import html
import json
import re

import pytest

from taut.anatomy.drawing.geometry import load_view
from taut.web.app import GZIP_LEVEL
from taut.web.assets import IMMUTABLE, accepts_gzip, asset, asset_url, versioned_static
from taut.web.bodymap import PREFIX_TOKEN
from taut.web.conductor.view import picker_catalogue
from tests.web.conftest import Browser, WebWorld, signed_in
from tests.web.test_conductor import a_client, started
from tests.web.test_intake import new_client, record

RAW_LIMIT = 150_000
GZIP_LIMIT = 30_000
ASSET_URL = re.compile(r'(?:src|href|data-src)="(/assets/[^"]+)"')


def _pages(world: WebWorld, c: Browser) -> dict[str, str]:
    cid = new_client(world)
    iid = record(c, cid)
    return {
        "intake form": f"/clients/{cid}/intake/new",
        "saved intake": f"/clients/{cid}/intake/{iid}",
        "examination": f"/clients/{cid}/exam/new",
        "atlas muscle": "/atlas/muscles/upper_trapezius",
        "atlas condition": "/atlas/conditions/tension_type_headache",
        "conductor": f"/sessions/{started(world, a_client(world))}",
    }


def test_body_map_pages_are_small_raw_and_gzipped(web_world: WebWorld) -> None:
    c = signed_in(web_world.app, web_world.bob)
    for name, url in _pages(web_world, c).items():
        r = c.get(url)
        assert r.status_code == 200, (name, r.status_code)
        raw = len(r.content)
        packed = len(gzip.compress(r.content, compresslevel=GZIP_LEVEL))  # as the app sends it
        assert raw <= RAW_LIMIT, f"{name}: {raw:,} bytes"
        assert packed <= GZIP_LIMIT, f"{name}: {packed:,} bytes gzipped"
        assert 'class="region"' not in r.text, f"{name} still carries the drawing inline"
        assert '"catalogue"' not in r.text, f"{name} carries the catalogue inline"


def test_pages_point_at_versioned_files_that_are_cached_for_a_year(web_world: WebWorld) -> None:
    c = signed_in(web_world.app, web_world.bob)
    seen: set[str] = set()
    for url in _pages(web_world, c).values():
        text = c.get(url).text
        assert not re.search(r'(?:src|href)="/static/(?:css|js)/', text), url
        seen.update(ASSET_URL.findall(html.unescape(text)))
    kinds = {u.rsplit(".", 1)[1] for u in seen}
    assert {"css", "js", "svg"} <= kinds
    assert any("/assets/bodymap/" in u for u in seen) and any("/assets/atlas/" in u for u in seen)
    assert any("/assets/js/catalogue." in u for u in seen)
    anonymous = Browser(web_world.app, follow_redirects=False)  # public files: no sign-in, no cookie
    for url in sorted(seen):
        packed = anonymous.get(url, headers={"accept-encoding": "gzip"})
        assert packed.status_code == 200, url
        assert packed.headers["cache-control"] == IMMUTABLE
        assert packed.headers["content-encoding"] == "gzip" and packed.headers["vary"] == "Accept-Encoding"
        assert "set-cookie" not in packed.headers
        plain = anonymous.get(url, headers={"accept-encoding": "identity"})
        assert "content-encoding" not in plain.headers and plain.content == packed.content  # httpx unpacks
        assert int(plain.headers["content-length"]) == len(plain.content)
        assert int(packed.headers["content-length"]) < len(plain.content)
        again = anonymous.get(url, headers={"if-none-match": packed.headers["etag"]})
        assert again.status_code == 304 and again.content == b""


def test_a_file_of_another_version_or_name_is_not_found(web_world: WebWorld) -> None:
    c = Browser(web_world.app, follow_redirects=False)
    good = asset_url("css/taut.css")
    assert c.get(good).status_code == 200
    for bad in (
        good.replace(good.split(".")[-2], "0" * 12),
        "/assets/css/taut.css",
        "/assets/css/nothing.0123456789ab.css",
        "/assets/../app.0123456789ab.py",
        "/assets/atlas/muscle-nonsense-right.0123456789ab.svg",
        "/assets/bodymap/front-odd.0123456789ab.svg",
    ):
        r = c.get(bad)
        assert r.status_code == 404, bad
        assert r.headers["cache-control"] == "no-store"
    assert c.get("/static/css/taut.css").status_code == 200  # the plain address still answers


def test_the_view_files_hold_every_region_with_the_token_for_the_map_ids() -> None:
    for view in ("front", "back", "side"):
        shapes = load_view(view).shapes
        for kind, buttons in (("interactive", len(shapes)), ("picture", 0)):
            body = asset(f"bodymap/{view}-{kind}.svg").body.decode()
            assert body.startswith('<svg xmlns="http://www.w3.org/2000/svg"')
            assert body.count('class="region"') == len(shapes)
            assert body.count('role="button"') == buttons
            assert f'id="{PREFIX_TOKEN}{view}-' in body
            assert f'aria-labelledby="{PREFIX_TOKEN}{view}-caption"' in body


def test_the_catalogue_is_a_static_script_with_every_point() -> None:
    body = asset("js/catalogue.js").body.decode()
    m = re.search(r"window\.TautCatalogue = (\{.*\});\n$", body, re.S)
    assert m and json.loads(m.group(1)) == json.loads(json.dumps(picker_catalogue()))


def test_templates_name_static_files_by_version() -> None:
    source = "<link href=\"/static/css/taut.css\"><script src='/static/js/taut.js'></script>"
    out = versioned_static(source)
    assert asset_url("css/taut.css") in out and asset_url("js/taut.js") in out and "/static/" not in out
    assert versioned_static('<a href="/static/css/none.css">') == '<a href="/static/css/none.css">'
    assert versioned_static("text /static/css/taut.css") == "text /static/css/taut.css"  # not quoted: left


def test_accept_encoding_is_read_as_browsers_send_it() -> None:
    assert accepts_gzip("gzip, deflate, br") and accepts_gzip("br;q=1.0, gzip;q=0.8") and accepts_gzip("*")
    assert not accepts_gzip("") and not accepts_gzip("identity") and not accepts_gzip("gzip;q=0")
    assert not accepts_gzip("br, deflate")


def test_the_page_holds_a_sized_placeholder_per_view_naming_its_file() -> None:
    from taut.web.bodymap import bodymap_views

    markup = str(bodymap_views(("front", "side"), id_prefix="bm-x-", mode="pick"))
    slots = re.findall(
        r'<svg class="bm-pending" viewBox="([^"]+)"[^>]*data-src="([^"]+)" data-prefix="([^"]+)"', markup
    )
    assert [(box, src, prefix) for box, src, prefix in slots] == [
        (
            f"0 0 {load_view(v).width:g} {load_view(v).height:g}",
            asset_url(f"bodymap/{v}-interactive.svg"),
            "bm-x-",
        )
        for v in ("front", "side")
    ]
    assert 'id="bm-x-front-caption"' in markup and 'class="region"' not in markup
    assert asset_url("bodymap/back-picture.svg") in str(bodymap_views("back", id_prefix="bm-y-", mode="view"))
    for bad in ('bm-"x', "1bm", "bm x"):
        with pytest.raises(ValueError, match="id"):
            bodymap_views("front", id_prefix=bad)
