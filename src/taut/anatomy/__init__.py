"""The coded body map: regions, sides, hierarchy, term resolver, crosswalks and pain drawings."""

from taut.anatomy.regions import BodyMap, Region, Side, body_map
from taut.anatomy.resolve import UnknownTermError, resolve

__all__ = ["BodyMap", "Region", "Side", "UnknownTermError", "body_map", "resolve"]
