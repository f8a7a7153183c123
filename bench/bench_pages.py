"""Body-map pages (issue 18.2): the size of each page as sent (raw, and gzipped at the app's level, GZIP_LEVEL) and the CPU
it takes to render, on SQLite and on PostgreSQL. Targets: at most 150 KB raw, 30 KB gzipped, 5 ms of CPU.

The pages are requested through the whole app in process (httpx's ASGI transport: every middleware, the access
check, the audit entry, the commit), signed in as the demo owner, for random clients of the demo clinic
(TAUT_BENCH_PAGE_CLIENTS, default 200, seeded once). The CPU figure is the process's CPU time
(``time.process_time``, every thread) spent inside the app per request: the server's part (middleware, session
check, reads, audit entry, template, gzip). The process's CPU per request with httpx's client side included is printed beside it.
The gzipped size is what GZipMiddleware sends; the static files the page loads (the body map's views, CSS, JS)
are not counted: they are fetched once per version and cached for a year (docs/web.md).
Run: ``python -m bench pages``.
"""

from __future__ import annotations

import asyncio
import gzip
import os
import random
import re
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import select

from bench.bench_chart import PG_DEFAULT, _ensure_pg_database, _seed
from bench.targets import record, size
from taut.services.demo import DEMO_EMAIL, seed_demo
from taut.settings import Settings
from taut.store import Database, people, tables
from taut.web.app import GZIP_LEVEL, create_app

RAW_KB = 150.0
GZIP_KB = 30.0
CPU_MS = 5.0
PAGES = {
    "intake form": "/clients/{cid}/intake/new",
    "examination": "/clients/{cid}/exam/new",
    "chart": "/clients/{cid}",
    "atlas muscle": "/atlas/muscles/upper_trapezius",
    "atlas condition": "/atlas/conditions/tension_type_headache",
}


def _client_ids(db: Database) -> list[int]:
    with db.transaction() as conn:
        found = people.user_by_email(conn, DEMO_EMAIL)
        assert found is not None
        c = tables.clients.c
        return [r.id for r in conn.execute(select(c.id).where(c.clinic_id == found[0].clinic_id).limit(5000))]


class ServerCpu:
    """The app, counting the CPU time (every thread of the process) spent inside it: the server's part of a
    request. The client awaits the app while it runs (one request at a time), so nothing of the client's own
    work falls in it."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.seconds = 0.0

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        started = time.process_time()
        try:
            await self.app(scope, receive, send)
        finally:
            self.seconds += time.process_time() - started


async def _measure(
    app: object, password: str, ids: list[int], n: int
) -> dict[str, tuple[int, int, float, float]]:
    server = ServerCpu(app)
    transport = httpx.ASGITransport(app=server)
    out: dict[str, tuple[int, int, float, float]] = {}
    async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1") as client:
        token = re.search(r'name="csrf_token" value="([^"]+)"', (await client.get("/login")).text)
        assert token
        form = {"email": DEMO_EMAIL, "password": password, "csrf_token": token.group(1)}
        assert (await client.post("/login", data=form)).status_code == 303
        rng = random.Random(3)
        for name, path in PAGES.items():
            first = await client.get(path.format(cid=ids[0]))  # warm: templates compiled, files made
            assert first.status_code == 200, (name, first.status_code)
            raw = len(first.content)
            packed = len(gzip.compress(first.content, compresslevel=GZIP_LEVEL))
            cpu = time.process_time()
            server.seconds = 0.0
            for _ in range(n):
                r = await client.get(path.format(cid=rng.choice(ids)), headers={"accept-encoding": "gzip"})
                assert r.status_code == 200, (name, r.status_code)
            total = (time.process_time() - cpu) * 1000 / n
            out[name] = (raw, packed, server.seconds * 1000 / n, total)
    return out


def run(name: str, url: str, clients: int, n: int) -> None:
    print(f"{name}: {url}", flush=True)
    db = Database.from_url(url)
    _seed(db, clients)
    password = seed_demo(db, clients=0).password  # a fresh password for the demo owner, nothing else
    ids = _client_ids(db)
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(secret_key="bench-" + "x" * 32, secret_key_path=Path(tmp) / "secret")
        app = create_app(settings, db)
        found = asyncio.run(_measure(app, password, ids, n))
    for page, (raw, packed, cpu, total) in found.items():
        print(
            f"  {page:16} {raw / 1000:7.1f} KB raw  {packed / 1000:6.1f} KB gzipped  {cpu:6.2f} ms CPU "
            f"({total:6.2f} ms with the client)",
            flush=True,
        )
        record(f"page size: {page} (raw)", raw / 1000, RAW_KB, "KB", database=name)
        record(f"page size: {page} (gzipped)", packed / 1000, GZIP_KB, "KB", database=name)
        note = f"{n} requests; {total:.2f} ms with the in-process client"
        record(f"page CPU: {page}", cpu, CPU_MS, "ms", database=name, note=note)
    db.dispose()


def main() -> None:
    clients = size(200, 200, "TAUT_BENCH_PAGE_CLIENTS")
    n = size(150, 300, "TAUT_BENCH_PAGE_REQUESTS")  # 30 was too few: one slow request moved the mean by 10 %
    sqlite_path = Path(os.environ.get("TAUT_BENCH_SQLITE_PAGES", "var/bench/pages.sqlite3"))
    sqlite_path.parent.mkdir(parents=True, exist_ok=True)
    run("SQLite", f"sqlite:///{sqlite_path}", clients, n)
    pg = os.environ.get("TAUT_BENCH_POSTGRES_URL", PG_DEFAULT + "_pages")
    if pg != "skip":
        _ensure_pg_database(pg)
        run("PostgreSQL", pg, clients, n)


if __name__ == "__main__":
    main()
