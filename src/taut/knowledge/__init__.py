"""The open, cited trigger-point knowledge base: muscles, trigger points, referral zones, conditions,
red flags and cautions, techniques. Data files live in ``data/``; ``load`` validates them."""

from taut.anatomy.datafile import Problem
from taut.knowledge.loader import KnowledgeBase, KnowledgeError, knowledge, load

__all__ = ["KnowledgeBase", "KnowledgeError", "Problem", "knowledge", "load"]
