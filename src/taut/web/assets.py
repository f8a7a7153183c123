"""Static files served once: every file under ``static/`` and the generated ones (the body-map views, the atlas
pictures, the conductor's catalogue) under a versioned name, ``/assets/<path>.<hash>.<ext>`` (the hash of its
content), with a year-long immutable cache, and compressed once (gzip is sent when the browser accepts it).

Pages never name a versioned file by hand: ``asset_url("css/taut.css")`` gives its current URL, and templates
that write ``/static/css/taut.css`` or ``/static/js/bodymap.js`` have it rewritten to the versioned URL when they
are compiled (``VersionedStatic``). The plain ``/static/...`` URLs keep working, unversioned and revalidated."""

from __future__ import annotations

import gzip
import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import Response
from jinja2.ext import Extension

HERE = Path(__file__).parent
STATIC = HERE / "static"
PREFIX = "/assets/"
IMMUTABLE = "public, max-age=31536000, immutable"
HASH_LENGTH = 12

MEDIA_TYPES = {
    "css": "text/css; charset=utf-8",
    "js": "text/javascript; charset=utf-8",
    "svg": "image/svg+xml",
    "json": "application/json",
}

router = APIRouter(include_in_schema=False)


@dataclass(frozen=True)
class Asset:
    """One file: ``name`` as pages ask for it (``css/taut.css``), ``url`` its versioned address."""

    name: str
    url: str
    body: bytes
    gzipped: bytes
    media_type: str
    etag: str


def _make(name: str, body: bytes) -> Asset:
    digest = hashlib.sha256(body).hexdigest()[:HASH_LENGTH]
    stem, _, ext = name.rpartition(".")
    return Asset(
        name=name,
        url=f"{PREFIX}{stem}.{digest}.{ext}",
        body=body,
        gzipped=gzip.compress(body, compresslevel=9, mtime=0),
        media_type=MEDIA_TYPES.get(ext, "application/octet-stream"),
        etag=f'"{digest}"',
    )


def _generated(name: str) -> Callable[[], bytes] | None:
    """The maker of a generated file, or None (then it is a file under static/)."""
    m = re.fullmatch(r"bodymap/(front|back|side)-(interactive|picture)\.svg", name)
    if m:
        from taut.web.bodymap import view_file

        view, kind = m.groups()
        return lambda: view_file(view, kind)
    m = re.fullmatch(r"atlas/(muscle|condition)-([a-z0-9_]+)(?:-(right|left))?\.svg", name)
    if m:
        from taut.web.atlas.pictures import picture_file

        kind, ident, side = m.groups()
        return lambda: picture_file(kind, ident, side)
    if name == "js/catalogue.js":
        from taut.web.conductor.view import catalogue_script

        return catalogue_script
    return None


def _static_file(name: str) -> bytes:
    if not re.fullmatch(r"(?:[A-Za-z0-9_-]+/)*[A-Za-z0-9_.-]+\.(?:css|js|svg)", name) or ".." in name:
        raise LookupError(f"no static file {name!r}")
    path = STATIC / name
    if not path.is_file():
        raise LookupError(f"no static file {name!r}")
    return path.read_bytes()


@cache
def _fixed(name: str) -> Asset:
    return _make(name, _static_file(name))


@lru_cache(maxsize=48)  # atlas pictures: about 150 muscles x 2 sides exist, a few hundred KB each
def _made(name: str) -> Asset:
    maker = _generated(name)
    if maker is None:
        raise LookupError(f"no generated file {name!r}")
    return _make(name, maker())


def asset(name: str) -> Asset:
    """The file ``name`` (``css/taut.css``, ``bodymap/front-interactive.svg``); LookupError if there is none."""
    if name.startswith("atlas/") or _generated(name) is not None:
        return _made(name)
    return _fixed(name)


def asset_url(name: str) -> str:
    """The versioned URL of ``name``: it changes whenever the content does, so it may be cached for a year."""
    return asset(name).url


def by_url_path(path: str) -> Asset | None:
    """The asset a versioned path (after ``/assets/``) names, or None when unknown or of another version."""
    m = re.fullmatch(rf"(.+)\.([0-9a-f]{{{HASH_LENGTH}}})\.([a-z]+)", path)
    if not m:
        return None
    try:
        found = asset(f"{m.group(1)}.{m.group(3)}")
    except LookupError:
        return None
    return found if found.url == PREFIX + path else None


def accepts_gzip(header: str) -> bool:
    """Whether an Accept-Encoding header accepts gzip (``gzip``, ``gzip;q=0.5``, ``*``; not ``gzip;q=0``)."""
    for part in header.split(","):
        coding, _, params = part.strip().partition(";")
        if coding.strip().lower() in ("gzip", "*"):
            q = re.search(r"q\s*=\s*([0-9.]+)", params)
            return not (q and float(q.group(1) or 0) == 0)
    return False


@router.get("/assets/{path:path}")
def serve(request: Request, path: str) -> Response:
    found = by_url_path(path)
    if found is None:  # plain text: this path has no session, so no page is rendered
        return Response(
            "No such file.", status_code=404, media_type="text/plain", headers={"cache-control": "no-store"}
        )
    headers = {"cache-control": IMMUTABLE, "etag": found.etag, "vary": "Accept-Encoding"}
    if request.headers.get("if-none-match") == found.etag:
        return Response(status_code=304, headers=headers)
    if accepts_gzip(request.headers.get("accept-encoding", "")):
        headers["content-encoding"] = "gzip"
        return Response(found.gzipped, media_type=found.media_type, headers=headers)
    return Response(found.body, media_type=found.media_type, headers=headers)


_STATIC_REF = re.compile(
    r"""(?<=["'])/static/((?:css|js)/[A-Za-z0-9_.-]+\.(?:css|js)|favicon\.svg)(?=["'])"""
)


def versioned_static(source: str) -> str:
    """Template source with every quoted ``/static/css/...``, ``/static/js/...`` and the favicon URL replaced by
    its versioned URL (a reference to a file that does not exist is left as it is)."""

    def swap(m: re.Match[str]) -> str:
        try:
            return asset_url(m.group(1))
        except LookupError:
            return m.group(0)

    return _STATIC_REF.sub(swap, source)


class VersionedStatic(Extension):
    """Jinja extension: ``versioned_static`` applied to every template when it is compiled."""

    def preprocess(self, source: str, name: str | None, filename: str | None = None) -> str:
        return versioned_static(source)
