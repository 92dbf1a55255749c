"""``massagecam render``: a session script to a video with ground truth."""

from __future__ import annotations

from pathlib import Path

import click


@click.command("render")
@click.argument("script", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--out", "out", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="Video file to write (.mp4 with mp4v, or .avi with MJPG).")
@click.option("--truth", "truth", type=click.Path(dir_okay=False, path_type=Path),
              help="Ground-truth JSON to write (per-frame landmarks, contact, target, zones).")
@click.option("--seed", type=int, default=None, help="Override the script's [render] seed.")
@click.option("--receiver-photo", help="Photo (or VIDEO@FRAME) of a real hand to cut out and "
              "use as the receiving hand (photo-composite mode).")
@click.option("--giver-photo", help="Photo (or VIDEO@FRAME) of a real hand to use as the "
              "giving hand.")
@click.option("--quiet", is_flag=True, help="No progress bar.")
def command(script: Path, out: Path, truth: Path | None, seed: int | None,
            receiver_photo: str | None, giver_photo: str | None, quiet: bool) -> None:
    """Render the session SCRIPT (TOML) to a video of two hands, with optional truth JSON.

    The script says which routine is practised, the receiving hand, how the video looks and,
    segment by segment, where the giving thumb presses, with which technique and for how long
    (see docs/render.md). Same script and seed give identical frames and truth.
    """
    import dataclasses

    from tqdm import tqdm

    from massagecam.render import load_script, render_session
    from massagecam.render.composite import load_cutouts
    from massagecam.render.writer import check_video_path

    s = load_script(script)
    check_video_path(out)
    photos = (load_cutouts(receiver_photo, giver_photo) if receiver_photo or giver_photo
              else [None, None])
    if seed is not None:
        s = dataclasses.replace(s, render=dataclasses.replace(s.render, seed=seed))
    bar = None if quiet else tqdm(total=int(round(s.duration_s * s.render.fps)), unit="frame",
                                  desc="render")

    def progress(done: int, total: int) -> None:
        if bar is not None:
            bar.update(1)

    try:
        doc = render_session(s, out, truth, progress, *photos)
    finally:
        if bar is not None:
            bar.close()
    click.echo(f"wrote {out} ({doc['n_frames']} frames"
               + (f"), truth {truth}" if truth else ")"))
