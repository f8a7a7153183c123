"""``taut suggest --cases`` on several processes (``cli/batch.py``): the same bytes as one process, in the file's
order, from worker processes that really are others; the options checked; a reader that stops early ends it
quietly."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import cast

import pytest
from bench.bench_engine import _case_file, synthetic_cases
from typer.testing import CliRunner

from taut.cli import batch
from taut.cli.main import app
from taut.reasoning.case import CaseFile

runner = CliRunner()
N = 2_300  # above PARALLEL_FROM, and not a whole number of blocks


@pytest.fixture(scope="module")
def case_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("batch") / "cases.json"
    _case_file(path, synthetic_cases(N, seed=11))
    return path


def _run(*args: str) -> str:
    r = runner.invoke(app, ["suggest", *args])
    assert r.exit_code == 0, r.output
    return r.stdout


@pytest.mark.parametrize("json_", [True, False], ids=["json", "lines"])
def test_several_workers_write_what_one_process_writes_byte_for_byte(case_file: Path, json_: bool) -> None:
    flag = ["--json"] if json_ else []
    one = _run("--cases", str(case_file), "--jobs", "1", *flag)
    assert _run("--cases", str(case_file), "--jobs", "2", *flag) == one
    assert _run("--cases", str(case_file), "-j", "3", *flag) == one
    if json_:
        results = json.loads(one)["results"]
        assert [r["id"] for r in results] == [f"S{i}" for i in range(N)]
    else:
        assert [line.split(":")[0] for line in one.splitlines()] == [f"S{i}" for i in range(N)]


class _Tagged:
    """An answer that says which process gave it (the batch's machinery, apart from the engine)."""

    def __init__(self, case_id: str | None) -> None:
        self.case_id = case_id

    def to_json(self) -> str:
        return json.dumps([self.case_id, os.getpid()])


def _tagged(cases: Iterable[object]) -> Iterator[_Tagged]:
    return (_Tagged(c.id) for c in cases)  # type: ignore[attr-defined]


TAGGED = cast(batch.Answer, _tagged)


def test_the_blocks_are_answered_by_other_processes_and_come_back_in_order(case_file: Path) -> None:
    cases = CaseFile(case_file)
    text = "".join(batch.blocks(cases, TAGGED, True, 2))
    answers = [json.loads(line) for line in text.removeprefix(",\n").split(",\n")]
    assert [case_id for case_id, _ in answers] == [f"S{i}" for i in range(N)]
    workers = {pid for _, pid in answers}
    assert len(workers) == 2 and os.getpid() not in workers


def test_a_small_file_or_one_job_is_answered_in_this_process(case_file: Path, tmp_path: Path) -> None:
    small = tmp_path / "small.json"
    _case_file(small, synthetic_cases(batch.PARALLEL_FROM - 1, seed=3))
    for path, jobs in ((small, 4), (case_file, 1)):
        text = "".join(batch.blocks(CaseFile(path), TAGGED, True, jobs))
        assert {pid for _, pid in (json.loads(x) for x in text.removeprefix(",\n").split(",\n"))} == {
            os.getpid()
        }


def test_jobs_must_be_at_least_one_and_go_with_a_case_file(case_file: Path) -> None:
    r = runner.invoke(app, ["suggest", "--cases", str(case_file), "--jobs", "0"])
    assert r.exit_code == 2 and "--jobs must be at least 1, not 0" in r.stderr
    r = runner.invoke(app, ["suggest", "--pain", "temple:right", "--jobs", "2"])
    assert r.exit_code == 2 and "--jobs is for a --cases file" in r.stderr


def test_the_default_is_one_worker_per_core_up_to_four() -> None:
    assert 1 <= batch.default_jobs() <= min(len(os.sched_getaffinity(0)), batch.MAX_DEFAULT_JOBS)


def test_a_reader_that_stops_early_ends_it_quietly(case_file: Path) -> None:
    taut = Path(sys.executable).with_name("taut")
    proc = subprocess.Popen(
        [str(taut), "suggest", "--cases", str(case_file), "--json", "--jobs", "2"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert proc.stdout is not None and proc.stderr is not None
    assert proc.stdout.readline() == b'{"results":[\n'
    proc.stdout.close()  # as `| head -1` does
    err = proc.stderr.read()
    assert proc.wait(timeout=60) == 141
    assert err == b""


@pytest.mark.parametrize("method", ["engine", "baseline"])
def test_the_answers_do_not_depend_on_the_hash_seed(tmp_path: Path, method: str) -> None:
    """Two processes with different hash seeds (a set's order follows it) write the same bytes. The baseline
    listed a muscle's trigger points in the order of a set of the painted regions until this was tested."""
    path = tmp_path / "cases.json"
    _case_file(path, synthetic_cases(400, seed=5))
    taut = Path(sys.executable).with_name("taut")
    outs = [
        subprocess.run(
            [str(taut), "suggest", "--cases", str(path), "--json", "--method", method],
            capture_output=True,
            check=True,
            env={**os.environ, "PYTHONHASHSEED": seed},
        ).stdout
        for seed in ("1", "2")
    ]
    assert outs[0] == outs[1] and len(outs[0]) > 100_000


def _dies_at_s300(cases: Iterable[object]) -> Iterator[_Tagged]:
    for c in cases:
        if c.id == "S300":  # type: ignore[attr-defined]
            os.kill(os.getpid(), signal.SIGKILL)  # as the out-of-memory killer would
        yield _Tagged(c.id)  # type: ignore[attr-defined]


def test_a_worker_that_dies_ends_the_command_with_an_error_not_a_wait(case_file: Path) -> None:
    blocks = batch.blocks(CaseFile(case_file), cast(batch.Answer, _dies_at_s300), True, 2)
    first = next(blocks)  # the first block (S0-S255) is answered
    assert '"S255"' in first
    with pytest.raises(ChildProcessError, match="a worker process answering the cases ended"):
        for _ in blocks:
            pass


def test_on_a_terminal_the_progress_goes_to_stderr_and_the_answers_stay_clean(case_file: Path) -> None:
    """stderr a terminal (a pseudo-terminal here): the cases answered, of how many, and the time at the end;
    stdout the same JSON as ever. (stderr a pipe, as in the test above, gets nothing.)"""
    import pty

    taut = Path(sys.executable).with_name("taut")
    primary, secondary = pty.openpty()
    proc = subprocess.Popen(
        [str(taut), "suggest", "--cases", str(case_file), "--json"], stdout=subprocess.PIPE, stderr=secondary
    )
    os.close(secondary)
    out = proc.communicate(timeout=120)[0]
    shown = b""
    while True:
        try:
            chunk = os.read(primary, 65536)
        except OSError:  # the terminal's other end is closed: all is read
            break
        if not chunk:
            break
        shown += chunk
    os.close(primary)
    assert proc.returncode == 0
    assert len(json.loads(out)["results"]) == N
    assert re.search(rb"answered 2,300 cases in \d+\.\d s", shown), shown
    assert b"{" not in shown


def test_a_file_too_large_to_keep_its_cases_is_answered_alike(
    case_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Above ``case.KEEP`` cases a file keeps where each case starts and reads it again when it is answered
    (100,000 cases: 24 MB of text): the workers read their blocks so, in the file's order."""
    from taut.reasoning import case as case_module

    kept = CaseFile(case_file)
    monkeypatch.setattr(case_module, "KEEP", 100)
    reread = CaseFile(case_file)
    assert reread._kept is None and kept._kept is not None
    assert list(reread.between(250, 520)) == list(kept.between(250, 520)) == list(kept)[250:520]
    assert list(reread.between(N - 3, N + 5)) == list(kept)[N - 3 :]
    text = "".join(batch.blocks(reread, TAGGED, True, 2))
    assert [json.loads(x)[0] for x in text.removeprefix(",\n").split(",\n")] == [f"S{i}" for i in range(N)]
