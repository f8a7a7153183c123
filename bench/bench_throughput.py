"""Throughput at 10 connections (issue 18.6): the client chart page (``GET /clients/{id}``, rendered in full and
audited) against ``GET /api/v1/health`` (no database, no user loaded) on the same real server, as a ratio.
Target: the chart page at least 0.3 of health. On SQLite and on PostgreSQL.

The server is ``taut serve --host 127.0.0.1 --workers N`` (N = TAUT_BENCH_WEB_WORKERS, default the machine's
cores) in its own process group, on the demo clinic (TAUT_BENCH_THROUGHPUT_CLIENTS clients: 500 by default,
100,000 with --full; seeded once), signed in as the demo owner. The load: 10 keep-alive connections with no think
time, every chart request for a random client, first a warm-up, then TAUT_BENCH_THROUGHPUT_SECONDS (5 s by
default, 30 s with --full) of chart pages, as long of health and as long of one client's details from the API
(``GET /api/v1/clients/{id}``: the session check, one record and its audit entry, the lightest audited read
there is), in three rounds taken in turn (each a third of that, at least 2 s), so that a drift of the machine's
speed falls on all three alike. The ratio is of the rounds taken together (the medians and 95th percentiles
printed are the worst round's); the record's ratio is printed beside it: it is the floor any audited
page stands on. The load generator is ``wrk`` when installed (``make bench`` installs it), otherwise two Python
processes of five threads each; it runs on the same machine, so it takes CPU from the server: every run pays that
alike, which is why the target is a ratio.
Run: ``python -m bench throughput``.
"""

from __future__ import annotations

import http.client
import multiprocessing
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import httpx
from sqlalchemy import select

from bench.bench_chart import PG_DEFAULT, _ensure_pg_database, _seed
from bench.targets import record, size
from taut.services.demo import DEMO_EMAIL, seed_demo
from taut.store import Database, people, tables

CONNECTIONS = 10
TARGET_RATIO = 0.3
ROUNDS = 3  # chart, health, record in turn: a drift of the machine's speed falls on all three alike
PATHS = {"chart": "/clients/{}", "health": "/api/v1/health", "record": "/api/v1/clients/{}"}
PORT = int(os.environ.get("TAUT_BENCH_THROUGHPUT_PORT", "8766"))

LUA = r"""
local ids = {}
init = function(args)
  for line in io.lines("%(ids)s") do ids[#ids + 1] = line end
  math.randomseed(os.time() + math.floor(os.clock() * 1e6))
end
request = function()
  return wrk.format("GET", (string.gsub("%(path)s", "{}", ids[math.random(#ids)])))
end
done = function(summary, latency, requests)
  io.write(string.format("RESULT requests=%%d seconds=%%.3f p50=%%.3f p95=%%.3f bad=%%d\n",
    summary.requests, summary.duration / 1e6, latency:percentile(50) / 1e3, latency:percentile(95) / 1e3,
    summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.write
    + summary.errors.timeout))
end
"""


@dataclass
class Run:
    requests: int
    seconds: float
    p50: float
    p95: float
    bad: int

    @property
    def rps(self) -> float:
        return self.requests / self.seconds


def _prepare(url: str, clients: int) -> tuple[str, list[int]]:
    db = Database.from_url(url)
    _seed(db, clients)
    password = seed_demo(db, clients=0).password  # a fresh password for the demo owner, nothing else
    with db.transaction() as conn:
        found = people.user_by_email(conn, DEMO_EMAIL)
        assert found is not None
        c = tables.clients.c
        ids = [
            r.id for r in conn.execute(select(c.id).where(c.clinic_id == found[0].clinic_id).limit(20_000))
        ]
    db.dispose()
    return password, ids


def port_free(port: int, setting: str) -> None:
    """Refuse to run beside a server already on a benchmark's port: the load would measure that one."""
    with socket.socket() as s:
        if s.connect_ex(("127.0.0.1", port)) == 0:
            raise SystemExit(
                f"something already listens on 127.0.0.1:{port} (a server left running?): stop it, or set "
                f"{setting} to a free port"
            )


