"""``taut muscles``, ``taut muscle``, ``taut conditions``, ``taut condition`` on the command line."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from taut.cli.knowledge import register
from taut.knowledge.loader import DATA_DIR

app = typer.Typer()
register(app)
runner = CliRunner()


def run(*args: str):  # type: ignore[no-untyped-def]
    return runner.invoke(app, list(args))


# --- taut muscles -------------------------------------------------------------------------------------------------


def test_muscles_table_lists_every_muscle() -> None:
    r = run("muscles")
    assert r.exit_code == 0, r.output
    assert "upper trapezius" in r.stdout and "plantaris" in r.stdout and "very common" in r.stdout


def test_muscles_json_shape() -> None:
    r = run("muscles", "--json")
    assert r.exit_code == 0, r.output
    rows = json.loads(r.stdout)
    assert len(rows) == 116
    row = next(x for x in rows if x["name"] == "upper trapezius")
    assert row["body_part"] == "neck"
    assert isinstance(row["trigger_points"], int) and row["trigger_points"] >= 1
    assert row["involvement"] in {"very_common", "common", "occasional", "rare"}
    assert row["file"].endswith("upper_trapezius.yaml")
    assert rows[0]["name"] == "upper trapezius"  # head to toe, as in muscle_names.yaml


def test_muscles_check_packaged_data_is_clean() -> None:
    r = run("muscles", "--check")
    assert r.exit_code == 0, r.output
    assert r.stdout.startswith("ok: 116 muscles")


def test_muscles_check_json_when_clean() -> None:
    r = run("muscles", "--check", "--json")
    assert r.exit_code == 0, r.output
    out = json.loads(r.stdout)
    assert out["ok"] is True and out["problems"] == [] and out["muscles"] == 116


@pytest.fixture
def broken(tmp_path: Path) -> tuple[Path, int]:
    """A copy of the data with an unknown region in upper trapezius; returns the copy and the broken line."""
    dst = tmp_path / "data"
    shutil.copytree(DATA_DIR, dst, ignore=shutil.ignore_patterns("__pycache__"))
    path = dst / "muscles" / "neck" / "upper_trapezius.yaml"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    n = next(
        i for i, line in enumerate(lines) if line.lstrip().startswith("essential:") and "head.temple" in line
    )
    lines[n] = lines[n].replace("head.temple", "head.tempel", 1)
    path.write_text("".join(lines), encoding="utf-8")
    return dst, n + 1


def test_muscles_check_broken_copy_exits_1_with_file_line(broken: tuple[Path, int]) -> None:
    root, line = broken
    r = run("muscles", "--check", str(root))
    assert r.exit_code == 1, r.output
    assert f"data/muscles/neck/upper_trapezius.yaml:{line}: unknown body-map region 'head.tempel'" in r.stdout
    assert "1 problem(s)" in r.stderr
    assert "Traceback" not in r.output


def test_muscles_check_broken_copy_json(broken: tuple[Path, int]) -> None:
    root, line = broken
    r = run("muscles", "--check", str(root), "--json")
    assert r.exit_code == 1
    out = json.loads(r.stdout)
    assert out["ok"] is False
    assert out["problems"] == [
        {
            "file": "data/muscles/neck/upper_trapezius.yaml",
            "line": line,
            "message": out["problems"][0]["message"],
        }
    ]
    assert "head.tempel" in out["problems"][0]["message"]


def test_muscles_check_not_a_data_dir(tmp_path: Path) -> None:
    r = run("muscles", "--check", str(tmp_path))
    assert r.exit_code == 2
    assert r.stderr.startswith("error: ") and "muscle_names.yaml" in r.stderr
    r = run("muscles", "--check", str(tmp_path / "nope"))
    assert r.exit_code == 2 and "not a directory" in r.stderr


def test_muscles_path_without_check() -> None:
    r = run("muscles", str(DATA_DIR))
    assert r.exit_code == 2 and "--check" in r.stderr


# --- taut muscle NAME ---------------------------------------------------------------------------------------------


def test_muscle_shows_the_whole_record_with_sources() -> None:
    r = run("muscle", "upper trapezius")
    assert r.exit_code == 0, r.output
    out = " ".join(r.stdout.split())  # undo Rich's wrapping
    for text in (
        "Action:",
        "Innervation:",
        "Essential zone:",
        "Temple",
        "Spillover zone:",
        "Laterality:",
        "Symptoms:",
        "Examination",
        "Treatment",
        "Self-care stretch:",
        "Sources",
        "Travell & Simons",
    ):
        assert text in out, text


def test_muscle_alias_and_slug() -> None:
    for name in ("SCM", "sternomastoid", "Sternocleidomastoid", "upper_trapezius", "upper traps"):
        r = run("muscle", name, "--json")
        assert r.exit_code == 0, (name, r.output)


def test_muscle_json_has_trigger_points_with_zone_ids() -> None:
    r = run("muscle", "upper traps", "--json")
    assert r.exit_code == 0, r.output
    m = json.loads(r.stdout)
    assert m["name"] == "upper trapezius" and m["slug"] == "upper_trapezius"
    tp = m["trigger_points"][0]
    assert tp["id"] == "upper_trapezius.trp1"
    assert "head.temple" in tp["essential"] and isinstance(tp["spillover"], list)
    assert "Temple" in tp["essential_names"]
    assert tp["marker"]["region"] and tp["marker"]["view"] in ("front", "back", "side")
    assert m["involvement"]["frequency"] == "very_common"
    assert "simons1999" in m["citations"] and "Travell" in m["citations"]["simons1999"]
    assert m["examination"]["palpation"] and m["treatment"]["techniques"]


def test_muscle_typo_did_you_mean_exit_2() -> None:
    r = run("muscle", "uper trapezius")
    assert r.exit_code == 2
    assert "did you mean: upper trapezius" in r.stderr
    assert r.stderr.count("\n") == 1 and "Traceback" not in r.output


def test_muscle_bad_side_and_bad_suffix(tmp_path: Path) -> None:
    r = run("muscle", "soleus", "--side", "middle", "-o", str(tmp_path / "x.png"))
    assert r.exit_code == 2 and "--side" in r.stderr
    r = run("muscle", "soleus", "-o", str(tmp_path / "x.jpg"))
    assert r.exit_code == 2 and ".svg or .png" in r.stderr
    assert not (tmp_path / "x.png").exists() and not (tmp_path / "x.jpg").exists()


def test_muscle_png(tmp_path: Path) -> None:
    out = tmp_path / "soleus.png"
    r = run("muscle", "soleus", "-o", str(out))
    assert r.exit_code == 0, r.output
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_muscle_svg_left_side(tmp_path: Path) -> None:
    out = tmp_path / "scm.svg"
    r = run("muscle", "SCM", "--side", "left", "-o", str(out), "--json")
    assert r.exit_code == 0, r.output
    json.loads(r.stdout)  # the picture's note goes to stderr, stdout stays JSON
    text = out.read_text(encoding="utf-8")
    assert text.lstrip().startswith("<") and "<svg" in text


# --- the picture --------------------------------------------------------------------------------------------------


def test_muscle_figure_places_zones_like_the_engine() -> None:
    from taut.anatomy.regions import RegionRef, Side
    from taut.cli.knowledge import muscle_zone
    from taut.knowledge import knowledge

    m = knowledge().muscle("upper trapezius")
    z = muscle_zone(m, Side.LEFT)
    assert z[RegionRef("head.temple", Side.LEFT)] == "essential"
    assert RegionRef("head.temple", Side.RIGHT) not in z
    assert all(ref.side in (Side.LEFT, None) for ref in z)
    scm = muscle_zone(knowledge().muscle("SCM"), Side.RIGHT)
    assert scm[RegionRef("head.forehead", Side.RIGHT)] == "essential"
    assert scm[RegionRef("head.forehead", Side.LEFT)] == "spillover"  # the clavicular TrP crosses the midline


# --- conditions ---------------------------------------------------------------------------------------------------


def test_conditions_table_and_json() -> None:
    r = run("conditions")
    assert r.exit_code == 0, r.output
    assert "Plantar heel pain" in r.stdout
    r = run("conditions", "--json")
    rows = json.loads(r.stdout)
    assert len(rows) >= 18
    row = next(x for x in rows if x["id"] == "sciatica")
    assert row["muscles"][0] and row["red_flags"] and row["name"]


def test_condition_shows_order_prevalence_red_flags_differential_sources() -> None:
    r = run("condition", "tennis elbow")
    assert r.exit_code == 0, r.output
    out = " ".join(r.stdout.split())
    assert "Lateral epicondylalgia" in out
    assert "1. extensor carpi radialis brevis" in out
    assert "% of patients" in out
    assert "Rule out first" in out and "Differential" in out and "Sources" in out
    assert "Fernández-Carnero" in out


def test_condition_json_shape() -> None:
    r = run("condition", "CTS", "--json")
    assert r.exit_code == 0, r.output
    c = json.loads(r.stdout)
    assert c["id"] == "carpal_tunnel_syndrome"
    assert [s["muscle"] for s in c["examine"]] and {"muscle", "why", "prevalence"} <= set(c["examine"][0])
    assert c["red_flags"] and {"id", "name", "message", "action"} <= set(c["red_flags"][0])
    assert all(f["message"] for f in c["red_flags"])
    assert c["differential"] and c["entrapment_sites"]
    assert c["citations"] and all(c["citations"].values())


def test_condition_typo_exit_2() -> None:
    r = run("condition", "sciatca")
    assert r.exit_code == 2 and "did you mean" in r.stderr


def test_commands_are_registered() -> None:
    names = {c.name for c in app.registered_commands}
    assert names == {"muscles", "muscle", "conditions", "condition"}


def test_every_muscle_draws_on_both_sides() -> None:
    from taut.anatomy.regions import Side
    from taut.cli.knowledge import muscle_figure
    from taut.knowledge import knowledge

    for m in knowledge().muscles.values():
        for side in (Side.RIGHT, Side.LEFT):
            svg = muscle_figure(m, side).to_svg()
            on_side = [tp for tp in m.trigger_points if tp.only_side in (None, side.value)]
            assert svg.count('class="mark"') == len(on_side), m.name  # a one-side-only point is not drawn
            assert f"{side.value} side" in svg, m.name


def test_markers_sharing_a_place_are_spread_apart() -> None:
    from taut.anatomy.regions import Side
    from taut.cli.knowledge import _spread
    from taut.knowledge import knowledge

    m = knowledge().muscle("soleus")
    offsets = _spread(m, Side.RIGHT)
    same = [
        o for tp, o in zip(m.trigger_points, offsets, strict=True) if tp.marker.region == "leg.calf_lower"
    ]
    assert len(same) == len(set(same))
