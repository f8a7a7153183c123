import json

import pytest
from tests.conftest import shared_eval
from typer.testing import CliRunner

from taut.cli.main import app

runner = CliRunner()


def test_readable_table_with_reasons():
    r = runner.invoke(
        app, ["suggest", "--pain", "temple:right:6", "--pain", "back of neck:right", "-s", "dizziness"]
    )
    assert r.exit_code == 0, r.output
    assert "upper trapezius" in r.stdout
    assert "essential" in r.stdout.lower() or "(E)" in r.stdout


def test_json_answer_has_the_contract_keys():
    r = runner.invoke(
        app,
        ["suggest", "--pain", "bottom of heel:left:7", "--symptom", "first steps in the morning", "--json"],
    )
    assert r.exit_code == 0, r.output
    d = json.loads(r.stdout)
    assert set(d) >= {"ranking", "red_flags", "cautions", "unexplained", "entrapments", "cover", "exam_order"}
    assert 0 < len(d["ranking"]) <= 20
    assert all({"muscle", "side", "score"} <= set(m) for m in d["ranking"])


def test_red_flag_leads_the_answer():
    r = runner.invoke(app, ["suggest", "--pain", "lower back:both:7", "--symptom", "saddle numbness"])
    assert r.exit_code == 0
    assert r.stdout.index("RED FLAG") < r.stdout.index("Trigger points to examine")
    assert "refer before treatment" in r.stdout


def test_onset_and_duration_reach_the_screen():
    base = ["suggest", "--pain", "temple:right:5", "--symptom", "headache", "--age", "72", "--json"]
    old = json.loads(runner.invoke(app, [*base, "--duration-days", "3650"]).stdout)
    assert not old["red_flags"]
    new = runner.invoke(app, [*base, "--duration-days", "21"])
    assert new.exit_code == 0, new.output
    flags = json.loads(new.stdout)["red_flags"]
    assert [f["code"] for f in flags] == ["giant_cell_arteritis"] and flags[0]["level"] == "urgent"
    sudden = json.loads(runner.invoke(app, [*base, "--onset", "sudden"]).stdout)
    assert "subarachnoid_haemorrhage" in {f["code"] for f in sudden["red_flags"]}


def test_emergency_says_so():
    r = runner.invoke(app, ["suggest", "--pain", "lower jaw:left", "-s", "walking uphill", "--age", "67"])
    assert r.exit_code == 0
    assert "EMERGENCY" in r.stdout and "refer before treatment" in r.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--pain", "tempel:right"], "did you mean"),
        (["--pain", "temple:right", "--symptom", "dizzyness"], "did you mean"),
        (["--pain", "temple:right:12"], "0-10"),
        (["--pain", "top of head:left"], "midline"),
        (["--pain", "temple"], "needs a side"),
        ([], "paint at least one region"),
        (["--pain", "temple:right", "--method", "magic"], "engine or baseline"),
        (["--pain", "temple:right", "--sex", "x"], "sex"),
        (["--pain", "temple:right", "--onset", "slowly"], "onset must be 'sudden' or 'gradual'"),
        (["--pain", "temple:right", "--duration-days", "-3"], "duration_days must be a whole number"),
        (["--pain", "temple:right", "--duration-days", "many"], "--duration-days"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(args, message):
    r = runner.invoke(app, ["suggest", *args])
    assert r.exit_code == 2
    assert message in r.stderr
    assert "Traceback" not in r.output


def test_case_file_answers_every_case_without_reading_expected(tmp_path):
    cases = {
        "format": "taut-cases/1",
        "cases": [
            {
                "id": "A",
                "pain": [{"region": "temple", "side": "right", "intensity": 6}],
                "symptoms": ["headache"],
                "expected": {"muscles": ["no such muscle"], "red_flag": "not even a bool"},
            },
            {"id": "B", "pain": [{"region": "calf", "side": "left"}], "symptoms": ["calf swelling"]},
        ],
    }
    f = tmp_path / "cases.json"
    f.write_text(json.dumps(cases))
    for method in ("engine", "baseline"):
        r = runner.invoke(app, ["suggest", "--cases", str(f), "--json", "--method", method])
        assert r.exit_code == 0, r.output
        results = json.loads(r.stdout)["results"]
        assert [x["id"] for x in results] == ["A", "B"]
        assert not results[0]["red_flags"]
        # the engine screens for red flags; the plain chart lookup has no screen
        assert bool(results[1]["red_flags"]) is (method == "engine")


def test_svg_overlays_the_top_candidates(tmp_path):
    out = tmp_path / "s.svg"
    r = runner.invoke(app, ["suggest", "--pain", "outer elbow:right:7", "--svg", str(out)])
    assert r.exit_code == 0, r.output
    text = out.read_text()
    assert text.startswith("<") and "<svg" in text
    assert "supinator" in text or "extensor carpi radialis" in text  # the legend names the candidates
    png = tmp_path / "s.png"
    r = runner.invoke(app, ["suggest", "--pain", "outer elbow:right:7", "--svg", str(png)])
    assert r.exit_code == 0 and png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


@pytest.mark.parametrize(
    ("case", "message"),
    [
        ({"id": "X1", "pain": []}, "case X1: field 'pain'"),
        ({"id": "X2", "pain": [{"region": "tempel", "side": "right"}]}, "case X2: field 'pain[0]'"),
        (
            {"id": "X3", "pain": [{"region": "temple", "side": "right", "intensity": 11}]},
            "case X3: field 'pain[0]'",
        ),
        (
            {"id": "X4", "pain": [{"region": "temple", "side": "right"}], "symptoms": ["dizzyness"]},
            "case X4: field 'symptoms'",
        ),
        ({"id": "X5", "pain": [{"region": "temple", "side": "right"}], "age": "old"}, "case X5: age"),
        ({"pain": [{"region": "temple", "side": "right"}]}, "case #1: field 'id'"),
    ],
)
def test_malformed_case_file_names_the_case_and_field(tmp_path, case, message):
    f = tmp_path / "bad.json"
    f.write_text(json.dumps({"format": "taut-cases/1", "cases": [case]}))
    r = runner.invoke(app, ["suggest", "--cases", str(f), "--json"])
    assert r.exit_code == 2
    assert message in r.stderr


def test_not_json_is_a_clear_error(tmp_path):
    f = tmp_path / "bad.json"
    f.write_text("{oops")
    r = runner.invoke(app, ["suggest", "--cases", str(f)])
    assert r.exit_code == 2 and "not valid JSON" in r.stderr


def test_evaluate_prints_engine_and_baseline():
    dev = shared_eval("dev-cases.json")
    r = runner.invoke(app, ["evaluate", str(dev)])
    assert r.exit_code == 0, r.output
    assert "engine:" in r.stdout and "baseline:" in r.stdout and "hit@3" in r.stdout


def test_cases_stream_as_compact_json_one_answer_a_line(tmp_path):
    from taut.reasoning.case import read_case_file
    from taut.reasoning.engine import suggest

    f = tmp_path / "c.json"
    f.write_text(
        json.dumps(
            {
                "format": "taut-cases/1",
                "cases": [
                    {"id": f"C{i}", "pain": [{"region": "temple", "side": "right", "intensity": 3 + i}]}
                    for i in range(3)
                ],
            }
        )
    )
    r = runner.invoke(app, ["suggest", "--cases", str(f), "--json"])
    assert r.exit_code == 0, r.output
    lines = r.stdout.splitlines()
    assert lines[0] == '{"results":[' and lines[-1] == "]}" and len(lines) == 5
    assert json.loads(r.stdout)["results"] == [suggest(c).to_dict() for c in read_case_file(f)]
