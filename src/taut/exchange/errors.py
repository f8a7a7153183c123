"""The one error of the exchange formats: it names where the bad value is and what is wrong with it."""

from __future__ import annotations


class ExchangeError(ValueError):
    """Bad or unusable input. The message starts with where (file, table, row, column), then what."""

    def __init__(self, where: str, problem: str) -> None:
        self.where = where
        self.problem = problem
        super().__init__(f"{where}: {problem}" if where else problem)
