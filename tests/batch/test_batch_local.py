"""Batch over a cohort of real-footage cuts on the local engine: outputs, failures, resume."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from batch_videos import PEOPLE, SESSIONS, LocalRun
from click.testing import CliRunner

from massagecam.batch import collect, run_batch
from massagecam.cli import cli
from massagecam.engines import make_engine
from massagecam.errors import CaptureError, ConfigError


def test_collect_labels_people_and_sessions(cohort: tuple[Path, Path]) -> None:
    root, corrupt = cohort
    jobs = collect([root])
    assert len(jobs) == len(PEOPLE) * len(SESSIONS) + 1
    rels = {j.rel for j in jobs}
    assert "ana/week1" in rels and "dev/week2" in rels and "eve/week1" in rels
    ana = next(j for j in jobs if j.rel == "ana/week2")
    assert (ana.person, ana.session) == ("ana", "week2")
    # a file named twice (folder + glob) is one job
    assert len(collect([root, str(root / "ana" / "*.mp4")])) == len(jobs)


def test_collect_rejects_missing_inputs(tmp_path: Path) -> None:
    with pytest.raises(CaptureError, match="no such file"):
        collect([tmp_path / "nope"])
    with pytest.raises(CaptureError, match="pattern matches no video"):
        collect([str(tmp_path / "*.mp4")])
    (tmp_path / "empty").mkdir()
    with pytest.raises(CaptureError, match="holds no video"):
        collect([tmp_path / "empty"])


def test_engine_config_errors() -> None:
    with pytest.raises(ConfigError, match="workers=0"):
        make_engine("local", 0)
    with pytest.raises(ConfigError, match="engine='spark'"):
        make_engine("spark", 1)
    with pytest.raises(ConfigError, match="only the ray engine"):
        make_engine("local", 1, address="ray://x:10001")


@pytest.mark.model
def test_batch_cli_failures_summary_and_resume(local_run: LocalRun) -> None:
    res, out, db = local_run.result, local_run.out, local_run.db
    assert res.exit_code == 1, res.output  # one corrupt video → exit 1, batch completed
    assert "8 analysed, 0 already done, 1 failed" in res.output
    assert "eve/week1:" in res.output  # the failure with its one-line reason
    assert "batch (9 videos)" in res.output and "97/97" in res.output  # 8×12 + 1 unknown
    for person in PEOPLE:
        for session in SESSIONS:
            doc = json.loads((out / person / session / "result.json").read_text())
            assert doc["partial"] is False
            assert doc["video"]["frames_analysed"] == 12
            assert doc["routine"]["id"] == "li4-quick"
            assert doc["score"] is not None and 0 <= doc["score"]["total"] <= 100
            assert (out / person / session / "report.html").stat().st_size > 1000
    assert not (out / "eve" / "week1" / "result.json").exists()
    with (out / "failures.csv").open() as f:
        fails = list(csv.DictReader(f))
    assert [r["video"] for r in fails] == ["eve/week1"]
    assert "\n" not in fails[0]["reason"] and "week1.mp4" in fails[0]["reason"]
    with (out / "summary.csv").open() as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == 9
    assert {r["status"] for r in rows} == {"done", "failed"}
    done = [r for r in rows if r["status"] == "done"]
    assert all(r["score"] != "" and r["step_1"] != "" for r in done)
    html = (out / "summary.html").read_text()
    assert "Session scores per person" in html and "<svg" in html and "chloe" in html
    from massagecam.history import History

    with History(db) as h:
        assert sum(s.kind == "batch" for s in h.sessions()) == 8
    # re-run: finished videos are skipped, only the broken one is tried again
    stamp = (out / "ana" / "week1" / "result.json").stat().st_mtime_ns
    res2 = CliRunner().invoke(cli, local_run.args)
    assert res2.exit_code == 1
    assert "0 analysed, 8 already done, 1 failed" in res2.output
    assert (out / "ana" / "week1" / "result.json").stat().st_mtime_ns == stamp


@pytest.mark.model
def test_run_batch_skips_done_and_retries_partial(local_run: LocalRun, tmp_path: Path) -> None:
    import shutil

    out = tmp_path / "o"
    shutil.copytree(local_run.out / "ana", out / "ana")
    doc = json.loads((out / "ana" / "week2" / "result.json").read_text())
    doc["partial"] = True  # an interrupted analysis is not finished: it must run again
    (out / "ana" / "week2" / "result.json").write_text(json.dumps(doc))
    jobs = collect([local_run.root / "ana" / "week1.mp4", local_run.corrupt],
                   routine="li4-quick")
    rep = run_batch(jobs, out, workers=1, history=False)
    assert rep.skipped == ["ana/week1"] and rep.done == []
    assert [r for r, _ in rep.failures] == ["eve/week1"]
    assert "cannot be decoded" in rep.failures[0][1] or "video file is" in rep.failures[0][1]
    from massagecam.batch import is_done

    assert not is_done(out, collect([local_run.root / "ana" / "week2.mp4"])[0])


def test_ray_engine_without_ray_names_the_extra(cohort: tuple[Path, Path],
                                                monkeypatch: pytest.MonkeyPatch,
                                                tmp_path: Path) -> None:
    import sys

    monkeypatch.setitem(sys.modules, "ray", None)  # import ray → ImportError
    res = CliRunner().invoke(cli, ["batch", str(cohort[0]), "--out", str(tmp_path / "o"),
                                   "--engine", "ray", "--quiet"])
    assert res.exit_code == 2
    lines = [ln for ln in res.output.splitlines() if ln.strip()]
    assert len(lines) == 1 and "massagecam[cluster]" in lines[0], res.output
    assert not (tmp_path / "o").exists()


def test_local_engine_survives_a_dying_worker() -> None:
    from batch_videos import die_on_two

    from massagecam.engines.local import LocalEngine, WorkerDied

    engine = LocalEngine(1)
    try:
        got = dict(engine.run(die_on_two, [1, 2, 3]))
    finally:
        engine.close()
    assert got[0] == 10 and got[2] == 30
    assert isinstance(got[1], WorkerDied)
