"""Taut: an open-source system for neuromuscular (trigger-point) therapy."""

__version__ = "0.1.0"
