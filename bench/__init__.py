"""Taut's benchmarks: speed targets are measured here, never asserted in tests. Run ``make bench``."""
