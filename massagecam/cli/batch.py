"""``massagecam batch``: analyse a cohort of recordings on this machine or on Ray."""

from __future__ import annotations

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


@click.command("batch")
@click.argument("inputs", nargs=-1, required=True)
@click.option("--out", "-o", "out_dir", required=True,
              type=click.Path(file_okay=False, path_type=Path),
              help="Batch folder: <out>/<person>/<session>/result.json + report.html, "
                   "summary.csv, summary.html, failures.csv.")
@click.option("--workers", "-j", type=click.IntRange(1, 256), default=1, show_default=True,
              help="Videos analysed at the same time (one process or Ray task each; "
                   "about one per core).")
@click.option("--engine", type=click.Choice(["local", "ray"]), default="local",
              show_default=True,
              help="local: a process pool here; ray: Ray tasks (needs massagecam[cluster]).")
@click.option("--address", metavar="ADDR",
              help="Ray cluster to use (ray://head:10001 or auto) [default: $RAY_ADDRESS, "
                   "else a private local Ray].")
@click.option("--routine", "-r", metavar="ID|FILE",
              help="Routine every video is scored against; without it: free practice.")
@receiving_option
@mode_option
@caregiver_at_option
@click.option("--mirror", is_flag=True, help="The videos are mirrored (selfie view).")
@model_option
@click.option("--no-report", is_flag=True, help="Skip each video's report.html.")
@click.option("--force", is_flag=True, help="Re-analyse videos that already have a result.")
@click.option("--no-history", is_flag=True, help="Do not store the sessions in the history.")
@db_option
@quiet_option
def command(inputs: tuple[str, ...], out_dir: Path, workers: int, engine: str,
            address: str | None, routine: str | None, receiving: str, mode: str,
            caregiver_at: str, mirror: bool,
            model: Path | None, no_report: bool, force: bool, no_history: bool,
            db: Path | None, quiet: bool) -> None:
    """Analyse every video in INPUTS (files, folders, globs) into --out, then summarise.

    In a folder input, the first sub-folder names the person and the file the session
    (cohort/alice/week1.mp4). Re-running the same command skips finished videos; a bad video
    is listed with its reason and the batch goes on (exit code 1 if any failed). Example:
    massagecam batch recordings/ --out graded/ --routine li4-headache --workers 2
    """
    from massagecam.batch import check_inputs_options, collect, run_batch
    from massagecam.engines import make_engine

    check_inputs_options(routine, receiving, mode)
    options = {"receiving": receiving, "mode": mode, "mirrored": mirror,
               "caregiver_at": None if caregiver_at == "none" else caregiver_at,
               "model_path": str(model.resolve()) if model else None, "report": not no_report}
    jobs = collect(inputs, routine=routine, options=options)
    eng = make_engine(engine, workers, address=address)
    try:
        rep = run_batch(jobs, out_dir, engine=eng, force=force, history=not no_history,
                        db=db, progress=not quiet)
    finally:
        eng.close()
    speed = rep.frames / rep.seconds if rep.seconds > 0 else 0.0
    click.echo(f"{len(jobs)} videos: {len(rep.done)} analysed, {len(rep.skipped)} already "
               f"done, {len(rep.failures)} failed ({rep.frames} frames in {rep.seconds:.1f} s, "
               f"{speed:.1f} frames/s, engine {engine}, {workers} workers)")
    click.echo(f"summary: {rep.summary_csv}")
    click.echo(f"         {rep.summary_html}")
    if rep.failures:
        click.echo("failures:", err=True)
        for rel, reason in sorted(rep.failures):
            click.echo(f"  {rel}: {reason}", err=True)
        sys.exit(1)
