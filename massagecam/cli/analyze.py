"""``massagecam analyze``: score a recorded session and write its report."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from massagecam.cli._options import (
    caregiver_at_option,
    db_option,
    mode_option,
    model_option,
    quiet_option,
    receiving_option,
)


def echo_outputs(out: object, *, err: bool = False) -> None:
    """Print the headline and the written files of an ``AnalysisOutput``."""
    o = out  # AnalysisOutput; typed loosely so importing this module stays light
    if getattr(o, "partial", False):
        click.echo(f"PARTIAL result ({o.frames} frames analysed before the stop)", err=err)
    if o.score is not None:
        click.echo(f"score {o.score:.0f}/100 — {o.feedback}", err=err)
    else:
        click.echo("free practice (no routine): no score; see the report for presses", err=err)
    for w in getattr(o, "warnings", ())[:3]:
        click.echo(f"warning: {w}", err=err)
    click.echo(f"result:  {o.result_json}", err=err)
    if o.report_html is not None:
        click.echo(f"report:  {o.report_html}", err=err)
    if o.annotated is not None:
        click.echo(f"video:   {o.annotated}", err=err)
    if o.session_id is not None:
        click.echo(f"history: session #{o.session_id}", err=err)
    speed = o.frames / o.seconds if o.seconds > 0 else 0.0
    click.echo(f"{o.frames} frames in {o.seconds:.1f} s ({speed:.1f} frames/s)", err=err)


@click.command("analyze")
@click.argument("video", type=click.Path(dir_okay=True, path_type=Path))
@click.option("--routine", "-r", metavar="ID|FILE",
              help="Built-in routine id (see `massagecam routines list`) or a routine TOML file. "
                   "Without it the session is analysed as free practice (no score).")
@click.option("--out", "-o", "out_dir", type=click.Path(file_okay=False, path_type=Path),
              help="Output folder [default: ./massagecam-out/<video name>/].")
@click.option("--annotate", is_flag=True, help="Also write annotated.mp4 with the live overlay.")
@click.option("--no-report", is_flag=True, help="Skip report.html (result.json only).")
@click.option("--no-history", is_flag=True, help="Do not store the session in the history.")
@db_option
@receiving_option
@mode_option
@caregiver_at_option
@click.option("--mirror", is_flag=True, help="The video is mirrored (a selfie-view recording).")
@model_option
@click.option("--workers", "-j", type=click.IntRange(1, 64), default=None,
              help="Processes running the hand model on overlapping segments of the video "
                   "[default: 2 with two or more cores, unless --annotate or --threads is "
                   "given; a video too short to split runs in one process]. 1: one process.")
@click.option("--threads", "-t", type=click.IntRange(1, 4), default=None,
              help="Hand-model instances run side by side in threads, each on every k-th "
                   "frame [default: 2 with two or more cores, else 1].")
@click.option("--hindsight", type=click.FloatRange(0.0, 10.0), default=None, metavar="S",
              help="Judge each frame's stroke by what the next S seconds show: a recording can "
                   "wait where live coaching cannot [default: 3]. 0 judges every frame as "
                   "live practice would.")
@quiet_option
def command(video: Path, routine: str | None, out_dir: Path | None, annotate: bool,
            no_report: bool, no_history: bool, db: Path | None, receiving: str, mode: str,
            caregiver_at: str, mirror: bool, model: Path | None, workers: int | None,
            threads: int | None, hindsight: float | None, quiet: bool) -> None:
    """Analyse a recorded session VIDEO: result.json, report.html, optional annotated video.

    The same pipeline as live practice runs on every frame; with --routine the session is
    scored 0-100 step by step. Ctrl-C stops early and still writes what was analysed (marked
    partial). Example: massagecam analyze session.mp4 --routine li4-headache --annotate
    """
    from massagecam.analyze import analyze_video
    from massagecam.hindsight import ANALYSIS_LAG_S

    common = dict(hindsight_s=ANALYSIS_LAG_S if hindsight is None else hindsight,
                  routine=routine, out_dir=out_dir, report=not no_report,
                  history=not no_history, db=db, receiving=receiving, mode=mode,
                  mirrored=mirror, model_path=model, progress=not quiet,
                  caregiver_at=None if caregiver_at == "none" else caregiver_at)
    if workers is None:  # fastest by default: measured in benchmarks/throughput.py
        workers = 2 if (os.cpu_count() or 1) >= 2 and not annotate and threads is None else 1
    if workers > 1:
        if annotate:
            raise click.UsageError("--workers > 1 cannot write --annotate (the annotated video "
                                   "needs every frame in one process); drop one of them")
        if threads is not None:
            raise click.UsageError("--workers and --threads: segments run one hand-model "
                                   "instance each; give one of them")
        from massagecam.segments import analyze_segmented

        out = analyze_segmented(video, workers=workers, **common)
    else:
        out = analyze_video(video, annotate=annotate, threads=threads, **common)
    echo_outputs(out)
    if out.partial:
        sys.exit(130)
