"""Logging in and out, the session cookie, CSRF, throttling, security headers; clients list, new client,
chart; role and clinic boundaries on these pages."""

from __future__ import annotations

from datetime import date

from taut.clinic import Client, Consent
from taut.services import clients
from taut.store import accounts as account_store
from tests.web.conftest import PASSWORD, Browser, WebWorld, signed_in


def test_pages_need_a_login_and_the_api_answers_401(web_world: WebWorld) -> None:
    c = signed_in(web_world.app, None)
    r = c.get("/clients?q=x")
    assert r.status_code == 303 and r.headers["location"] == "/login?next=/clients%3Fq%3Dx"
    assert c.get("/api/v1/clients").status_code == 401
    assert c.get("/api/v1/health").json()["status"] == "ok"


def test_the_one_trip_pages_ask_for_a_login_first(web_world: WebWorld) -> None:
    """The chart, intake and examination pages check the sign-in in the same trip as their work
    (web.deps.signed_in): without a session, or with one that ended, they send to the login page before their
    address is validated, as every other page does."""
    anonymous = signed_in(web_world.app, None)
    ended = signed_in(web_world.app, web_world.bob)
    ended.post("/logout", data={"csrf_token": ended.csrf})
    for c in (anonymous, ended):
        for path in ("/clients/1", "/clients/x", "/clients/1/intake/new", "/clients/1/exam/new?muscles=x"):
            r = c.get(path)
            assert r.status_code == 303 and r.headers["location"].startswith("/login?next="), (
                path,
                r.status_code,
            )
    bob = signed_in(web_world.app, web_world.bob)
    assert bob.get("/clients/x").status_code == 422


def test_login_sets_a_safe_cookie_and_logout_ends_it(web_world: WebWorld) -> None:
    c = signed_in(web_world.app, None)
    r = c.post(
        "/login",
        data={"email": "bob@a.example", "password": PASSWORD, "csrf_token": c.csrf, "next": "//evil.example"},
    )
    assert r.status_code == 303 and r.headers["location"] == "/clients"
    cookie = r.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie
    assert c.get("/clients").status_code == 200
    token = c.get("/api/v1/session").json()["csrf_token"]
    assert token != c.csrf  # a new token after login
    r = c.post("/logout", data={"csrf_token": token})
    assert r.status_code == 303
    assert c.get("/clients").status_code == 303


def test_https_requests_get_secure_cookies(web_world: WebWorld) -> None:
    c = Browser(web_world.app, base_url="https://testserver")
    page = c.get("/login")
    assert "Secure" in page.headers["set-cookie"]
    assert page.headers["strict-transport-security"].startswith("max-age=")


def test_wrong_password_and_throttling(web_world: WebWorld) -> None:
    c = signed_in(web_world.app, None)
    for _ in range(5):
        r = c.post(
            "/login", data={"email": "fran@a.example", "password": "nope-nope-nope", "csrf_token": c.csrf}
        )
        assert r.status_code == 401 and "Wrong e-mail or password" in r.text
    r = c.post("/login", data={"email": "fran@a.example", "password": PASSWORD, "csrf_token": c.csrf})
    assert r.status_code == 429 and "Try again in" in r.text
    with web_world.db.transaction() as conn:  # the count lives in the database, shared by every process
        account_store.clear_failures(conn, ("email:fran@a.example", "addr:testclient"))


def test_forms_and_api_calls_without_the_csrf_token_are_refused(web_world: WebWorld) -> None:
    c = signed_in(web_world.app, web_world.bob)
    r = c.post("/clients/new", data={"given_name": "X", "family_name": "Y", "date_of_birth": "1990-01-01"})
    assert r.status_code == 403 and "reload the page" in r.text
    body = {"given_name": "X", "family_name": "Y", "date_of_birth": "1990-01-01"}
    assert c.post("/api/v1/clients", json=body).status_code == 403
    assert c.post("/api/v1/clients", json=body, headers={"X-CSRF-Token": "wrong"}).status_code == 403
    assert c.post("/api/v1/clients", json=body, headers={"X-CSRF-Token": c.csrf}).status_code == 201
    r = c.post("/login", data={"email": "bob@a.example", "password": PASSWORD})
    assert r.status_code == 403


def test_security_headers_on_every_response(web_world: WebWorld) -> None:
    c = signed_in(web_world.app, None)
    for url in ("/login", "/api/v1/health", "/static/css/taut.css", "/nowhere"):
        h = c.get(url).headers
        assert "script-src 'self'" in h["content-security-policy"]
        assert "frame-ancestors 'none'" in h["content-security-policy"]
        assert h["x-content-type-options"] == "nosniff"
        assert h["x-frame-options"] == "DENY"
    assert c.get("/login").headers["cache-control"] == "no-store"


