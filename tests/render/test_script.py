"""Session script loading: valid scripts parse, malformed ones name file, line and field."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from massagecam.errors import ScriptError
from massagecam.render import load_script, parse_script

GOOD = """
routine = "li4-quick"
receiving = "right"
[render]
seed = 3
size = [320, 240]
fps = 15
skin = { receiver = "VI", giver = "I" }
background = "textured"
lighting = "dim"
[[perform]]
step = 1
target = "LI4"
technique = "circles"
duration_s = 2
rhythm_hz = 1.5
[[perform]]
action = "move"
duration_s = 0.5
[[perform]]
target = "PC8"
technique = "hold"
contact = false
duration_s = 1
"""


def test_good_script_parses(tmp_path: Path) -> None:
    p = tmp_path / "s.toml"
    p.write_text(GOOD)
    s = load_script(p)
    assert s.receiving == "right" and s.giving == "Left"
    assert s.render.size == (320, 240) and s.render.fps == 15
    assert (s.render.skin_receiver, s.render.skin_giver) == ("VI", "I")
    assert [seg.action for seg in s.segments] == ["massage", "move", "massage"]
    assert s.segments[0].rhythm_hz == 1.5 and s.segments[2].contact is False
    assert s.duration_s == pytest.approx(3.5)
    assert s.render.receiver_shape == "template"  # the default


@pytest.mark.parametrize(("old", "new", "line", "field"), [
    ('skin = { receiver = "VI", giver = "I" }', 'skin = "VII"', 8, "skin"),
    ('technique = "circles"', 'technique = "kneading"', 14, "technique"),
    ('target = "LI4"', 'target = "LI99"', 13, "target"),
    ("duration_s = 2\n", "duration_s = -1\n", 15, "duration_s"),
    ('receiving = "right"', 'receiving = "both"', 3, "receiving"),
    ("rhythm_hz = 1.5", "rhythm = 1.5", 16, "rhythm"),
    ("size = [320, 240]", "size = [320]", 6, "size"),
    ("contact = false", 'contact = "no"', 23, "contact"),
    ('lighting = "dim"', 'lighting = "dim"\nreceiver_shape = "cartoon"', 11, "receiver_shape"),
])
def test_bad_field_names_file_line_and_field(tmp_path: Path, old: str, new: str, line: int,
                                             field: str) -> None:
    assert old in GOOD
    p = tmp_path / "bad.toml"
    p.write_text(GOOD.replace(old, new, 1))
    with pytest.raises(ScriptError) as exc:
        load_script(p)
    err = exc.value
    assert err.field == field
    assert err.line == line, str(err)
    assert str(err).startswith(f"{p}:{line}:")


def test_massage_without_target_is_an_error() -> None:
    with pytest.raises(ScriptError, match="needs a target"):
        parse_script('[[perform]]\ntechnique = "hold"\n', "x.toml")


def test_toml_syntax_error_has_line() -> None:
    with pytest.raises(ScriptError) as exc:
        parse_script('receiving = "left"\n[render\nseed = 1\n', "x.toml")
    assert exc.value.line == 2


def test_unknown_routine_is_reported(tmp_path: Path) -> None:
    pytest.importorskip("massagecam.routines")
    p = tmp_path / "s.toml"
    p.write_text(GOOD.replace('"li4-quick"', '"no-such-routine"'))
    with pytest.raises(ScriptError) as exc:
        load_script(p)
    assert exc.value.field == "routine" and exc.value.line == 2


def test_cli_bad_script_is_one_line_exit_2(tmp_path: Path) -> None:
    from massagecam.cli import cli

    p = tmp_path / "bad.toml"
    p.write_text(GOOD.replace('lighting = "dim"', 'lighting = "disco"'))
    res = CliRunner().invoke(cli, ["render", str(p), "--out", str(tmp_path / "o.mp4")])
    assert res.exit_code == 2
    lines = [ln for ln in res.output.splitlines() if ln.strip()]
    assert len(lines) == 1 and "lighting" in lines[0] and ":10:" in lines[0]
    assert not (tmp_path / "o.mp4").exists()
