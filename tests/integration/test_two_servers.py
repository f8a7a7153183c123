"""No state in a process: two `taut serve` processes on two ports against one PostgreSQL share sessions and
sign-in throttling (sign in on one and use the other; sign out on one and be refused on the other; failures
counted across both)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from tests.integration.conftest import PASSWORD, fresh_database

from taut.services import clinics
from taut.store import Database

pytestmark = [pytest.mark.postgres, pytest.mark.xdist_group("two_servers")]
SERVE = "from taut.cli.main import run; run()"


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _start(url: str, port: int, tmp: Path) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "TAUT_DATABASE_URL": url,
        "TAUT_SECRET_KEY": "two-servers-secret-" + "k" * 40,  # the one shared setting, from the environment
        "TAUT_SECRET_KEY_PATH": str(tmp / "unused-key"),
    }
    cmd = [sys.executable, "-c", SERVE, "serve", "--host", "127.0.0.1", "--port", str(port)]
    proc = subprocess.Popen(cmd, env=env, cwd=tmp, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    for _ in range(600):
        if proc.poll() is not None:
            raise AssertionError(
                f"taut serve stopped: {proc.stderr.read().decode()[-2000:] if proc.stderr else ''}"
            )
        try:
            if httpx.get(f"http://127.0.0.1:{port}/api/v1/health", timeout=1).status_code == 200:
                return proc
        except httpx.TransportError:
            time.sleep(0.1)
    proc.terminate()
    raise AssertionError("taut serve did not answer in 60 s")


@pytest.fixture(scope="module")
def servers(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[str, str, Database]]:
    tmp = tmp_path_factory.mktemp("two")
    db = fresh_database("postgresql", tmp, request)
    clinics.create_clinic(
        db, name="Two Servers", owner_email="olga@two.example", owner_name="Olga Ott", password=PASSWORD
    )
    url = db.engine.url.render_as_string(hide_password=False)
    port_a, port_b = _free_port(), _free_port()
    a = _start(url, port_a, tmp)  # migrates first; the second finds the schema current
    try:
        b = _start(url, port_b, tmp)
    except Exception:
        a.terminate()
        raise
    yield f"http://127.0.0.1:{port_a}", f"http://127.0.0.1:{port_b}", db
    for p in (a, b):
        p.terminate()
        p.wait(timeout=20)
    db.dispose()


def _csrf(client: httpx.Client, base: str) -> str:
    m = re.search(r'name="csrf_token" value="([^"]+)"', client.get(f"{base}/login").text)
    assert m
    return m.group(1)


def _sign_in(client: httpx.Client, base: str, email: str, password: str) -> httpx.Response:
    token = _csrf(client, base)
    return client.post(f"{base}/login", data={"email": email, "password": password, "csrf_token": token})


def test_a_session_made_on_one_server_is_used_and_ended_on_the_other(
    servers: tuple[str, str, Database],
) -> None:
    a, b, _ = servers
    on_a = httpx.Client(follow_redirects=False)
    assert _sign_in(on_a, a, "olga@two.example", PASSWORD).status_code == 303
    on_b = httpx.Client(follow_redirects=False, cookies=on_a.cookies)
    assert on_b.get(f"{b}/clients").status_code == 200  # signed in on A, used on B
    csrf = on_b.get(f"{b}/api/v1/session").json()["csrf_token"]
    assert on_b.post(f"{b}/logout", data={"csrf_token": csrf}).status_code == 303
    r = on_a.get(f"{a}/clients")  # signed out on B, refused on A
    assert r.status_code == 303 and r.headers["location"].startswith("/login")


def test_failed_sign_ins_are_counted_across_both_servers(servers: tuple[str, str, Database]) -> None:
    a, b, _ = servers
    client = httpx.Client(follow_redirects=False)
    for i in range(5):
        r = _sign_in(client, a if i % 2 else b, "olga@two.example", "not the password at all")
        assert r.status_code == 401
    r = _sign_in(client, a, "olga@two.example", PASSWORD)
    assert r.status_code == 429  # five failures in all, spread over both: the sixth try waits, even if right
    r = _sign_in(client, b, "olga@two.example", PASSWORD)
    assert r.status_code == 429
