from pathlib import Path

import pytest
from tests.conftest import read_tsv

from taut.anatomy import body_map, resolve
from taut.anatomy.crosswalk import choir_code, choir_table, regions_for_choir, snomed_site, wpi_score
from taut.anatomy.regions import RegionRef, Side
from taut.anatomy.resolve import SideError, UnknownTermError

SNAPSHOT = Path(__file__).with_name("region_ids.txt")


def test_region_ids_are_unique_and_dotted():
    ids = [r.id for r in body_map()]
    assert len(ids) == len(set(ids))
    assert all(i.count(".") == 1 and i == i.lower() for i in ids)


def test_published_ids_are_never_renamed_or_removed():
    published = SNAPSHOT.read_text().split()
    current = {r.id for r in body_map()}
    missing = [i for i in published if i not in current]
    assert not missing, f"published region ids disappeared (never rename or reuse an id): {missing}"


def test_every_contract_term_resolves():
    rows = read_tsv("region-terms.tsv")
    assert len(rows) > 100
    for term, sidedness, _meaning in rows:
        if sidedness == "sided":
            for side in ("left", "right", "both"):
                refs = resolve(term, side)
                assert refs, term
                assert all(r.side is not None for r in refs)
            assert {r.side for r in resolve(term, "both")} == {Side.LEFT, Side.RIGHT}
        else:
            refs = resolve(term)
            assert refs and all(r.side is None for r in refs), term


def test_resolve_is_case_insensitive_and_knows_clinical_synonyms():
    assert resolve("TEMPLE", "right") == [RegionRef("head.temple", Side.RIGHT)]
    for synonym, expected in [
        ("occiput", "head.occiput"),
        ("suboccipital", "head.suboccipital"),
        ("trochanter", "hip.lateral"),
        ("lateral epicondyle", "arm.elbow_lateral"),
        ("plantar heel", "foot.heel_plantar"),
        ("TMJ", "head.tmj"),
    ]:
        assert [r.region for r in resolve(synonym, "left")] == [expected]


def test_broad_terms_resolve_to_all_their_regions():
    forearm = {r.region for r in resolve("forearm", "right")}
    assert forearm == {"arm.forearm_dorsal", "arm.forearm_volar", "arm.forearm_radial", "arm.forearm_ulnar"}
    hand = {r.region for r in resolve("hand", "left")}
    assert "hand.thumb_web" in hand and "hand.little_dorsal" in hand
    assert {r.region for r in resolve("back of neck", "right")} == {
        "neck.posterior_upper",
        "neck.posterior_lower",
    }


def test_heel_is_not_the_bottom_of_the_heel():
    assert resolve("heel", "right") != resolve("bottom of heel", "right")


def test_unknown_term_lists_closest_matches():
    with pytest.raises(UnknownTermError) as e:
        resolve("tempel", "right")
    assert "temple" in e.value.suggestions
    assert "did you mean" in str(e.value)


def test_side_rules():
    with pytest.raises(SideError, match="needs a side"):
        resolve("temple")
    with pytest.raises(SideError, match="midline"):
        resolve("top of head", "left")
    with pytest.raises(SideError, match="left, right or both"):
        resolve("temple", "middle")


def test_choir_crosswalk_covers_all_74_codes():
    table = choir_table()
    codes = [row["code"] for row in table]
    assert codes == list(range(101, 137)) + list(range(201, 239))
    assert all(row["regions"] for row in table)


def test_choir_codes_follow_the_patient_side():
    assert choir_code(RegionRef("head.temple", Side.RIGHT)) == (101,)
    assert choir_code(RegionRef("head.temple", Side.LEFT)) == (102,)
    assert choir_code(RegionRef("neck.posterior_upper", Side.RIGHT)) == (206,)
    assert RegionRef("foot.sole", Side.LEFT) in regions_for_choir(237)
    with pytest.raises(ValueError, match="unknown CHOIR"):
        regions_for_choir(199)


def test_snomed_site_carries_laterality():
    site = snomed_site(RegionRef("hand.thumb_dorsal", Side.LEFT))
    assert site is not None and site.code == "76505004" and site.laterality == "7771000"
    assert not site.broader


def test_wpi_rollup():
    refs = resolve("temple", "right") + resolve("jaw joint", "both") + resolve("back of neck", "both")
    assert wpi_score(refs) == 3  # jaw right, jaw left, neck (the temple is not a WPI region)
