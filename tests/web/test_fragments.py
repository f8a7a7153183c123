"""The blank fragments of the form pages (``templating.fragment``): the examination's trigger-point tables and
range-of-motion rows, the intake's safety questions and symptom lists, the body map's region names, the
conductor's picker of every trigger point. Each page
is the same, byte for byte, whether its blank fragments come from the per-process store or are rendered in
place; the store holds nothing of a client; a form with something typed in (or an error) is rendered in
place, with what was typed."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from taut.services import clients, records, sessions
from taut.web import templating
from tests.records_factories import make_client, make_intake
from tests.web.conftest import WebWorld, signed_in


@pytest.fixture
def fragments_on() -> Iterator[None]:
    templating._BLANK.clear()
    yield
    templating.BLANK_FRAGMENTS = True


def _pages(w: WebWorld) -> tuple[list[str], str]:
    c = clients.register_client(w.db, w.bob, make_client(given_name="Zelda", family_name="Quintero-Fragment"))
    assert c.id is not None
    records.record_intake(w.db, w.bob, c.id, make_intake())  # the examination suggests muscles from it
    sid = sessions.start_session(w.db, w.bob, c.id, pain_before=5)
    paths = [
        f"/clients/{c.id}/intake/new",
        f"/clients/{c.id}/exam/new",
        f"/clients/{c.id}/exam/new?muscles=upper_trapezius,levator_scapulae",
        f"/sessions/{sid}",
    ]
    return paths, c.full_name


def test_blank_fragments_change_nothing_on_the_page(web_world: WebWorld, fragments_on: None) -> None:
    paths, name = _pages(web_world)
    browser = signed_in(web_world.app, web_world.bob)
    for path in paths:
        templating.BLANK_FRAGMENTS = False
        in_place = browser.get(path)
        templating.BLANK_FRAGMENTS = True
        first = browser.get(path)  # rendered into the store
        again = browser.get(path)  # from the store
        assert in_place.status_code == first.status_code == again.status_code == 200, path
        assert first.text == in_place.text and again.text == in_place.text, path
        assert name in again.text
    assert templating._BLANK, "the form pages keep their blank fragments"
    kept = "".join(templating._BLANK.values())
    assert "Quintero-Fragment" not in kept and "csrf" not in kept


def test_a_form_with_answers_is_rendered_with_them(web_world: WebWorld, fragments_on: None) -> None:
    paths, _ = _pages(web_world)
    browser = signed_in(web_world.app, web_world.bob)
    exam = paths[2]
    assert browser.get(exam).status_code == 200  # the blank tables are in the store now
    form = {
        "csrf_token": browser.csrf,
        "muscles": "upper_trapezius",
        "assessed_on": "2025-03-03",
        "trp:upper_trapezius.trp1:right:status": "active",
        "trp:upper_trapezius.trp1:right:tenderness": "11",  # out of range: the form comes back with it
        "rom:0:movement": "cervical_rotation",
        "rom:0:degrees": "400",
    }
    r = browser.post(paths[1].split("?")[0], data=form)
    assert r.status_code == 422
    assert 'value="active" selected' in r.text
    assert 'name="trp:upper_trapezius.trp1:right:tenderness" value="11"' in r.text
    assert 'aria-invalid="true"' in r.text