def _serve(url: str, workers: int, log: Path) -> subprocess.Popen[bytes]:
    port_free(PORT, "TAUT_BENCH_THROUGHPUT_PORT")
    taut = Path(sys.executable).parent / "taut"
    env = {**os.environ, "TAUT_DATABASE_URL": url, "TAUT_SECRET_KEY": "bench-" + "k" * 40}
    env["TAUT_LOGIN_ATTEMPTS"] = "1000"
    cmd = [str(taut), "serve", "--host", "127.0.0.1", "--port", str(PORT), "--workers", str(workers)]
    proc = subprocess.Popen(
        cmd, env=env, stdout=log.open("wb"), stderr=subprocess.STDOUT, start_new_session=True
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{PORT}/readyz", timeout=1).status_code == 200:
                return proc
        except httpx.HTTPError:
            pass
        if proc.poll() is not None:
            break
        time.sleep(0.3)
    _stop(proc)
    raise SystemExit(f"taut serve did not start; see {log}")


def _stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)  # the server's own process group: its workers too, nothing else
        proc.wait(timeout=30)


def _login(password: str) -> str:
    with httpx.Client(base_url=f"http://127.0.0.1:{PORT}") as c:
        token = re.search(r'name="csrf_token" value="([^"]+)"', c.get("/login").text)
        assert token, "no CSRF token on the login page"
        r = c.post("/login", data={"email": DEMO_EMAIL, "password": password, "csrf_token": token.group(1)})
        if r.status_code != 303:
            raise SystemExit(f"bench login failed: {r.status_code}")
        cookie = c.cookies.get("taut_session")
        assert cookie
        return cookie


def _wrk(kind: str, seconds: int, cookie: str, ids_file: Path) -> Run:
    script = ids_file.with_name(f"throughput-{kind}.lua")
    script.write_text(LUA % {"path": PATHS[kind], "ids": ids_file})  # the path as PATHS gives it: {} an id
    cmd = [
        "wrk", "-t", "2", "-c", str(CONNECTIONS), "-d", f"{seconds}s", "--timeout", "10s",
        "-H", f"Cookie: taut_session={cookie}", "-H", "Accept-Encoding: gzip", "-s", str(script),
        f"http://127.0.0.1:{PORT}",
    ]  # fmt: skip
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    m = re.search(r"RESULT (.*)", out)
    if not m:
        raise SystemExit(f"wrk gave no result:\n{out}")
    f = dict(kv.split("=") for kv in m.group(1).split())
    return Run(int(f["requests"]), float(f["seconds"]), float(f["p50"]), float(f["p95"]), int(f["bad"]))


