"""SQLite under concurrent use: 50 writers saving holds while 20 readers load charts (every chart read also
writes an audit row), all on one SQLite file through the services, as the web app's threads do.

Reports throughput, the latency of a hold save and of a chart read (median, p95, max), and every error; the
target is that no "database is locked" (or any other error) reaches a user.
Settings (environment): TAUT_BENCH_WRITERS (50), TAUT_BENCH_READERS (20), TAUT_BENCH_SECONDS (20).
Run: ``python -m bench sqlite_concurrency``.
"""

from __future__ import annotations

import os
import statistics
import tempfile
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

from taut.clinic import Client, Consent, Hold, Role, User
from taut.services import charts, clients, clinics, sessions
from taut.store import Database, make_engine, migrate

PASSWORD = "correct horse battery"


@dataclass
class Outcome:
    hold_ms: list[float] = field(default_factory=list)
    read_ms: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    seconds: float = 0.0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, kind: str, ms: float) -> None:
        with self.lock:
            (self.hold_ms if kind == "hold" else self.read_ms).append(ms)

    def error(self, e: BaseException) -> None:
        with self.lock:
            self.errors.append(f"{type(e).__name__}: {str(e).splitlines()[0] if str(e) else ''}")


def _hold(n: int) -> Hold:
    return Hold(
        trp_id="upper_trapezius.trp1",
        side="right",  # type: ignore[arg-type]
        technique="ischemic_compression",
        pressure=3,
        seconds=20 + n % 40,
        discomfort=5,
    )


def setup(path: Path, writers: int) -> tuple[Database, User, list[tuple[int, int]]]:
    """A clinic with one therapist, and per writer a client with an open session: (client id, session id)."""
    db = Database(make_engine(f"sqlite:///{path}"))
    migrate.upgrade(db.engine)
    _, owner = clinics.create_clinic(
        db, name="Busy Clinic", owner_email="owner@busy.example", owner_name="Olga", password=PASSWORD
    )
    therapist = clinics.add_user(
        db, owner, email="theo@busy.example", name="Theo", role=Role.THERAPIST, password=PASSWORD
    )
    today = date.today()
    open_sessions = []
    for i in range(writers):
        c = clients.register_client(
            db,
            therapist,
            Client(
                given_name=f"Client{i}",
                family_name="Busy",
                date_of_birth=date(1980, 1, 1),
                sex="female",
                consent=Consent(treatment_on=today, data_use_on=today),
            ),
        )
        assert c.id is not None
        sid = sessions.start_session(db, therapist, c.id, pain_before=5, occurred_at=datetime.now(UTC))
        open_sessions.append((c.id, sid))
    return db, therapist, open_sessions


def run(
    path: Path, *, writers: int = 50, readers: int = 20, seconds: float = 20.0, ops: int | None = None
) -> Outcome:
    """Run the load for ``seconds`` (or ``ops`` operations per thread) and collect what happened."""
    db, user, open_sessions = setup(path, writers)
    out = Outcome()
    start = threading.Barrier(writers + readers)
    deadline = [0.0]

    def keep_going(done: int) -> bool:
        return done < ops if ops is not None else time.monotonic() < deadline[0]

    def writer(i: int) -> None:
        _, sid = open_sessions[i]
        start.wait()
        n = 0
        while keep_going(n):
            t0 = time.perf_counter()
            try:
                sessions.add_hold(db, user, sid, _hold(n))
                out.add("hold", (time.perf_counter() - t0) * 1000)
            except Exception as e:  # what a user would see
                out.error(e)
            n += 1

    def reader(i: int) -> None:
        start.wait()
        n = 0
        while keep_going(n):
            client_id = open_sessions[(i * 7 + n) % len(open_sessions)][0]
            t0 = time.perf_counter()
            try:
                charts.load_chart(db, user, client_id)
                out.add("read", (time.perf_counter() - t0) * 1000)
            except Exception as e:
                out.error(e)
            n += 1

    threads = [threading.Thread(target=writer, args=(i,)) for i in range(writers)]
    threads += [threading.Thread(target=reader, args=(i,)) for i in range(readers)]
    deadline[0] = time.monotonic() + seconds + 1
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    out.seconds = time.perf_counter() - t0
    db.dispose()
    return out


def _line(name: str, ms: list[float]) -> str:
    if not ms:
        return f"{name}: none"
    ms = sorted(ms)
    p95 = ms[max(0, int(len(ms) * 0.95) - 1)]
    return f"{name}: {len(ms)} done, median {statistics.median(ms):.1f} ms, p95 {p95:.1f} ms, max {ms[-1]:.1f} ms"


def main() -> None:
    writers = int(os.environ.get("TAUT_BENCH_WRITERS", "50"))
    readers = int(os.environ.get("TAUT_BENCH_READERS", "20"))
    seconds = float(os.environ.get("TAUT_BENCH_SECONDS", "20"))
    with tempfile.TemporaryDirectory() as tmp:
        out = run(Path(tmp) / "busy.sqlite3", writers=writers, readers=readers, seconds=seconds)
    total = len(out.hold_ms) + len(out.read_ms)
    print(
        f"{writers} writers, {readers} readers, {out.seconds:.1f} s: {total / out.seconds:.0f} operations/s"
    )
    print(_line("hold saves", out.hold_ms))
    print(_line("chart reads (audited)", out.read_ms))
    locked = sum("locked" in e for e in out.errors)
    print(f"errors: {len(out.errors)} ({locked} 'database is locked')")
    for e in sorted(set(out.errors))[:5]:
        print(f"  {e}")


if __name__ == "__main__":
    main()
