"""``taut draw`` and ``taut demo-map`` (registered on a fresh Typer app)."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
import typer
from typer.testing import CliRunner

from taut.cli.draw import register

runner = CliRunner()


@pytest.fixture(scope="module")
def app() -> typer.Typer:
    a = typer.Typer(pretty_exceptions_enable=False)
    register(a)
    return a


def test_draw_writes_svg_and_png(app, tmp_path):
    svg = tmp_path / "drawing.svg"
    r = runner.invoke(
        app, ["draw", "--pain", "temple:right:6", "--pain", "back of neck:right", "-o", str(svg)]
    )
    assert r.exit_code == 0, r.output
    root = ET.fromstring(svg.read_text())
    assert any(
        p.get("data-fill") == "head.temple--right" for p in root.iter("{http://www.w3.org/2000/svg}path")
    )
    png = tmp_path / "drawing.png"
    r = runner.invoke(app, ["draw", "-p", "outer elbow:left:7:sharp", "-o", str(png), "--title", "Elbow"])
    assert r.exit_code == 0, r.output
    assert png.read_bytes()[:4] == b"\x89PNG"


def test_draw_one_view(app, tmp_path):
    out = tmp_path / "side.svg"
    r = runner.invoke(app, ["draw", "-p", "jaw joint:both:4", "--view", "side", "-o", str(out)])
    assert r.exit_code == 0, r.output
    text = out.read_text()
    assert 'data-view="side"' in text and 'data-view="front"' not in text


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["-p", "tempel:right"], "did you mean"),
        (["-p", "temple:middle"], "cannot read 'middle'"),
        (["-p", "temple"], "needs a side"),
        (["-p", "temple:right:12"], "0-10"),
        (["-p", "top of head:left"], "midline"),
        (["-p", "temple:right", "--view", "top"], "unknown view"),
    ],
)
def test_draw_errors_are_one_line_with_status_2(app, tmp_path, args, message):
    r = runner.invoke(app, ["draw", *args, "-o", str(tmp_path / "x.svg")])
    assert r.exit_code == 2
    assert message in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1
    assert "Traceback" not in r.output
    assert not (tmp_path / "x.svg").exists()


def test_draw_refuses_other_formats(app, tmp_path):
    r = runner.invoke(app, ["draw", "-p", "temple:right", "-o", str(tmp_path / "x.pdf")])
    assert r.exit_code == 2 and ".svg or .png" in r.stderr


def test_demo_map_writes_png_and_svg(app, tmp_path):
    r = runner.invoke(app, ["demo-map", "-o", str(tmp_path / "demo")])
    assert r.exit_code == 0, r.output
    assert (tmp_path / "demo.png").read_bytes()[:4] == b"\x89PNG"
    ET.fromstring((tmp_path / "demo.svg").read_text())
    assert "demo.png" in r.stdout.replace("\n", "") and "Temple" in r.stdout
    r = runner.invoke(app, ["demo-map", "-o", str(tmp_path)])
    assert r.exit_code == 0 and (tmp_path / "demo-pain-drawing.svg").exists()
