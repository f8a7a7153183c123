"""The conductor's check-in page offers every declared field of the check-in (clinic/fields.py): an input per
field, every choice with its label, and what is sent is what the chart keeps. A field declared but left out of
the page's template fails here."""

from __future__ import annotations

import html

from taut.clinic.fields import CHECKIN_FIELDS
from taut.services import charts, sessions
from tests.web.conftest import WebWorld, signed_in
from tests.web.test_conductor import a_client, started


def test_the_checkin_page_offers_and_saves_every_declared_field(web_world: WebWorld) -> None:
    w = web_world
    cid = a_client(w)
    sid = started(w, cid)
    sessions.finish_session(w.db, w.bob, sid, pain_after=2)
    c = signed_in(w.app, w.bob)
    page = html.unescape(c.get(f"/sessions/{sid}/checkin").text)
    sent: dict[str, str] = {}
    for f in CHECKIN_FIELDS:
        assert f'name="{f.form_key}"' in page, f.name
        for code, label in f.choices:
            assert f'value="{code}"' in page and label in page, (f.name, code)
        assert f.low is None or f.kind == "choice" or f'value="{int(f.high or 0)}"' in page, f.name
        sent[f.form_key] = f.codes[-1] if f.kind == "choice" else str(int(f.high or 0))
    r = c.post(f"/sessions/{sid}/checkin", data={**sent, "csrf_token": c.csrf})
    assert r.status_code == 303, r.text
    saved = next(e.checkin for e in charts.load_chart(w.db, w.bob, cid).sessions if e.session.id == sid)
    assert saved is not None
    assert {f.form_key: str(getattr(saved, f.name)) for f in CHECKIN_FIELDS} == sent
