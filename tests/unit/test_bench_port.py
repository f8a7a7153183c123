"""A benchmark that starts a server refuses a port something already listens on (it would load that server)."""

from __future__ import annotations

import socket

import pytest
from bench.bench_throughput import port_free


def test_a_taken_port_is_refused_naming_the_setting_and_a_free_one_is_not() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        port = s.getsockname()[1]
        with pytest.raises(SystemExit, match=f"127.0.0.1:{port}.*TAUT_BENCH_THROUGHPUT_PORT"):
            port_free(port, "TAUT_BENCH_THROUGHPUT_PORT")
    port_free(port, "TAUT_BENCH_THROUGHPUT_PORT")  # closed: nothing answers
