"""The client chart page under load: 100,000 clients in the database, 20 concurrent users, on SQLite and on
PostgreSQL; its throughput next to a trivial endpoint (GET /api/v1/health) of the same server, as a ratio.

The server is the real one (``uvicorn taut.web.app:create_app``, ``TAUT_BENCH_WEB_WORKERS`` processes,
default 2 = the machine's cores), logged in as the demo owner; the load comes from ``wrk`` (Debian package
``wrk``) on 127.0.0.1 in another process, every request a different random client's chart page, which is
rendered in full and audited like any other read.

Three runs per database, each ``TAUT_BENCH_WEB_SECONDS`` long (default 30) after a warm-up:
  users       20 users, each opening a chart, reading it for a think time (uniform 0.5-1.5 s) and opening
              the next: the target is p95 <= 50 ms here.
  saturated   20 connections with no think time at all (the most the server gives); latency then measures
              the queue in front of the server, so it is reported but not held to the target.
  trivial     the same 20 connections on GET /api/v1/health: throughput ratio = saturated / trivial.

Data: the same data set as ``bench chart`` (seeded on first use; TAUT_BENCH_CLIENTS, TAUT_BENCH_SQLITE,
TAUT_BENCH_POSTGRES_URL as there). Run: ``python -m bench web`` (or ``make bench``).
"""

from __future__ import annotations

import os
import random
import re
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import httpx
from sqlalchemy import select

from bench.bench_chart import PG_DEFAULT, _ensure_pg_database, _seed
from bench.bench_throughput import port_free
from taut.services.demo import DEMO_EMAIL, seed_demo
from taut.store import Database, people, tables

TARGET_P95_MS = 50.0
USERS = 20
PORT = int(os.environ.get("TAUT_BENCH_WEB_PORT", "8765"))

LUA = r"""
local ids = {}
local think = %(think)s
local path_kind = "%(kind)s"
init = function(args)
  for line in io.lines("%(ids)s") do ids[#ids + 1] = line end
  math.randomseed(os.time() + (args[1] and tonumber(args[1]) or 0) + math.floor(os.clock() * 1e6))
end
request = function()
  if path_kind == "chart" then
    return wrk.format("GET", "/clients/" .. ids[math.random(#ids)])
  end
  return wrk.format("GET", "/api/v1/health")
end
delay = function()
  if think then return math.random(500, 1500) end
  return 0
end
response = function(status, headers, body)
  if status ~= 200 then errors_seen = (errors_seen or 0) + 1 end
end
done = function(summary, latency, requests)
  io.write(string.format("RESULT requests=%%d seconds=%%.3f p50=%%.3f p95=%%.3f p99=%%.3f max=%%.3f non2xx=%%d errors=%%d\n",
    summary.requests, summary.duration / 1e6, latency:percentile(50) / 1e3, latency:percentile(95) / 1e3,
    latency:percentile(99) / 1e3, latency.max / 1e3, summary.errors.status,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
"""


@dataclass
class Run:
    name: str
    requests: int
    seconds: float
    p50: float
    p95: float
    p99: float
    max: float
    bad: int

    @property
    def rps(self) -> float:
        return self.requests / self.seconds


def _prepare(url: str, target: int, ids_file: Path) -> str:
    """Seed when needed; write a sample of the demo clinic's client ids; return a fresh demo password."""
    db = Database.from_url(url)
    seeded = _seed(db, target)
    if seeded is not None:
        print(f"  seeding took {seeded:.0f} s", flush=True)
    login = seed_demo(db, clients=0)  # a new password for the demo owner, nothing else
    with db.transaction() as conn:
        found = people.user_by_email(conn, DEMO_EMAIL)
        assert found is not None
        c = tables.clients.c
        ids = [r.id for r in conn.execute(select(c.id).where(c.clinic_id == found[0].clinic_id))]
    ids_file.write_text("\n".join(str(i) for i in random.Random(7).sample(ids, min(20_000, len(ids)))) + "\n")
    print(f"  {len(ids):,} clients in the demo clinic", flush=True)
    db.dispose()
    return login.password


def _start_server(url: str, workers: int, log: Path) -> subprocess.Popen[bytes]:
    port_free(PORT, "TAUT_BENCH_WEB_PORT")
    env = {
        **os.environ,
        "TAUT_DATABASE_URL": url,
        "TAUT_SECRET_KEY": "bench-" + "k" * 40,
        "TAUT_LOGIN_ATTEMPTS": "1000",
    }
    cmd = [
        sys.executable, "-m", "uvicorn", "taut.web.app:create_app", "--factory",
        "--host", "127.0.0.1", "--port", str(PORT), "--workers", str(workers),
        "--log-level", "warning", "--no-access-log",
    ]  # fmt: skip
    proc = subprocess.Popen(
        cmd, env=env, stdout=log.open("wb"), stderr=subprocess.STDOUT, start_new_session=True
    )
    for _ in range(300):
        try:
            if httpx.get(f"http://127.0.0.1:{PORT}/api/v1/health", timeout=1).status_code == 200:
                return proc
        except httpx.HTTPError:
            pass
        if proc.poll() is not None:
            raise SystemExit(f"the server did not start; see {log}")
        time.sleep(0.2)
    raise SystemExit(f"the server did not answer within 60 s; see {log}")


