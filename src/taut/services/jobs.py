"""A job run every few minutes in a background thread of ``taut serve`` (the reminders, the follow-up links).
Each job is idempotent and keeps its "once only" in the database, so several processes may run it."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable


class PeriodicWorker:
    """Runs ``job`` every ``interval`` seconds until stopped; a failing round is logged and the next one tries
    again."""

    def __init__(self, name: str, job: Callable[[], object], interval: float = 300.0) -> None:
        self.name, self.job, self.interval = name, job, interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"taut-{name}", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=10)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self.job()
            except Exception:  # keep the worker alive; the next round tries again
                logging.getLogger(f"taut.{self.name}").exception("%s failed", self.name)
            self._stop.wait(self.interval)
