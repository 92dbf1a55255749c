"""`massagecam demo` end to end on a freshly rendered mini sample (real renderer and model)."""

from __future__ import annotations

import json
import shutil

import jsonschema
import pytest
from click.testing import CliRunner

from massagecam.cli import cli
from massagecam.report.result import load_schema

pytestmark = pytest.mark.model

SCRIPT = """
routine = "li4-quick"
receiving = "left"
[render]
seed = 3
size = [480, 360]
fps = 15
[[perform]]
action = "move"
step = 0
target = "LI4"
duration_s = 1.0
side = "back"
[[perform]]
action = "massage"
step = 0
target = "LI4"
technique = "circles"
duration_s = 3.0
side = "back"
rhythm_hz = 1.0
"""


def test_demo_analyses_a_bundled_sample(tmp_path, monkeypatch):
    from massagecam.render import parse_script, render_session

    samples = tmp_path / "samples"
    samples.mkdir()
    (samples / "mini.toml").write_text(SCRIPT)
    render_session(parse_script(SCRIPT, samples / "mini.toml"), samples / "mini.mp4",
                   samples / "mini.truth.json")
    monkeypatch.setenv("MASSAGECAM_SAMPLES", str(samples))
    monkeypatch.setenv("MASSAGECAM_HOME", str(tmp_path / "home"))
    monkeypatch.chdir(tmp_path)
    r = CliRunner().invoke(cli, ["demo", "--list"])
    assert r.exit_code == 0 and "mini" in r.output and "li4-quick" in r.output
    r = CliRunner().invoke(cli, ["demo", "-q"])
    assert r.exit_code == 0, r.output
    out = tmp_path / "massagecam-out" / "demo-mini"
    assert "demo-mini/report.html" in r.output and (out / "report.html").is_file()
    data = json.loads((out / "result.json").read_text())
    jsonschema.validate(data, load_schema())
    assert data["routine"]["id"] == "li4-quick" and data["score"] is not None
    assert len(data["timeline"]) == 60
    # the rendered hands are found by the real model in most frames
    assert data["tracking"]["share_two_hands"] > 0.5, data["tracking"]
    assert not (tmp_path / "home" / "history.sqlite").exists()  # demo is not the user's session
    shutil.rmtree(out)
