"""``massagecam live``: practise in front of a webcam with a real-time guidance overlay."""

from __future__ import annotations

from pathlib import Path

import click

from massagecam.cli._options import (
    caregiver_at_option,
    db_option,
    mode_option,
    model_option,
    receiving_option,
)


@click.command("live")
@click.option("--camera", "-c", type=click.IntRange(0, 99), default=None, metavar="N",
              help="Camera index [default: 0].")
@click.option("--source", "-s", metavar="PATH_OR_URL",
              help="A video file, image folder or stream URL instead of a camera (files play "
                   "in real time; frames the loop is too slow for are dropped and counted).")
@click.option("--loop", is_flag=True,
              help="With --source FILE: play it again from the start when it ends (demos).")
@click.option("--routine", "-r", metavar="ID|FILE",
              help="Built-in routine id or routine TOML file to be guided through; without it: "
                   "free practice.")
@receiving_option
@mode_option
@caregiver_at_option
@click.option("--mirror/--no-mirror", default=True, show_default=True,
              help="Show the picture mirrored, like a mirror (analysis is unaffected).")
@click.option("--record", type=click.Path(dir_okay=False, path_type=Path), metavar="OUT.mp4",
              help="Record the window's picture (overlay included) to OUT.mp4.")
@click.option("--no-window", is_flag=True,
              help="Run without a window (headless; for tests, CI and benchmarks).")
@click.option("--duration", type=click.FloatRange(0, 86400, min_open=True), metavar="S",
              help="Stop after S seconds.")
@click.option("--stats", is_flag=True,
              help="Print fps, per-stage times, app-added latency and drops at the end.")
@click.option("--audio", is_flag=True,
              help="Sound cues: a chime when the step changes (never an error without audio).")
@click.option("--beat", is_flag=True, help="With --audio, also tick at the step's rhythm.")
@click.option("--reconnect", type=click.FloatRange(0, 3600), default=10.0, show_default=True,
              metavar="S", help="Seconds to keep trying to reopen a lost camera.")
@click.option("--second-look", is_flag=True,
              help="Search upscaled crops for a hand the model lost, with whole-frame model "
                   "instances instead of one per hand (higher latency, dropped frames at 60 "
                   "fps; recorded analyses always do it).")
@click.option("--no-history", is_flag=True,
              help="Do not save the session (history row and report) on exit.")
@db_option
@model_option
def command(camera: int | None, source: str | None, loop: bool, routine: str | None,
            receiving: str,
            mode: str, caregiver_at: str, mirror: bool, record: Path | None, no_window: bool,
            duration: float | None, stats: bool, audio: bool, beat: bool, reconnect: float,
            second_look: bool,
            no_history: bool, db: Path | None, model: Path | None) -> None:
    """Live practice: webcam window with the target zone, arrow, dwell ring, beat and steps.

    Keys: space pause, n/p next/previous step, z zones, m mirror, r record, h help,
    q or Esc quit. Quitting saves the session to the history and writes its report.
    Example: massagecam live --routine li4-headache --receiving left
    """
    from massagecam.errors import ConfigError
    from massagecam.live import LiveConfig, LiveSession, format_stats

    if camera is not None and source is not None:
        raise ConfigError("--camera and --source: give one of them, not both")
    config = LiveConfig(source=source if source is not None else (camera or 0),
                        routine=routine, receiving=receiving, mode=mode, mirror=mirror,
                        record=record, window=not no_window, duration_s=duration,
                        audio=audio, beat=beat, reconnect_s=reconnect, save=not no_history,
                        db=db, model_path=model, loop=loop, second_look=second_look,
                        per_hand=not second_look,
                        caregiver_at=None if caregiver_at == "none" else caregiver_at)
    session = LiveSession(config)
    summary = session.run()
    click.echo(f"live session: {summary.frames} frames in {summary.duration_s:.1f} s, "
               f"ended by {summary.ended_by}" + (" (partial)" if summary.partial else ""))
    score = getattr(summary.score, "total", None)
    if score is not None:
        click.echo(f"score {score:.0f}/100 — {getattr(summary.score, 'feedback', '')}")
    if summary.report is not None:
        click.echo(f"report:  {summary.report}")
    if summary.history_id is not None:
        click.echo(f"history: session #{summary.history_id}")
    for path in summary.recordings:
        click.echo(f"video:   {path}")
    if audio:
        click.echo(f"audio: {session.audio.backend}")
    if stats:
        click.echo(format_stats(summary.stats))