def _login(password: str) -> str:
    with httpx.Client(base_url=f"http://127.0.0.1:{PORT}") as c:
        page = c.get("/login")
        token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
        assert token, "no CSRF token on the login page"
        r = c.post("/login", data={"email": DEMO_EMAIL, "password": password, "csrf_token": token.group(1)})
        if r.status_code != 303:
            raise SystemExit(f"bench login failed: {r.status_code}")
        cookie = c.cookies.get("taut_session")
        assert cookie
        return cookie


def _wrk(kind: str, think: bool, seconds: int, cookie: str, ids_file: Path, work: Path) -> Run:
    script = work / f"wrk-{kind}-{'think' if think else 'open'}.lua"
    script.write_text(LUA % {"think": "true" if think else "false", "kind": kind, "ids": ids_file})
    cmd = [
        "wrk", "-t", "2", "-c", str(USERS), "-d", f"{seconds}s", "--timeout", "10s",
        "-H", f"Cookie: taut_session={cookie}", "-s", str(script), f"http://127.0.0.1:{PORT}",
    ]  # fmt: skip
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    m = re.search(r"RESULT (.*)", out)
    if not m:
        raise SystemExit(f"wrk gave no result:\n{out}")
    f = dict(kv.split("=") for kv in m.group(1).split())
    return Run(
        kind if not think else f"{kind}+think",
        int(f["requests"]),
        float(f["seconds"]),
        float(f["p50"]),
        float(f["p95"]),
        float(f["p99"]),
        float(f["max"]),
        int(f["non2xx"]) + int(f["errors"]),
    )


def run(name: str, url: str, target: int, seconds: int, workers: int, work: Path) -> None:
    print(f"{name}: {url}", flush=True)
    ids_file = work / f"ids-{name.lower()}.txt"
    password = _prepare(url, target, ids_file)
    proc = _start_server(url, workers, work / f"server-{name.lower()}.log")
    try:
        cookie = _login(password)
        _wrk("chart", False, 5, cookie, ids_file, work)  # warm-up: caches, pools, compiled templates
        runs = [
            _wrk("chart", True, seconds, cookie, ids_file, work),
            _wrk("chart", False, seconds, cookie, ids_file, work),
            _wrk("health", False, seconds, cookie, ids_file, work),
        ]
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=30)
    labels = {
        "chart+think": "users (think 0.5-1.5 s)",
        "chart": "saturated chart",
        "health": "saturated health",
    }
    for r in runs:
        print(
            f"  {labels[r.name]:<24} {r.requests:>7,} requests {r.rps:>8.1f}/s  median {r.p50:7.2f} ms  "
            f"p95 {r.p95:7.2f} ms  p99 {r.p99:7.2f} ms  max {r.max:7.2f} ms  errors {r.bad}",
            flush=True,
        )
    users, chart, health = runs
    verdict = "OK" if users.p95 <= TARGET_P95_MS and users.bad == 0 else "OVER TARGET"
    print(
        f"  chart page p95 with {USERS} users: {users.p95:.2f} ms [{verdict}: target {TARGET_P95_MS:.0f} ms]; "
        f"throughput chart/health = {chart.rps:.0f}/{health.rps:.0f} = {chart.rps / health.rps:.3f}",
        flush=True,
    )


def main() -> None:
    if shutil.which("wrk") is None:
        raise SystemExit("bench web needs wrk: apt-get install wrk (make bench installs it)")
    target = int(os.environ.get("TAUT_BENCH_CLIENTS", "100000"))
    seconds = int(os.environ.get("TAUT_BENCH_WEB_SECONDS", "30"))
    workers = int(os.environ.get("TAUT_BENCH_WEB_WORKERS", str(os.cpu_count() or 2)))
    work = Path("var/bench")
    work.mkdir(parents=True, exist_ok=True)
    print(f"{workers} server worker(s), {USERS} users, {seconds} s per run", flush=True)
    sqlite_path = Path(os.environ.get("TAUT_BENCH_SQLITE", "var/bench/chart.sqlite3"))
    run("SQLite", f"sqlite:///{sqlite_path}", target, seconds, workers, work)
    pg = os.environ.get("TAUT_BENCH_POSTGRES_URL", PG_DEFAULT)
    if pg != "skip":
        _ensure_pg_database(pg)
        run("PostgreSQL", pg, target, seconds, workers, work)
