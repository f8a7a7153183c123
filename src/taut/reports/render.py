"""HTML from the Jinja2 templates of ``reports/templates`` and PDF from that HTML with WeasyPrint.

Every picture is embedded as a ``data:`` URI; the PDF renderer may fetch nothing else (no network, no files).

One WeasyPrint ``FontConfiguration`` serves every document of the process. Left to itself WeasyPrint makes a new
one for each document: a new Fontconfig configuration with every system font and a new Pango font map, whose
fonts, glyphs and shaping caches are loaded again; freed or not, a worker's resident memory grew by about
0.4 MB a letter (205-210 MB after 100 letters, on its way past 200 MB), and each document paid about 10 ms for
it. With one configuration the fonts are loaded once and the worker settles (docs/reports.md, "Speed and
memory"). The documents use no ``@font-face`` (only system fonts), so nothing of one document stays in it for
the next. Pango's font maps are not safe to share between threads, so the renders of a process take turns
(``_RENDERING``); a render is CPU-bound Python, so threads would have waited for each other anyway.
"""

from __future__ import annotations

import threading
from functools import cache
from importlib import resources
from typing import Any

import jinja2

from taut.clinic.errors import RecordValidationError
from taut.clinic.naming import capital
from taut.reports import text
from taut.reports.content import LETTER_SIGNS

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
    env.globals["letter_signs"] = LETTER_SIGNS
    return env


@cache
def stylesheet() -> str:
    return resources.files("taut.reports").joinpath("templates/report.css").read_text("utf-8")


def render_html(template: str, *, paper: str, **context: Any) -> str:
    """A template rendered with the print stylesheet and the page size of ``paper`` (a4 or letter)."""
    size = page_size(paper)
    return environment().get_template(template).render(css=stylesheet(), page_size=size, **context)


_RENDERING = threading.Lock()


def html_to_pdf(html: str) -> bytes:
    """The PDF of a self-contained HTML document (only ``data:`` URIs are fetched), drawn with the process's
    one font configuration (see the module's note)."""
    from weasyprint import HTML

    with _RENDERING:
        document = HTML(string=html, url_fetcher=_data_only_fetcher(), base_url=None)
        pdf = document.write_pdf(font_config=font_configuration())
    assert pdf is not None
    return bytes(pdf)


@cache
def font_configuration() -> Any:
    """The process's one WeasyPrint ``FontConfiguration`` (the system fonts, loaded on the first document)."""
    from weasyprint.text.fonts import FontConfiguration

    return FontConfiguration()


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
