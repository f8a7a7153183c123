"""The loader reports every broken data file as file:line with what is wrong.

Each test copies the packaged data directory into tmp_path, breaks one file and checks the message."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from taut.knowledge import KnowledgeError, load
from taut.knowledge.loader import DATA_DIR

TRAPEZIUS = Path("muscles/neck/upper_trapezius.yaml")

# A fixed, valid record that the tests break one line at a time (so clinicians can keep editing the real one).
UPPER_TRAPEZIUS = """\
name: upper trapezius
aliases: [trapezius upper fibres, upper traps]
body_part: neck
action: Elevates the scapula.
innervation: Spinal accessory nerve.
anatomy_sources: ["simons1999:ch. 6"]
involvement:
  frequency: very_common
  sources: ["simons1999:ch. 6"]
trigger_points:
- id: upper_trapezius.trp1
  name: TrP1
  location: Free anterior border.
  marker: {region: neck.shoulder_angle, view: back}
  essential: [neck.posterior_upper, head.mastoid, head.temple]
  spillover: [head.jaw_angle]
  sources: ["simons1999:ch. 6"]
- id: upper_trapezius.trp2
  name: TrP2
  location: Horizontal fibres.
  marker: {region: shoulder.top, view: back}
  essential: [neck.posterior_upper]
  sources: ["simons1999:ch. 6"]
symptoms:
  terms: [headache, stiffness, dizziness]
  sources: ["simons1999:ch. 6"]
examination:
  position: Supine.
  palpation: pincer
  sources: ["simons1999:ch. 6"]
treatment:
  techniques: [ischemic_compression, stretching]
  self_care:
    stretch: Side-bend the head away.
  sources: ["simons1999:ch. 6"]