def _python_worker(args: tuple[str, int, str, list[int], int, int]) -> tuple[list[float], int]:
    """One process of the Python load generator: ``threads`` keep-alive connections until the time is up."""
    import threading

    kind, seconds, cookie, ids, threads, seed = args
    end = time.monotonic() + seconds
    times: list[float] = []
    bad = [0]
    lock = threading.Lock()

    def loop(k: int) -> None:
        rng = random.Random(seed * 100 + k)
        conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=10)
        headers = {"Cookie": f"taut_session={cookie}", "Accept-Encoding": "gzip"}
        mine: list[float] = []
        while time.monotonic() < end:
            path = PATHS[kind].format(rng.choice(ids))
            t0 = time.perf_counter()
            conn.request("GET", path, headers=headers)
            resp = conn.getresponse()
            resp.read()
            mine.append((time.perf_counter() - t0) * 1000)
            if resp.status != 200:
                with lock:
                    bad[0] += 1
        conn.close()
        with lock:
            times.extend(mine)

    pool = [threading.Thread(target=loop, args=(k,)) for k in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    return times, bad[0]


def _python_load(kind: str, seconds: int, cookie: str, ids: list[int]) -> Run:
    procs = 2
    jobs = [(kind, seconds, cookie, ids, CONNECTIONS // procs, i) for i in range(procs)]
    t0 = time.perf_counter()
    with multiprocessing.get_context("spawn").Pool(procs) as pool:
        parts = pool.map(_python_worker, jobs)
    elapsed = time.perf_counter() - t0
    times = sorted(t for part, _ in parts for t in part)
    bad = sum(b for _, b in parts)
    return Run(len(times), max(elapsed, seconds), times[len(times) // 2], times[int(0.95 * len(times))], bad)


def _total(runs: list[Run]) -> Run:
    """The rounds of one kind taken together (their medians and 95th percentiles: the worst round's)."""
    return Run(
        sum(r.requests for r in runs), sum(r.seconds for r in runs), max(r.p50 for r in runs),
        max(r.p95 for r in runs), sum(r.bad for r in runs),
    )  # fmt: skip


def run(name: str, url: str, clients: int, seconds: int, workers: int, work: Path) -> None:
    print(f"{name}: {url}", flush=True)
    password, ids = _prepare(url, clients)
    ids_file = work / f"throughput-ids-{name.lower()}.txt"
    ids_file.write_text("\n".join(str(i) for i in ids) + "\n")
    proc = _serve(url, workers, work / f"throughput-server-{name.lower()}.log")
    use_wrk = shutil.which("wrk") is not None
    runs: dict[str, list[Run]] = {kind: [] for kind in PATHS}
    try:
        cookie = _login(password)

        def load(kind: str, secs: int) -> Run:
            return _wrk(kind, secs, cookie, ids_file) if use_wrk else _python_load(kind, secs, cookie, ids)

        load("chart", 2)  # warm-up: templates, pools, caches in every worker
        load("record", 1)
        for _ in range(ROUNDS):
            for kind in PATHS:
                runs[kind].append(load(kind, max(2, seconds // ROUNDS)))
    finally:
        _stop(proc)
    chart, health, one = (_total(runs[k]) for k in ("chart", "health", "record"))
    for label, r in (("chart page", chart), ("health", health), ("one record", one)):
        print(
            f"  {label:<11} {r.requests:>7,} requests {r.rps:>8.1f}/s  median {r.p50:7.2f} ms  p95 {r.p95:7.2f} ms  "
            f"errors {r.bad}",
            flush=True,
        )
    rounds = [c.rps / h.rps for c, h in zip(runs["chart"], runs["health"], strict=True)]
    print(f"  chart / health by round: {', '.join(f'{x:.3f}' for x in rounds)}", flush=True)
    generator = "wrk" if use_wrk else "Python load generator"
    note = (
        f"{chart.rps:.0f}/{health.rps:.0f} req/s, {workers} workers, {len(ids):,} clients, {generator}; "
        f"one audited record (API) {one.rps / health.rps if health.rps else 0.0:.2f} of health"
    )
    bad = chart.bad + health.bad + one.bad
    if bad:
        note += f", {bad} errors"
    ratio = chart.rps / health.rps if health.rps and not chart.bad else 0.0
    record("throughput: chart page / health at 10 connections", ratio, TARGET_RATIO, "", database=name,
           higher_is_better=True, note=note)  # fmt: skip


def main() -> None:
    clients = size(500, 100_000, "TAUT_BENCH_THROUGHPUT_CLIENTS")
    seconds = size(5, 30, "TAUT_BENCH_THROUGHPUT_SECONDS")
    workers = int(os.environ.get("TAUT_BENCH_WEB_WORKERS", str(os.cpu_count() or 2)))
    work = Path("var/bench")
    work.mkdir(parents=True, exist_ok=True)
    sqlite_path = Path(
        os.environ.get("TAUT_BENCH_SQLITE_THROUGHPUT", f"var/bench/throughput-{clients}.sqlite3")
    )
    run("SQLite", f"sqlite:///{sqlite_path.resolve()}", clients, seconds, workers, work)
    default_pg = PG_DEFAULT if clients == 100_000 else f"{PG_DEFAULT}_{clients}"
    pg = os.environ.get("TAUT_BENCH_POSTGRES_URL", default_pg)
    if pg != "skip":
        _ensure_pg_database(pg)
        run("PostgreSQL", pg, clients, seconds, workers, work)


if __name__ == "__main__":
    main()
