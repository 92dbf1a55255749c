"""``massagecam routines list | show | check``."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from massagecam.cli import cli
from massagecam.routines import builtin_routines

MALFORMED = Path(__file__).parent / "malformed"


def run(*args: str):
    return CliRunner().invoke(cli, ["routines", *args])


def test_list_names_every_builtin() -> None:
    res = run("list")
    assert res.exit_code == 0, res.output
    lines = res.output.strip().splitlines()
    assert [ln.split()[0] for ln in lines] == builtin_routines()
    assert any("li4-headache" in ln and "10 min" in ln for ln in lines)


def test_show_is_readable() -> None:
    res = run("show", "li4-headache")
    assert res.exit_code == 0, res.output
    out = res.output
    for text in ("li4-headache — LI4 acupressure for headache (R3)", "Cautions",
                 "Pregnancy", "Steps:", "1. LI4 circles, first hand", "LI4 (Hegu)",
                 "back of the hand", "circles · 5 min · pressure firm · rhythm 0.5–1.5 Hz",
                 "Sources:", "Memorial Sloan Kettering"):
        assert text in out, text
    assert max(len(ln) for ln in out.splitlines()) <= 100


def test_show_fixed_hand_names_hands_and_mirroring() -> None:
    res = run("show", "reflexology-tour", "--receiving", "right")
    assert res.exit_code == 0, res.output
    assert "[right hand]" in res.output and "[left hand]" in res.output
    assert "Mirroring notes:" in res.output and "Z13 (Spleen)" in res.output


def test_show_a_file(tmp_path: Path) -> None:
    f = tmp_path / "mine.toml"
    f.write_text('[routine]\nid = "mine"\ntitle = "Mine"\nreceiving = "left"\n[[step]]\n'
                 'target = "PC8"\ntechnique = "hold"\nduration_s = 90\ninstruction = "Hold."\n')
    res = run("show", str(f))
    assert res.exit_code == 0, res.output
    assert "PC8 (Laogong)" in res.output and "1 min 30 s" in res.output


def test_check_ok_and_error() -> None:
    src = Path(__file__).parents[2] / "massagecam/routines/builtin/li4-quick.toml"
    ok = run("check", str(src))
    assert ok.exit_code == 0 and ok.output.startswith("ok: "), ok.output
    bad = run("check", str(MALFORMED / "bad_technique.toml"))
    assert bad.exit_code == 2
    err_lines = bad.stderr.strip().splitlines() if hasattr(bad, "stderr") else []
    text = bad.output + "".join(err_lines)
    assert "bad_technique.toml:14" in text and "allowed: hold, circles" in text
    assert "Traceback" not in text
