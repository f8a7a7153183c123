"""The perpetuating factors, declared once (clinic/factors.py): the records hold exactly the declared fields, check
them by the declaration, and every adapter's words come from it."""

from __future__ import annotations

import dataclasses

import pytest
from tests.records_factories import make_intake

from taut.clinic.errors import RecordValidationError
from taut.clinic.factors import FACTORS, group, parse
from taut.clinic.intake import Biochemical, Biomechanical, Factors, Psychosocial
from taut.clinic.soap import factor_lines

RECORDS = {"biomechanical": Biomechanical, "biochemical": Biochemical, "psychosocial": Psychosocial}


@pytest.mark.parametrize("g", FACTORS, ids=lambda g: g.name)
def test_each_group_record_has_exactly_the_declared_fields(g: object) -> None:
    """(The records keep the fields of the first version first, so stored and exported intakes keep their order;
    the declaration's order is the one forms and notes show.)"""
    record = RECORDS[g.name]  # type: ignore[attr-defined]
    assert sorted(f.name for f in dataclasses.fields(record)) == sorted(g.names)  # type: ignore[attr-defined]
    blank = record()
    for f in g:  # type: ignore[attr-defined]
        assert getattr(blank, f.name) == f.empty


def test_the_three_groups_cover_what_the_method_names() -> None:
    assert [g.name for g in FACTORS] == ["biomechanical", "biochemical", "psychosocial"]
    assert {"work", "desk_hours", "posture", "sport", "injuries"} <= set(group("biomechanical").names)
    assert {"sleep_hours", "sleep_quality", "hydration", "nutrition", "medications", "conditions"} <= set(
        group("biochemical").names
    )
    assert {"stress_level", "mood", "worries", "pss10"} <= set(group("psychosocial").names)
    # structured fields come with free text beside them in each group
    for g in FACTORS:
        kinds = {f.kind for f in g}
        assert "text" in kinds and kinds - {"text"}


@pytest.mark.parametrize(
    ("make", "field", "words"),
    [
        (lambda: Psychosocial(stress_level=11), "factors.psychosocial.stress_level", "0-10"),
        (lambda: Psychosocial(pss10=41), "factors.psychosocial.pss10", "0-40"),
        (lambda: Psychosocial(mood="ecstatic"), "factors.psychosocial.mood", "one of"),
        (lambda: Biochemical(sleep_quality="meh"), "factors.biochemical.sleep_quality", "one of"),
        (lambda: Biochemical(sleep_hours=25.0), "factors.biochemical.sleep_hours", "between 0 and 24"),
        (lambda: Biomechanical(desk_hours=-1.0), "factors.biomechanical.desk_hours", "between 0 and 24"),
        (lambda: Biomechanical(injuries="x" * 1001), "factors.biomechanical.injuries", "1000"),
    ],
)
def test_a_value_outside_the_declaration_is_refused_naming_the_field(
    make: object, field: str, words: str
) -> None:
    with pytest.raises(RecordValidationError) as e:
        make()  # type: ignore[operator]
    assert e.value.field == field and words in str(e.value)


def test_form_text_is_parsed_by_kind() -> None:
    g = group("biochemical")
    assert parse(g.field("sleep_hours"), "7,5", "sleep_hours") == 7.5
    assert parse(g.field("sleep_hours"), " ", "sleep_hours") is None
    assert parse(g.field("sleep"), " wakes at 4 ", "sleep") == "wakes at 4"
    with pytest.raises(RecordValidationError, match="number of hours 0-24"):
        parse(g.field("sleep_hours"), "lots", "sleep_hours")
    with pytest.raises(RecordValidationError, match="between 0 and 24"):
        parse(g.field("sleep_hours"), "nan", "sleep_hours")
    with pytest.raises(RecordValidationError) as e:
        parse(group("psychosocial").field("stress_level"), "11", "stress_level")
    assert e.value.field == "stress_level"


def test_the_soap_note_says_every_group_told_in_the_declarations_words() -> None:
    intake = make_intake(
        factors=Factors(
            biomechanical=Biomechanical(desk_hours=9.0, injuries="whiplash 2019"),
            biochemical=Biochemical(sleep_hours=5.5, sleep_quality="poor"),
            psychosocial=Psychosocial(stress_level=7, mood="low", pss10=24),
        )
    )
    assert factor_lines(intake) == [
        "Biomechanical factors: Desk or screen work 9 h/day; Old injuries: whiplash 2019.",
        "Biochemical factors: Sleep 5.5 h/night; Sleep quality poor.",
        "Psychosocial factors: Stress level 7/10; Mood low; PSS-10 24/40.",
    ]
    assert factor_lines(make_intake(factors=Factors())) == []
