"""A hold's key through the API (issue 17.2): the same key is stored once and answers with the first copy;
two holds alike with different keys are two holds; a key that is not a UUID is refused with its field named."""

from __future__ import annotations

import uuid

from tests.web.conftest import WebWorld, signed_in
from tests.web.test_conductor import a_client, post_hold, started, with_plan


def test_the_same_key_is_stored_once_and_another_key_is_another_hold(web_world: WebWorld) -> None:
    w = web_world
    cid = a_client(w)
    sid = started(w, cid, with_plan(w, cid))
    c = signed_in(w.app, w.bob)
    key = str(uuid.uuid4())
    first = post_hold(c, sid, key=key)
    assert first.status_code == 201 and first.json()["hold"] | {"key": key} == first.json()["hold"]
    # A retry with a stale or missing position is still recognised by its key.
    for position in (None, 0, 5):
        again = post_hold(c, sid, key=key, position=position)
        assert again.status_code == 200 and again.json()["created"] is False
        assert again.json()["hold"]["position"] == 0
    # The same treatment repeated on purpose is a second hold.
    repeat = post_hold(c, sid, key=str(uuid.uuid4()))
    assert repeat.status_code == 201 and repeat.json()["hold"]["position"] == 1
    holds = c.get(f"/api/v1/sessions/{sid}").json()["holds"]
    assert [h["position"] for h in holds] == [0, 1] and holds[0]["key"] == key
    bad = post_hold(c, sid, key="hold-1")
    assert bad.status_code == 422 and "key" in bad.text
    assert len(c.get(f"/api/v1/sessions/{sid}").json()["holds"]) == 2


def test_the_conductor_queue_sends_each_hold_with_its_own_key(web_world: WebWorld) -> None:
    c = signed_in(web_world.app, web_world.bob)
    js = c.get("/static/js/conductor.js").text
    assert "body.key = q.key" in js and "key: newKey()" in js
