"""A fresh install in a real Chromium at laptop size (1366x768): the set-up page, sign-in, changing the
password, adding a colleague, and the colleague's first sign-in with the one-time password they must replace.
Screenshots (laptop and tablet) go to var/test-artifacts/e2e/."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from tests.browser.conftest import ARTIFACTS, serving

pytestmark = [pytest.mark.browser, pytest.mark.e2e]
FIRST = "tidal basin copper 42"
SECOND = "lantern quiet orchard 9"
THEIRS = "meadow pillow granite 5"


@pytest.fixture(scope="module")
def empty_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:

    from tests import migrated

    from taut.settings import Settings
    from taut.store import Database, make_engine
    from taut.web.app import create_app

    tmp = tmp_path_factory.mktemp("fresh")
    settings = Settings(
        database_path=tmp / "fresh.sqlite3",
        secret_key="fresh-secret-" + "k" * 40,
        secret_key_path=tmp / "key",
    )
    db = Database(make_engine(settings.url))
    migrated.upgrade(db.engine)  # what `taut serve` does first; no clinic, no user
    with serving(create_app(settings, db)) as url:
        yield url
    db.dispose()


def _shot(page: Any, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def _sign_in(page: Any, base: str, email: str, password: str) -> None:
    page.goto(f"{base}/login")
    page.fill("#f-email", email)
    page.fill("#f-password", password)
    page.click("button[type=submit]")


def _sign_out(page: Any) -> None:
    page.click("header form[action='/logout'] button")
    page.wait_for_url(re.compile(r".*/login\?out=1$"))


def test_fresh_install_to_a_colleague_signed_in(chromium: Any, empty_server: str) -> None:
    from playwright.sync_api import expect

    base = empty_server
    context = chromium.new_context(viewport={"width": 1366, "height": 768})
    page = context.new_page()
    try:
        page.goto(base)
        page.wait_for_url(f"{base}/setup")
        expect(page.get_by_role("heading", name="Set up your clinic")).to_be_visible()
        page.fill("#f-clinic", "Harbour NMT")
        page.fill("#f-timezone", "America/Vancouver")
        page.fill("#f-name", "Olga Ott")
        page.fill("#f-email", "olga@harbour.example")
        page.fill("#f-password", FIRST)
        page.fill("#f-password_again", FIRST)
        _shot(page, "accounts-setup-1366")
        page.click("button[type=submit]")
        page.wait_for_url(f"{base}/settings?welcome=1")
        expect(page.locator(".clinic-name")).to_have_text("Harbour NMT")
        _shot(page, "accounts-settings-1366")

        _sign_out(page)
        _sign_in(page, base, "olga@harbour.example", FIRST)
        page.wait_for_url(f"{base}/clients")

        page.goto(f"{base}/account/password")
        page.fill("#f-current_password", FIRST)
        page.fill("#f-new_password", SECOND)
        page.fill("#f-new_password_again", SECOND)
        page.click("main button[type=submit]")
        page.wait_for_url(f"{base}/account?saved=password")
        expect(page.get_by_role("status")).to_contain_text("Your password is changed")
        _shot(page, "accounts-account-1366")

        page.goto(f"{base}/team")
        page.fill("#f-name", "Tess Thal")
        page.fill("#f-email", "tess@harbour.example")
        page.select_option("#f-role", "therapist")
        page.click("text=Add colleague")
        one_time = page.locator("#one-time-password")
        expect(one_time).to_be_visible()
        password = one_time.inner_text().strip()
        _shot(page, "accounts-team-1366")
        page.set_viewport_size({"width": 820, "height": 1180})
        _shot(page, "accounts-team-tablet")
        page.set_viewport_size({"width": 1366, "height": 768})

        _sign_out(page)
        _sign_in(page, base, "tess@harbour.example", password)
        page.wait_for_url(f"{base}/account/password")
        expect(page.get_by_text("You signed in with a one-time password")).to_be_visible()
        page.fill("#f-current_password", password)
        page.fill("#f-new_password", THEIRS)
        page.fill("#f-new_password_again", THEIRS)
        page.click("main button[type=submit]")
        page.wait_for_url(f"{base}/account?saved=password")
        page.goto(f"{base}/clients")
        page.wait_for_url(f"{base}/clients")
        expect(page.locator("header .who")).to_contain_text("Tess Thal")
        expect(page.locator("nav a[href='/team']")).to_have_count(0)  # a therapist has no team page

        _sign_out(page)  # and the old password of the owner no longer works
        _sign_in(page, base, "olga@harbour.example", FIRST)
        expect(page.get_by_role("alert")).to_contain_text("Wrong e-mail or password")
    except Exception:
        _shot(page, "accounts-failure")
        raise
    finally:
        context.close()
