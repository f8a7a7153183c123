"""The suggestion engine: from a whole pain drawing and the client's story to ranked, explained trigger points.

A red-flag screen runs first; the chart-lookup baseline lives beside the engine so every evaluation shows both.
"""

from taut.reasoning.case import Case, CaseError
from taut.reasoning.engine import suggest
from taut.reasoning.result import Suggestion

__all__ = ["Case", "CaseError", "Suggestion", "suggest"]
