"""HTML from the Jinja2 templates of ``reports/templates`` and PDF from that HTML with WeasyPrint.

Every picture is embedded as a ``data:`` URI; the PDF renderer may fetch nothing else (no network, no files).
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from typing import Any

import jinja2

from taut.clinic.errors import RecordValidationError
from taut.clinic.naming import capital
from taut.reports import text

PAPERS = {"a4": "A4", "letter": "letter"}  # CSS page sizes: A4 210 x 297 mm, Letter 8.5 x 11 in


def page_size(paper: str) -> str:
    """The CSS ``@page`` size of ``a4`` or ``letter``; anything else is a one-line error naming ``paper``."""
    key = str(paper).strip().lower()
    if key not in PAPERS:
        raise RecordValidationError("paper", f"must be a4 or letter, not {paper!r}")
    return PAPERS[key]


@cache
def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("taut.reports", "templates"),
        autoescape=jinja2.select_autoescape(["html"]),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(
        long_date=text.long_date,
        short_date=text.short_date,
        sides=text.sides_text,
        side=text.side_text,
        score=text.score,
        signed=text.signed,
        capital=capital,
    )
    return env


@cache
def stylesheet() -> str:
    return resources.files("taut.reports").joinpath("templates/report.css").read_text("utf-8")


def render_html(template: str, *, paper: str, **context: Any) -> str:
    """A template rendered with the print stylesheet and the page size of ``paper`` (a4 or letter)."""
    size = page_size(paper)
    return environment().get_template(template).render(css=stylesheet(), page_size=size, **context)


def html_to_pdf(html: str) -> bytes:
    """The PDF of a self-contained HTML document (only ``data:`` URIs are fetched)."""
    from weasyprint import HTML

    pdf = HTML(string=html, url_fetcher=_data_only_fetcher(), base_url=None).write_pdf()
    assert pdf is not None
    return bytes(pdf)


def _data_only_fetcher() -> Any:
    """WeasyPrint's fetcher limited to ``data:`` URIs (WeasyPrint 66+ has ``URLFetcher``; older versions take a
    function)."""
    from weasyprint import urls

    if hasattr(urls, "URLFetcher"):
        return urls.URLFetcher(allowed_protocols=("data",))

    def fetch(url: str, *args: Any, **kwargs: Any) -> Any:
        if not url.startswith("data:"):
            raise ValueError(f"reports fetch nothing but data: URIs, not {url[:40]!r}")
        return urls.default_url_fetcher(url, *args, **kwargs)  # type: ignore[attr-defined]

    return fetch
