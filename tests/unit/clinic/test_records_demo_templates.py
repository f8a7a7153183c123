"""The demo clinic's presentations are valid records: every trigger point, technique, term and movement."""

from __future__ import annotations

from taut.services.demo import check_templates
from taut.services.demo_data import PRESENTATIONS


def test_every_demo_presentation_passes_the_domain_rules() -> None:
    check_templates()


def test_demo_presentations_cover_the_common_complaints() -> None:
    names = {p.name for p in PRESENTATIONS}
    assert {"desk headache", "whiplash", "low back", "shoulder"} <= names
