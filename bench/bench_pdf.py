"""PDFs and memory (issue 18.7): the time to render a progress letter (``reports.progress_pdf``: the chart read,
the pictures, HTML to PDF) and a worker's memory after many renders, on SQLite and on PostgreSQL.
Targets: a letter in at most 0.5 s (median wall time); the worker's resident memory under 200 MB after 1,000
renders.

The worker is a separate Python process (like one ``taut serve`` worker) that renders letters for random clients
of the demo clinic with a chart (TAUT_BENCH_PDF_CLIENTS clients, 200 by default, seeded once), one after
another: TAUT_BENCH_PDF_RENDERS of them (100 by default, 1,000 with --full). It reports the median and p95 time
of a render after the first (the first pays for imports and fonts; reported apart) and its resident set size
(VmRSS of /proc/self/status) at the end and at its highest (VmHWM), and after every tenth of the renders (so
a worker that keeps growing shows apart from one that settles).
Run: ``python -m bench pdf``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from bench.bench_chart import PG_DEFAULT, _ensure_pg_database, _seed
from bench.targets import record, size

LETTER_S = 0.5
MEMORY_MB = 200.0

WORKER = r"""
import json, random, statistics, sys, time
from sqlalchemy import select
from taut.reports import progress_pdf
from taut.reports.content import NothingToReport
from taut.services.demo import DEMO_EMAIL
from taut.store import Database, people, tables

def status(key):
    for line in open("/proc/self/status"):
        if line.startswith(key + ":"):
            return int(line.split()[1]) / 1024
    return 0.0

url, renders = sys.argv[1], int(sys.argv[2])
db = Database.from_url(url)
with db.transaction() as conn:
    owner = people.user_by_email(conn, DEMO_EMAIL)[0]
    s = tables.treatment_sessions.c
    ids = sorted({r.client_id for r in conn.execute(select(s.client_id).where(s.clinic_id == owner.clinic_id).limit(5000))})
rng = random.Random(5)
start_rss = status("VmRSS")
times, cpu, first, skipped, curve = [], [], None, 0, []
while len(times) < renders:
    cid = rng.choice(ids)
    t0 = time.perf_counter()
    c0 = time.process_time()
    try:
        pdf = progress_pdf(db, owner, cid)
    except NothingToReport:
        skipped += 1
        continue
    elapsed = time.perf_counter() - t0
    cpu.append(time.process_time() - c0)
    assert pdf.startswith(b"%PDF")
    if first is None:
        first = elapsed
    times.append(elapsed)
    if len(times) % max(1, renders // 10) == 0:
        curve.append((len(times), round(status("VmRSS"))))
times.sort()
print(json.dumps({"first": first, "median": statistics.median(times[1:] or times),
    "p95": times[int(0.95 * len(times))], "cpu": statistics.median(cpu[1:] or cpu), "renders": len(times), "skipped": skipped,
    "rss_start": start_rss, "rss_end": status("VmRSS"), "rss_peak": status("VmHWM"), "curve": curve}))
"""


def run(name: str, url: str, clients: int, renders: int) -> None:
    print(f"{name}: {url}", flush=True)
    from taut.store import Database

    db = Database.from_url(url)
    _seed(db, clients)
    db.dispose()
    out = subprocess.run(
        [sys.executable, "-c", WORKER, url, str(renders)], capture_output=True, text=True, check=False
    )
    if out.returncode != 0:
        raise SystemExit(f"the PDF worker failed:\n{out.stderr[-3000:]}")
    r = json.loads(out.stdout.strip().splitlines()[-1])
    print(
        f"  {r['renders']} letters: first {r['first']:.3f} s, then median {r['median']:.3f} s (CPU {r['cpu']:.3f} s), "
        f"p95 {r['p95']:.3f} s; "
        f"memory {r['rss_start']:.0f} MB at start, {r['rss_end']:.0f} MB at the end, peak {r['rss_peak']:.0f} MB",
        flush=True,
    )
    print("  memory (MB) after n letters: " + ", ".join(f"{n}: {mb}" for n, mb in r["curve"]), flush=True)
    record("PDF: progress letter (median wall)", r["median"], LETTER_S, "s", database=name,
           note=f"CPU {r['cpu']:.2f} s, first {r['first']:.2f} s, p95 {r['p95']:.2f} s")  # fmt: skip
    record(f"PDF: worker memory after {r['renders']:,} letters", r["rss_end"], MEMORY_MB, "MB", database=name,
           note=f"peak {r['rss_peak']:.0f} MB, {r['rss_start']:.0f} MB before the first")  # fmt: skip


def main() -> None:
    clients = size(200, 200, "TAUT_BENCH_PDF_CLIENTS")
    renders = size(100, 1000, "TAUT_BENCH_PDF_RENDERS")
    sqlite_path = Path(os.environ.get("TAUT_BENCH_SQLITE_PDF", "var/bench/pages.sqlite3"))
    sqlite_path.parent.mkdir(parents=True, exist_ok=True)
    run("SQLite", f"sqlite:///{sqlite_path}", clients, renders)
    pg = os.environ.get("TAUT_BENCH_POSTGRES_URL", PG_DEFAULT + "_pages")
    if pg != "skip":
        _ensure_pg_database(pg)
        run("PostgreSQL", pg, clients, renders)


if __name__ == "__main__":
    main()
