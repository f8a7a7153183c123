"""The browser harness itself: a failing test leaves a screenshot of every page it had open."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from tests.browser import conftest

pytestmark = pytest.mark.browser


def test_open_pages_are_saved_as_screenshots(
    chromium: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(conftest, "FAILURES", tmp_path)
    ctx = chromium.new_context(viewport={"width": 390, "height": 844})
    try:
        page = ctx.new_page()
        page.set_content("<h1>Taut</h1>")
        saved = conftest.screenshot_open_pages(chromium, "test_x[sqlite]")
    finally:
        ctx.close()
    mine = [p for p in saved if p.parent == tmp_path]
    assert mine and all(p.name.startswith("test_x_sqlite_-") for p in mine)
    assert all(p.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" for p in mine)
    # this test's page among them (a page another test left open in the same browser may be saved too)
    assert "about:blank\n" in {p.with_suffix(".txt").read_text() for p in mine}