"""


@pytest.fixture
def data(tmp_path: Path) -> Path:
    """A private copy of the packaged data, laid out as ``<tmp>/data``, with the fixed upper trapezius record."""
    dst = tmp_path / "data"
    shutil.copytree(DATA_DIR, dst, ignore=shutil.ignore_patterns("__pycache__"))
    (dst / TRAPEZIUS).write_text(UPPER_TRAPEZIUS, encoding="utf-8")
    return dst


def break_file(root: Path, rel: Path | str, old: str, new: str) -> int:
    """Replace the first ``old`` with ``new`` in one file; return the 1-based line where it happened."""
    path = root / rel
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {rel}: the fixture no longer matches the data"
    line = text[: text.index(old)].count("\n") + 1
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return line


def problems(root: Path) -> list[str]:
    with pytest.raises(KnowledgeError) as e:
        load(root=root, complete=False)
    return [str(p) for p in e.value.problems]


def test_the_untouched_copy_loads(data: Path) -> None:
    kb = load(root=data, complete=False)
    assert "upper trapezius" in kb.muscles


def test_unknown_region_names_file_line_and_the_closest_region(data: Path) -> None:
    line = break_file(data, TRAPEZIUS, "head.temple]", "head.tempel]")
    found = problems(data)
    want = f"data/{TRAPEZIUS.as_posix()}:{line}: unknown body-map region 'head.tempel'"
    assert any(p.startswith(want) and "head.temple" in p for p in found), found


def test_unknown_source_key_with_did_you_mean(data: Path) -> None:
    line = break_file(data, TRAPEZIUS, 'anatomy_sources: ["simons1999:', 'anatomy_sources: ["simons199:')
    found = problems(data)
    assert (
        f"data/{TRAPEZIUS.as_posix()}:{line}: unknown source 'simons199' (did you mean 'simons1999'?)"
        in found
    )


def test_missing_sources_on_a_trigger_point(data: Path) -> None:
    path = data / TRAPEZIUS
    text = path.read_text(encoding="utf-8")
    tp2 = text.index("- id: upper_trapezius.trp2")
    src = text.index("  sources:", tp2)
    end = text.index("\n", src)
    path.write_text(text[:src] + text[end + 1 :], encoding="utf-8")
    line = text[:tp2].count("\n") + 1
    found = problems(data)
    assert f"data/{TRAPEZIUS.as_posix()}:{line}: trigger_points.1.sources: Field required" in found, found


def test_bad_choice_names_the_field(data: Path) -> None:
    line = break_file(data, TRAPEZIUS, "palpation: pincer", "palpation: squeeze")
    found = problems(data)
    hit = [p for p in found if p.startswith(f"data/{TRAPEZIUS.as_posix()}:{line}: examination.palpation:")]
    assert hit and "'flat'" in hit[0] and "'pincer'" in hit[0], found


def test_unknown_field_is_refused(data: Path) -> None:
    line = break_file(data, TRAPEZIUS, "innervation:", "inervation:")
    found = problems(data)
    assert f"data/{TRAPEZIUS.as_posix()}:{line}: inervation: Extra inputs are not permitted" in found, found
    assert any(p.endswith("innervation: Field required") for p in found), found


def test_unknown_vocabulary_term_and_wrong_kind(data: Path) -> None:
    line = break_file(
        data, TRAPEZIUS, "terms: [headache, stiffness, dizziness]", "terms: [headache, stifness, desk work]"
    )
    found = problems(data)
    rel = f"data/{TRAPEZIUS.as_posix()}:{line}"
    assert any(
        p.startswith(f"{rel}: unknown vocabulary term 'stifness'") and "stiffness" in p for p in found
    ), found
    assert any(p.startswith(f"{rel}: 'desk work' is a mechanism") for p in found), found


def test_unknown_technique(data: Path) -> None:
    line = break_file(
        data, TRAPEZIUS, "techniques: [ischemic_compression,", "techniques: [ischaemic_compression,"
    )
    found = problems(data)
    assert any(
        p.startswith(f"data/{TRAPEZIUS.as_posix()}:{line}: unknown technique 'ischaemic_compression'")
        for p in found
    ), found


def test_trigger_point_id_must_carry_the_muscle_slug(data: Path) -> None:
    line = break_file(data, TRAPEZIUS, "- id: upper_trapezius.trp2", "- id: trapezius.trp2")
    found = problems(data)
    assert (
        f"data/{TRAPEZIUS.as_posix()}:{line}: trigger point id 'trapezius.trp2' must start with 'upper_trapezius.trp'"
        in found
    )


def test_non_canonical_muscle_name(data: Path) -> None:
    line = break_file(data, TRAPEZIUS, "name: upper trapezius", "name: upper trapezious")
    found = problems(data)
    assert (
        f"data/{TRAPEZIUS.as_posix()}:{line}: 'upper trapezious' is not a canonical muscle name "
        "(did you mean 'upper trapezius'?)" in found
    ), found


def test_condition_with_unknown_muscle_and_red_flag(data: Path) -> None:
    m_line = break_file(data, "conditions.yaml", "{muscle: upper trapezius", "{muscle: upper trapezeus")
    r_line = break_file(
        data, "conditions.yaml", "red_flags: [subarachnoid_haemorrhage,", "red_flags: [thunderclap,"
    )
    found = problems(data)
    assert any(
        p.startswith(f"data/conditions.yaml:{m_line}: unknown muscle 'upper trapezeus'") for p in found
    ), found
    assert f"data/conditions.yaml:{r_line}: unknown red-flag rule 'thunderclap'" in found, found


def test_rule_with_unknown_term(data: Path) -> None:
    line = break_file(data, "red_flags.yaml", "any_terms: [saddle numbness,", "any_terms: [saddle numbnes,")
    found = problems(data)
    assert any(
        p.startswith(f"data/red_flags.yaml:{line}: unknown vocabulary term 'saddle numbnes'") for p in found
    )


def test_duplicate_source_key(data: Path) -> None:
    path = data / "sources" / "extra.yaml"
    path.write_text(
        "sources:\n- {key: simons1999, kind: book, citation: 'A second entry under the same key.'}\n",
        encoding="utf-8",
    )
    found = problems(data)
    assert "data/sources/extra.yaml:2: source key 'simons1999' is defined twice" in found, found


def test_invalid_yaml_gives_the_line(data: Path) -> None:
    line = break_file(data, TRAPEZIUS, "body_part: neck", "body_part: [neck")
    found = problems(data)
    assert any(TRAPEZIUS.name in p and "not valid YAML" in p for p in found), found
    # the reported line is at or after the unclosed bracket, never before it
    hit = next(p for p in found if "not valid YAML" in p)
    assert int(hit.split(":")[1]) >= line


def test_every_problem_is_reported_not_only_the_first(data: Path) -> None:
    break_file(data, TRAPEZIUS, "head.temple]", "head.tempel]")
    break_file(data, "conditions.yaml", "{muscle: upper trapezius", "{muscle: upper trapezeus")
    found = problems(data)
    assert any("head.tempel" in p for p in found) and any("upper trapezeus" in p for p in found)


def test_complete_requires_every_canonical_muscle(data: Path) -> None:
    (data / TRAPEZIUS).unlink()
    with pytest.raises(KnowledgeError) as e:
        load(root=data)
    msgs = [str(p) for p in e.value.problems]
    assert any(
        p.startswith("data/muscle_names.yaml:") and "no data file for muscle 'upper trapezius'" in p
        for p in msgs
    ), msgs


def test_a_schema_error_reports_all_of_the_files_problems_and_no_missing_file(data: Path) -> None:
    bad_line = break_file(data, TRAPEZIUS, "palpation: pincer", "palpation: squeeze")
    extra_line = break_file(data, TRAPEZIUS, "innervation:", "inervation:")
    with pytest.raises(KnowledgeError) as e:
        load(root=data)  # complete: every contract muscle needs its file
    found = [str(p) for p in e.value.problems]
    rel = f"data/{TRAPEZIUS.as_posix()}"
    assert any(p.startswith(f"{rel}:{bad_line}: examination.palpation:") for p in found), found
    assert f"{rel}:{extra_line}: inervation: Extra inputs are not permitted" in found, found
    assert any(p.startswith(f"{rel}:") and p.endswith("innervation: Field required") for p in found), found
    assert not any("no data file" in p for p in found), found


NEW_MUSCLE = Path("muscles/neck/test_new_muscle.yaml")


def test_a_new_muscle_is_one_file(data: Path) -> None:
    text = UPPER_TRAPEZIUS.replace("name: upper trapezius", "name: rectus capitis lateralis")
    text = text.replace("upper_trapezius.trp", "rectus_capitis_lateralis.trp")
    text = text.replace("aliases: [trapezius upper fibres, upper traps]", "aliases: [RCL]")
    text = text.replace("body_part: neck", "body_part: head")
    (data / NEW_MUSCLE).write_text(text, encoding="utf-8")
    kb = load(root=data)  # complete, with no line added to muscle_names.yaml
    m = kb.muscle("RCL")
    assert m.name == "rectus capitis lateralis" and kb.files[m.name] == f"data/{NEW_MUSCLE.as_posix()}"
    assert kb.canonical[m.name] == ("head", ("RCL",))
    assert kb.trigger_point("rectus_capitis_lateralis.trp1")[0] is m


def test_a_contract_muscle_keeps_the_contracts_body_part(data: Path) -> None:
    line = break_file(data, TRAPEZIUS, "body_part: neck", "body_part: shoulder")
    found = problems(data)
    assert (
        f"data/{TRAPEZIUS.as_posix()}:{line}: body part 'shoulder' differs from muscle_names.yaml ('neck')"
        in found
    ), found


def test_the_cache_is_keyed_on_the_code_as_well_as_the_data(monkeypatch: pytest.MonkeyPatch) -> None:
    import taut
    from taut.knowledge import loader

    before = loader._fingerprint(DATA_DIR)
    assert loader._fingerprint(DATA_DIR) == before
    monkeypatch.setattr(taut, "__version__", "0.0.0-other")
    assert loader._fingerprint(DATA_DIR) != before
    monkeypatch.undo()
    monkeypatch.setattr(loader, "_CODE", (*loader._CODE[:-1], "knowledge/__init__.py"))
    assert loader._fingerprint(DATA_DIR) != before  # other code, other key


def test_every_record_round_trips_through_its_schema() -> None:
    """A record's JSON is what its pydantic schema dumps, and reads back as the same record."""
    from taut.knowledge import knowledge
    from taut.knowledge.schema import schema, validate

    kb = knowledge()
    groups = (kb.muscles, kb.conditions, kb.rules, kb.techniques, kb.sources)
    for records in groups:
        for record in records.values():
            data = record.as_json()
            assert schema(type(record)).model_validate(data).model_dump(mode="json") == data
            assert validate(type(record), data) == record


