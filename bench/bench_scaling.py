"""One against two app processes (`taut serve`) on one PostgreSQL: the same signed-in load (reading a client's
chart through the JSON API, every read audited) spread over the processes. Shows that the app servers share
nothing but the database (one sign-in works on both) and what a second process adds.

Settings (environment): TAUT_BENCH_POSTGRES_URL (default postgresql+psycopg://postgres@127.0.0.1:5432/
taut_bench_scaling, created afresh), TAUT_BENCH_THREADS (16), TAUT_BENCH_SECONDS (15).
Run: ``python -m bench scaling``.
"""

from __future__ import annotations

import http.client
import os
import re
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
from datetime import date
from pathlib import Path

from sqlalchemy import create_engine, text

from taut.clinic import Client, Consent
from taut.services import clients, clinics
from taut.store import Database, make_engine, migrate

URL = "postgresql+psycopg://postgres@127.0.0.1:5432/taut_bench_scaling"
PASSWORD = "correct horse battery"
ROOT = Path(__file__).resolve().parents[1]


def _fresh(url: str) -> None:
    base, name = url.rsplit("/", 1)
    admin = create_engine(f"{base}/postgres", isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _seed(url: str) -> list[int]:
    db = Database(make_engine(url))
    migrate.upgrade(db.engine)
    _, owner = clinics.create_clinic(
        db, name="Scaling", owner_email="owner@scale.example", owner_name="Olga", password=PASSWORD
    )
    ids = []
    for i in range(50):
        c = clients.register_client(
            db,
            owner,
            Client(
                given_name=f"C{i}",
                family_name="Scale",
                date_of_birth=date(1980, 1, 1),
                sex="female",
                consent=Consent(treatment_on=date.today()),
            ),
        )
        assert c.id is not None
        ids.append(c.id)
    db.dispose()
    return ids


def _serve(url: str, port: int) -> subprocess.Popen[bytes]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TAUT_")}
    env.update(
        PYTHONPATH=str(ROOT / "src"),
        TAUT_DATABASE_URL=url,
        TAUT_SECRET_KEY="bench-scaling-" + "k" * 40,
        TAUT_HOST="127.0.0.1",
        TAUT_PORT=str(port),
    )
    proc = subprocess.Popen(
        [sys.executable, "-m", "taut.cli", "serve"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            c = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            c.request("GET", "/readyz")
            if c.getresponse().status == 200:
                return proc
        except OSError:
            time.sleep(0.2)
    proc.kill()
    raise RuntimeError(f"taut serve on port {port} did not become ready")


def _sign_in(port: int) -> str:
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    c.request("GET", "/login")
    r = c.getresponse()
    page = r.read().decode()
    cookie = r.getheader("set-cookie", "").split(";")[0]
    m = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert m
    body = urllib.parse.urlencode(
        {"email": "owner@scale.example", "password": PASSWORD, "csrf_token": m.group(1)}
    )
    headers = {"content-type": "application/x-www-form-urlencoded", "cookie": cookie}
    c.request("POST", "/login", body=body, headers=headers)
    r = c.getresponse()
    r.read()
    assert r.status == 303, r.status
    return r.getheader("set-cookie", "").split(";")[0]


def _load(
    ports: list[int], cookie: str, ids: list[int], threads: int, seconds: float
) -> tuple[int, list[float], int]:
    times: list[float] = []
    errors = [0]
    lock = threading.Lock()
    end = time.monotonic() + seconds

    def work(i: int) -> None:
        port = ports[i % len(ports)]
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        n = 0
        mine = []
        while time.monotonic() < end:
            t0 = time.perf_counter()
            conn.request(
                "GET", f"/api/v1/clients/{ids[(i + n) % len(ids)]}/chart", headers={"cookie": cookie}
            )
            r = conn.getresponse()
            r.read()
            if r.status != 200:
                with lock:
                    errors[0] += 1
            mine.append((time.perf_counter() - t0) * 1000)
            n += 1
        with lock:
            times.extend(mine)

    ts = [threading.Thread(target=work, args=(i,)) for i in range(threads)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    return len(times), times, errors[0]


def main() -> None:
    url = os.environ.get("TAUT_BENCH_POSTGRES_URL", URL)
    threads = int(os.environ.get("TAUT_BENCH_THREADS", "16"))
    seconds = float(os.environ.get("TAUT_BENCH_SECONDS", "15"))
    _fresh(url)
    ids = _seed(url)
    ports = [_port(), _port()]
    procs = [_serve(url, p) for p in ports]
    try:
        cookie = _sign_in(ports[0])  # signed in on the first; the load below also uses the second
        print(f"{threads} client threads, {seconds:.0f} s each, GET /api/v1/clients/ID/chart (audited)")
        for n in (1, 2):
            done, ms, errors = _load(ports[:n], cookie, ids, threads, seconds)
            ms.sort()
            p95 = ms[max(0, int(len(ms) * 0.95) - 1)] if ms else 0.0
            print(
                f"{n} app process(es): {done / seconds:.0f} requests/s, median {statistics.median(ms):.1f} ms, "
                f"p95 {p95:.1f} ms, errors {errors}"
            )
    finally:
        for p in procs:
            p.terminate()
            p.wait(timeout=20)


if __name__ == "__main__":
    main()