def test_new_client_search_and_chart(web_world: WebWorld) -> None:
    c = signed_in(web_world.app, web_world.bob)
    blank = c.get("/clients/new")
    assert (
        blank.status_code == 200
        and 'name="given_name"' in blank.text
        and 'name="consent_treatment" value="today"' in blank.text
    )
    form = {
        "given_name": "Hanna",
        "family_name": "Zwicky",
        "date_of_birth": "1979-02-03",
        "sex": "female",
        "consent_treatment": "today",
        "csrf_token": c.csrf,
    }
    r = c.post("/clients/new", data=form)
    assert r.status_code == 303 and r.headers["location"].endswith("/intake/new")
    cid = int(r.headers["location"].split("/")[2])
    listing = c.get("/clients", params={"q": "zwic"})
    assert "Zwicky, Hanna" in listing.text and "1 client" in listing.text
    assert "Zwicky" not in c.get("/clients", params={"q": "nobody-like-this"}).text
    chart = c.get(f"/clients/{cid}")
    assert chart.status_code == 200 and "Hanna Zwicky" in chart.text and "Timeline" in chart.text
    assert "Bob Brandt" in chart.text and "Log out" in chart.text  # the signed-in user in the top bar


def test_bad_client_form_is_shown_again_with_the_error_and_nothing_lost(web_world: WebWorld) -> None:
    c = signed_in(web_world.app, web_world.bob)
    r = c.post(
        "/clients/new",
        data={"given_name": "Ida", "family_name": "", "date_of_birth": "03/02/1990", "csrf_token": c.csrf},
    )
    assert r.status_code == 422
    assert 'value="Ida"' in r.text and "Family name</a>: is required" in r.text
    r = c.post(
        "/clients/new",
        data={"given_name": "Ida", "family_name": "Ott", "date_of_birth": "03/02/1990", "csrf_token": c.csrf},
    )
    assert r.status_code == 422 and "must be a date like" in r.text


def test_front_desk_sees_details_but_no_clinical_records(web_world: WebWorld) -> None:
    client = clients.register_client(
        web_world.db,
        web_world.bob,
        Client(given_name="Olga", family_name="Frontdesk", date_of_birth=date(1970, 1, 1), consent=Consent()),
    )
    c = signed_in(web_world.app, web_world.fran)
    page = c.get(f"/clients/{client.id}")
    assert (
        page.status_code == 200 and "visible to therapists only" in page.text and "Timeline" not in page.text
    )
    assert c.get(f"/api/v1/clients/{client.id}/chart").status_code == 403
    assert c.get(f"/api/v1/clients/{client.id}").status_code == 200


def test_another_clinics_client_is_not_found(web_world: WebWorld) -> None:
    client = clients.register_client(
        web_world.db,
        web_world.bob,
        Client(given_name="Pia", family_name="Private", date_of_birth=date(1980, 1, 1)),
    )
    c = signed_in(web_world.app, web_world.carol)
    for url in (
        f"/clients/{client.id}",
        f"/clients/{client.id}/edit",
        f"/api/v1/clients/{client.id}",
        f"/api/v1/clients/{client.id}/chart",
    ):
        assert c.get(url).status_code == 404, url
    assert "Private" not in c.get("/clients").text


def test_edit_client_with_optimistic_locking(web_world: WebWorld) -> None:
    client = clients.register_client(
        web_world.db,
        web_world.bob,
        Client(given_name="Rita", family_name="Rev", date_of_birth=date(1980, 1, 1)),
    )
    c = signed_in(web_world.app, web_world.bob)
    form = {
        "given_name": "Rita",
        "family_name": "Revised",
        "date_of_birth": "1980-01-01",
        "sex": "female",
        "version": "1",
        "csrf_token": c.csrf,
    }
    assert c.post(f"/clients/{client.id}/edit", data=form).status_code == 303
    r = c.post(f"/clients/{client.id}/edit", data={**form, "family_name": "Stale"})
    assert r.status_code == 409 and "changed by someone else" in r.text


def test_api_client_validation_names_the_field(web_world: WebWorld) -> None:
    c = signed_in(web_world.app, web_world.bob)
    r = c.post(
        "/api/v1/clients",
        json={"given_name": "A", "family_name": "B", "date_of_birth": "yesterday"},
        headers={"X-CSRF-Token": c.csrf},
    )
    assert r.status_code == 422 and r.json()["error"]["field"] == "date_of_birth"
    r = c.post(
        "/api/v1/clients",
        json={"given_name": "A", "family_name": "B", "date_of_birth": "1990-01-01", "sex": "x"},
        headers={"X-CSRF-Token": c.csrf},
    )
    assert r.status_code == 422 and r.json()["error"]["field"] == "client.sex"


def test_the_charts_suggestions_button_opens_the_latest_intake_by_date(web_world: WebWorld) -> None:
    """The intake with the later date is the latest even when it was entered first (lower id): the chart's
    Suggestions button opens the same intake whose red flags block a session."""
    from datetime import date

    from taut.services import clients, records
    from tests.records_factories import make_client, make_intake

    db, bob = web_world.db, web_world.bob
    client = clients.register_client(db, bob, make_client(family_name="Ordnung"))
    assert client.id is not None
    later = records.record_intake(db, bob, client.id, make_intake(recorded_on=date(2025, 3, 10)))
    earlier = records.record_intake(db, bob, client.id, make_intake(recorded_on=date(2025, 3, 1)))
    page = signed_in(web_world.app, bob).get(f"/clients/{client.id}").text
    assert f'href="/clients/{client.id}/intake/{later}">Suggestions' in page
    assert f'/intake/{earlier}">Suggestions' not in page
