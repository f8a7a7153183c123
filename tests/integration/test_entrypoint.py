"""The container's entrypoint script, run directly (no container runtime here): it waits for the database,
migrates and becomes the web server, on a fresh SQLite file and on the local PostgreSQL. Over the real wire:
/healthz and /readyz answer, and a chunked body over the limit is refused."""

from __future__ import annotations

import http.client
import os
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from tests.integration.conftest import PG_URL, pg_database_name
from tests.smtp_server import free_port

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "docker" / "entrypoint.sh"
pytestmark = pytest.mark.xdist_group("entrypoint")


def environment(database_url: str, port: int, tmp: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TAUT_")}
    env.update(
        PYTHONPATH=str(ROOT / "src"),
        TAUT_BIN=f"{sys.executable} -m taut.cli",
        TAUT_DATABASE_URL=database_url,
        TAUT_HOST="127.0.0.1",
        TAUT_PORT=str(port),
        TAUT_WORKERS="1",
        TAUT_DATA_DIR=str(tmp / "data"),
        TAUT_DB_WAIT_SECONDS="20",
        TMPDIR=str(tmp),
    )
    return env


def get(port: int, path: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=5) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()


@pytest.fixture
def started() -> Iterator[list[subprocess.Popen[bytes]]]:
    procs: list[subprocess.Popen[bytes]] = []
    yield procs
    for p in procs:
        if p.poll() is None:
            p.terminate()
            try:
                p.wait(timeout=20)
            except subprocess.TimeoutExpired:
                p.kill()


def run_until_ready(env: dict[str, str], tmp: Path, procs: list[subprocess.Popen[bytes]]) -> int:
    port = int(env["TAUT_PORT"])
    log = (tmp / "server.log").open("wb")
    proc = subprocess.Popen(["sh", str(SCRIPT)], env=env, cwd=tmp, stdout=log, stderr=subprocess.STDOUT)
    procs.append(proc)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        assert proc.poll() is None, (tmp / "server.log").read_text()
        try:
            status, body = get(port, "/readyz")
            if status == 200:
                assert body == b'{"status":"ready"}'
                return port
        except OSError:
            pass
        time.sleep(0.3)
    raise AssertionError("not ready: " + (tmp / "server.log").read_text())


def chunked_post(port: int, path: str, megabytes: int) -> int:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.putrequest("POST", path)
    conn.putheader("Transfer-Encoding", "chunked")
    conn.putheader("Content-Type", "application/json")
    conn.endheaders()
    try:
        for _ in range(megabytes):
            block = b" " * (1024 * 1024)
            conn.send(f"{len(block):x}\r\n".encode() + block + b"\r\n")
        conn.send(b"0\r\n\r\n")
    except OSError:
        pass  # the server may close the connection once it has refused
    status = conn.getresponse().status
    conn.close()
    return status


def check_server(port: int) -> None:
    status, body = get(port, "/healthz")
    assert (status, body) == (200, b'{"status":"ok"}')
    assert chunked_post(port, "/api/v1/clients", 3) == 413


def test_the_entrypoint_on_a_new_sqlite_file(tmp_path: Path, started: list[subprocess.Popen[bytes]]) -> None:
    db = tmp_path / "data" / "taut.sqlite3"
    env = environment(f"sqlite:///{db}", free_port(), tmp_path)
    port = run_until_ready(env, tmp_path, started)
    check_server(port)
    assert db.exists() and oct(db.stat().st_mode & 0o777) == "0o600"
    assert oct((tmp_path / "data").stat().st_mode & 0o777) == "0o700"


@pytest.mark.postgres
def test_the_entrypoint_on_postgresql(
    tmp_path: Path, worker_id: str, started: list[subprocess.Popen[bytes]]
) -> None:
    name = pg_database_name(worker_id, "entry")
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as e:
        pytest.skip(f"PostgreSQL not reachable: {e}")
    url = PG_URL.rsplit("/", 1)[0] + f"/{name}"
    try:
        port = run_until_ready(environment(url, free_port(), tmp_path), tmp_path, started)
        check_server(port)
    finally:
        for p in started:
            p.terminate()
            p.wait(timeout=20)
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def test_the_entrypoint_gives_up_clearly_when_the_database_never_answers(tmp_path: Path) -> None:
    env = environment("postgresql+psycopg://nobody@127.0.0.1:9/none", free_port(), tmp_path)
    env["TAUT_DB_WAIT_SECONDS"] = "2"
    done = subprocess.run(
        ["sh", str(SCRIPT)], env=env, cwd=tmp_path, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 1
    assert "entrypoint: the database did not answer within 2 s" in done.stderr


def test_the_entrypoint_runs_other_commands(tmp_path: Path) -> None:
    env = environment(f"sqlite:///{tmp_path / 'data' / 'x.sqlite3'}", free_port(), tmp_path)
    done = subprocess.run(
        ["sh", str(SCRIPT), "db", "upgrade"],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert "database at revision" in done.stdout
