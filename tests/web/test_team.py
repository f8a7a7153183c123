"""The owner's team page: the clinic's users, and adding one with a first password shown once."""

from __future__ import annotations

import re

from tests.web.conftest import WebWorld, signed_in


def test_the_owner_adds_a_therapist_who_can_then_log_in(web_world: WebWorld) -> None:
    alice = signed_in(web_world.app, web_world.alice)
    page = alice.get("/team")
    assert page.status_code == 200 and "bob@a.example" in page.text and "carol@b.example" not in page.text
    assert 'href="/team"' in page.text  # in the top bar, for owners
    r = alice.post(
        "/team",
        data={"csrf_token": alice.csrf, "name": "Theo Neu", "email": "theo@a.example", "role": "therapist"},
    )
    assert r.status_code == 200 and "theo@a.example" in r.text
    password = re.search(r'<code class="once" id="one-time-password">([^<]+)</code>', r.text)
    assert password
    theo = signed_in(web_world.app, None)
    login = theo.post(
        "/login", data={"email": "theo@a.example", "password": password.group(1), "csrf_token": theo.csrf}
    )
    # A one-time password: the first thing Theo does is choose his own.
    assert login.status_code == 303 and login.headers["location"] == "/account/password"
    assert theo.get("/clients").headers["location"] == "/account/password"
    csrf = theo.get("/api/v1/session").json()["csrf_token"]
    new = {"current_password": password.group(1), "new_password": "quiet harbour lantern 7"}
    r = theo.post(
        "/account/password", data={**new, "new_password_again": new["new_password"], "csrf_token": csrf}
    )
    assert r.status_code == 303 and theo.get("/clients").status_code == 200


def test_bad_or_duplicate_users_are_refused_with_the_form_kept(web_world: WebWorld) -> None:
    alice = signed_in(web_world.app, web_world.alice)
    r = alice.post(
        "/team",
        data={"csrf_token": alice.csrf, "name": "Bob Again", "email": "bob@a.example", "role": "therapist"},
    )
    assert r.status_code == 422 and "already used" in r.text and 'value="Bob Again"' in r.text
    r = alice.post(
        "/team", data={"csrf_token": alice.csrf, "name": "X", "email": "not-an-email", "role": "therapist"}
    )
    assert r.status_code == 422 and "must be an e-mail address" in r.text and 'value="X"' in r.text
    r = alice.post(
        "/team", data={"csrf_token": alice.csrf, "name": "X", "email": "x@a.example", "role": "admin"}
    )
    assert r.status_code == 422 and "choose owner" in r.text


def test_only_owners_manage_the_team(web_world: WebWorld) -> None:
    for user in (web_world.bob, web_world.fran):
        c = signed_in(web_world.app, user)
        assert c.get("/team").status_code == 403
        assert 'href="/team"' not in c.get("/clients").text
        r = c.post("/team", data={"csrf_token": c.csrf, "name": "Y", "email": "y@a.example", "role": "owner"})
        assert r.status_code == 403
