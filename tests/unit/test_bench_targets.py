"""The benchmark table (bench/targets.py): pass or fail by the target's direction, one row per figure."""

from __future__ import annotations

from bench.targets import Result, table


def _r(measured: float, limit: float, higher: bool = False) -> Result:
    return Result("t", "SQLite", measured, limit, "ms", higher, 3.5, "note")


def test_a_target_passes_on_its_own_side_of_the_limit() -> None:
    assert _r(4.0, 5.0).passed and _r(5.0, 5.0).passed and not _r(5.1, 5.0).passed
    assert _r(0.31, 0.3, higher=True).passed and not _r(0.29, 0.3, higher=True).passed


def test_the_table_has_a_row_per_figure_and_says_how_many_passed() -> None:
    text = table([_r(4.0, 5.0), _r(0.2, 0.3, higher=True)])
    lines = text.splitlines()
    assert lines[0].split()[:3] == ["target", "database", "measured"] and set(lines[1]) <= {"-", " "}
    assert "≤ 5.00 ms" in lines[2] and "pass" in lines[2] and "3.5" in lines[2]
    assert "≥ 0.300 ms" in lines[3] and "FAIL" in lines[3]
    assert lines[-1].startswith("1 of 2 targets met")
