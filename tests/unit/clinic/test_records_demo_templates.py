"""The demo clinic's presentations are valid records: every trigger point, technique, term and movement."""

from __future__ import annotations

import random
from datetime import date

from taut.anatomy.regions import Side
from taut.clinic.catalogue import catalogue
from taut.services.demo import _assessment, _intake, _plan
from taut.services.demo_data import PRESENTATIONS


def test_every_demo_presentation_passes_the_domain_rules() -> None:
    """One full record of every presentation built through the domain rules (they raise if one is invalid)."""
    cat = catalogue()
    day = date(2025, 1, 6)
    for p in PRESENTATIONS:
        _intake(p, Side.RIGHT, day, random.Random(0)).validate(cat)
        _assessment(p, Side.RIGHT, day, random.Random(0)).validate(cat)
        _plan(p, Side.RIGHT, day, 8, 7).validate(cat)
        for t in p.techniques:
            cat.check_technique("demo.technique", t)


def test_demo_presentations_cover_the_common_complaints() -> None:
    names = {p.name for p in PRESENTATIONS}
    assert {"desk headache", "whiplash", "low back", "shoulder"} <= names
