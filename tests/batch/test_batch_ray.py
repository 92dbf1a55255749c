"""``--engine ray`` against a local Ray instance started here: same results as ``local``.

One Ray instance for the whole test session (its start-up costs seconds); skipped with the
reason when Ray (the ``massagecam[cluster]`` extra) is not installed.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from batch_videos import LocalRun

from massagecam.batch import collect, run_batch
from massagecam.engines import make_engine

#: Fields that legitimately differ between two runs of the same analysis.
VOLATILE = {("created_at",), ("video", "analysis_s"), ("video", "speed_x_realtime")}


@pytest.fixture(scope="session")
def ray_local() -> Iterator[Any]:
    ray = pytest.importorskip("ray", reason="Ray not installed (pip install "
                                            "'massagecam[cluster]')")
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    try:
        yield ray
    finally:
        ray.shutdown()


def _stable(doc: dict[str, Any]) -> dict[str, Any]:
    for path in VOLATILE:
        d = doc
        for k in path[:-1]:
            d = d[k]
        d.pop(path[-1], None)
    return doc


@pytest.mark.model
def test_ray_engine_matches_local(ray_local: Any, local_run: LocalRun, tmp_path: Path) -> None:
    assert local_run.result.exit_code == 1, local_run.result.output
    root = local_run.root
    inputs = [root / "ana" / "week1.mp4", root / "chloe" / "week2.mp4", local_run.corrupt]
    jobs = collect(inputs, routine="li4-quick",
                   options={"receiving": "auto", "mode": "self", "mirrored": False,
                            "model_path": None, "report": True})
    engine = make_engine("ray", 2)
    try:
        assert ray_local.is_initialized()
        rep = run_batch(jobs, tmp_path / "ray", engine=engine, history=False)
    finally:
        engine.close()
    assert ray_local.is_initialized(), "the engine must not shut down a Ray it did not start"
    assert sorted(rep.done) == ["ana/week1", "chloe/week2"]
    assert [r for r, _ in rep.failures] == ["eve/week1"]
    with (local_run.out / "failures.csv").open(newline="") as f:
        local_fail = {r["video"]: r["reason"] for r in csv.DictReader(f)}
    assert rep.failures[0][1] == local_fail["eve/week1"]
    for rel in rep.done:
        ray_doc = json.loads((tmp_path / "ray" / rel / "result.json").read_text())
        loc_doc = json.loads((local_run.out / rel / "result.json").read_text())
        assert ray_doc["timeline"], rel
        assert _stable(ray_doc) == _stable(loc_doc), rel
