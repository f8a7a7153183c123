"""Answering a case file (``taut suggest --cases``) on every core: the answers' text, block by block, in the
file's order.

A file of ``PARALLEL_FROM`` cases or more is cut into blocks of ``BLOCK`` cases answered by ``jobs`` worker
processes, forked once the file is read and checked and the engine's tables are built, so that every worker
shares them with this process instead of reading and building them again. This process writes each block as
soon as it and every block before it are answered, and keeps at most two blocks per worker waiting: memory
stays flat however long the file. A worker that dies (killed, out of memory) ends the command with an error
instead of leaving it waiting. The answers are the ones a single process gives, byte for byte (a worker runs
the same engine on the same cases, with the same hash seed). Where processes cannot be forked (not Linux) or
only one core is there, the file is answered here, one chunk after another.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import signal
import sys
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import TYPE_CHECKING, TextIO

if TYPE_CHECKING:
    from taut.reasoning.case import Case, CaseFile
    from taut.reasoning.result import Suggestion

BLOCK = 256  # cases a worker answers at a time
PARALLEL_FROM = 1_000  # a smaller file is answered in this process: forking would cost more than it saves
# each worker adds about 45 MB (its own answers, the pages it copies); --jobs asks for more
MAX_DEFAULT_JOBS = 4

Answer = Callable[[Iterable["Case"]], Iterator["Suggestion"]]

_work: tuple[CaseFile, Answer, bool] | None = None  # what the forked workers answer (they inherit it)


def default_jobs() -> int:
    """One worker per core this process may run on, at most ``MAX_DEFAULT_JOBS``."""
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cores = os.cpu_count() or 1
    return min(cores, MAX_DEFAULT_JOBS)


def text(answers: Iterable[Suggestion], json_: bool) -> str:
    """The answers as written: compact JSON, each after ``,\\n``; or one line a case (its five first muscles)."""
    if json_:
        return "".join([",\n" + r.to_json() for r in answers])
    out = []
    for r in answers:
        names = ", ".join(m.muscle for m in r.ranking[:5])
        flag = " RED FLAG: refer before treatment;" if r.red_flags else ""
        out.append(f"{r.case_id}:{flag} {names}\n")
    return "".join(out)


def blocks(cases: CaseFile, answer: Answer, json_: bool, jobs: int) -> Iterator[str]:
    """The text of every answer, in the file's order, in blocks."""
    n = len(cases)
    forkable = sys.platform == "linux" and "fork" in multiprocessing.get_all_start_methods()
    if jobs <= 1 or n < PARALLEL_FROM or not forkable:
        yield from _here(cases, answer, json_)
        return
    global _work
    text(answer(cases.between(0, 1)), json_)  # the engine's tables built here, before the workers are forked
    _work = (cases, answer, json_)
    gc.freeze()  # what is read and built so far stays out of the collector's walks (and unwritten in the workers)
    context = multiprocessing.get_context("fork")
    pool = ProcessPoolExecutor(jobs, mp_context=context, initializer=_worker_start)
    try:
        waiting: deque[Future[str]] = deque()
        for start in range(0, n, BLOCK):
            waiting.append(pool.submit(_block, (start, min(n, start + BLOCK))))
            if len(waiting) >= 2 * jobs:
                yield _result(waiting.popleft())
        while waiting:
            yield _result(waiting.popleft())
    finally:
        pool.shutdown(wait=True, cancel_futures=True)  # at most two blocks per worker were still to answer
        _work = None


def _result(done: Future[str]) -> str:
    try:
        return done.result()
    except BrokenProcessPool:
        raise ChildProcessError(
            "a worker process answering the cases ended before its block was answered (killed, or out of "
            "memory?); the answers written so far are incomplete: run again, with --jobs 1 to use one process"
        ) from None


class Progress:
    """How far the answering of a long case file is, on one line of the terminal (stderr; the answers go to
    stdout): the cases answered, of how many, at most ten times a second."""

    def __init__(self, total: int, stream: TextIO) -> None:
        self.total, self.stream, self.done = total, stream, 0
        self.started = self.shown = time.monotonic()

    def advance(self, cases: int) -> None:
        self.done = min(self.total, self.done + cases)
        now = time.monotonic()
        if now - self.shown >= 0.1:
            self.shown = now
            percent = 100 * self.done // self.total
            self.stream.write(f"\ranswered {self.done:,} of {self.total:,} cases ({percent} %)")
            self.stream.flush()

    def end(self, finished: bool) -> None:
        """The last word: how long it took, or (cut short) a line break before the error says why."""
        seconds = time.monotonic() - self.started
        line = f"\ranswered {self.total:,} cases in {seconds:.1f} s\x1b[K\n" if finished else "\n"
        self.stream.write(line)
        self.stream.flush()


def _here(cases: CaseFile, answer: Answer, json_: bool) -> Iterator[str]:
    done: list[Suggestion] = []
    for i, r in enumerate(answer(cases)):
        if i == 0:
            # The cases read, the knowledge base and the engine's tables stay to the end: set aside from the
            # garbage collector, which would otherwise walk them all again and again (a batch process).
            gc.freeze()
        done.append(r)
        if len(done) == BLOCK:
            yield text(done, json_)
            done = []
    yield text(done, json_)


def _worker_start() -> None:
    """Ctrl-C is this process's to handle (it stops the workers), not each worker's."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _block(bounds: tuple[int, int]) -> str:
    """In a worker: the text of the answers to cases ``start`` up to ``stop``."""
    assert _work is not None, "a worker is forked with the work set"
    cases, answer, json_ = _work
    return text(answer(cases.between(*bounds)), json_)