def test_the_schema_refuses_what_the_record_class_does_not_have() -> None:
    from pydantic import ValidationError

    from taut.knowledge.model import Marker
    from taut.knowledge.schema import validate

    assert validate(Marker, {"region": "head.temple", "view": "side"}) == Marker(
        region="head.temple", view="side"
    )
    with pytest.raises(ValidationError, match="Extra inputs are not permitted"):
        validate(Marker, {"region": "head.temple", "view": "side", "colour": "red"})
    with pytest.raises(TypeError, match="missing field 'view'"):
        Marker(region="head.temple")  # type: ignore[call-arg]


def test_condition_presentation_with_unknown_region_and_term(data: Path) -> None:
    r_line = break_file(
        data, "conditions.yaml", "- any_regions: [arm.elbow_lateral]", "- any_regions: [arm.elbw]"
    )
    t_line = break_file(data, "conditions.yaml", "felt_as: [tingling, numbness]", "felt_as: [tingle]")
    found = problems(data)
    assert any(
        p.startswith(f"data/conditions.yaml:{r_line}: unknown body-map region 'arm.elbw'") for p in found
    )
    assert any(
        p.startswith(f"data/conditions.yaml:{t_line}: unknown vocabulary term 'tingle'") for p in found
    )


def test_condition_presentation_needs_a_prevalence(data: Path) -> None:
    for muscle, share in [
        ("extensor carpi radialis brevis", "0.65"),
        ("extensor carpi radialis longus", "0.55"),
        ("brachioradialis", "0.5"),
        ("extensor digitorum", "0.25"),
    ]:
        break_file(
            data, "conditions.yaml", f"{{muscle: {muscle}, prevalence: {share}}}", f"{{muscle: {muscle}}}"
        )
    found = problems(data)
    assert any("presents_as" in p and "needs an examine step with a prevalence" in p for p in found), found
