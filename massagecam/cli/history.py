"""``massagecam history``: past sessions and the progress of their scores."""

from __future__ import annotations

from pathlib import Path

import click

from massagecam.cli._options import db_option


@click.command("history")
@db_option
@click.option("--routine", "-r", metavar="ID", help="Only sessions of this routine.")
@click.option("--csv", "csv_path", type=click.Path(dir_okay=False, path_type=Path),
              help="Also export the sessions to this CSV file.")
@click.option("--plot", "plot_path", type=click.Path(dir_okay=False, path_type=Path),
              help="Also draw the score progress over time to this PNG file.")
@click.option("--limit", "-n", type=click.IntRange(min=0), default=30, show_default=True,
              help="List at most this many of the latest sessions (0 = all).")
def command(db: Path | None, routine: str | None, csv_path: Path | None,
            plot_path: Path | None, limit: int) -> None:
    """List stored sessions (analysed and live), oldest first, with their scores.

    Every `analyze`, `demo` and live session is stored (scores, steps, settings; never
    video). Example: massagecam history --plot progress.png --csv sessions.csv
    """
    from massagecam.history import History, default_path, plot_progress, write_csv

    path = db or default_path()
    if db is not None and not path.exists():
        raise click.BadParameter(f"{path}: no such history database", param_hint="--db")
    with History(path) as h:
        sessions = h.sessions(routine)
    click.echo(f"{len(sessions)} session(s) in {path}")
    shown = sessions[-limit:] if limit else sessions
    if shown:
        click.echo(f"{'id':>4}  {'started (UTC)':<20} {'kind':<8} {'routine':<22} {'score':>5}  "
                   "source")
    for s in shown:
        score = "  -  " if s.score is None else f"{s.score:5.0f}"
        flag = " (partial)" if s.partial else ""
        click.echo(f"{s.id:>4}  {s.started_at[:19]:<20} {s.kind:<8} "
                   f"{(s.routine_id or 'free practice')[:22]:<22} {score}  "
                   f"{Path(s.source).name}{flag}")
    if csv_path is not None:
        click.echo(f"csv:  {write_csv(sessions, csv_path)}")
    if plot_path is not None:
        click.echo(f"plot: {plot_progress(sessions, plot_path)}")
