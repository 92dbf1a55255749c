"""``massagecam calibrate``: record one light and one firm press to unlock pressure levels.

A webcam cannot measure force, so pressure is reported only relative to the user's own light
and firm press (see :mod:`massagecam.calibration`). The command reads a camera or a video where
the thumb presses the other hand lightly for SECONDS, then firmly for SECONDS, and stores the
two press indices in the data folder's calibration.json.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import click

from massagecam.errors import CaptureError


@click.command("calibrate")
@click.option("--source", default="0", show_default=True,
              help="Camera index, video file or URL to read.")
@click.option("--seconds", type=click.FloatRange(1.0, 60.0), default=5.0, show_default=True,
              help="Length of each phase: light press first, then firm press.")
@click.option("--receiving", type=click.Choice(["auto", "left", "right"]), default="auto",
              show_default=True, help="Which hand receives the press.")
@click.option("--mirrored", is_flag=True, help="The frames are mirrored (selfie view).")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Where to write the calibration (default: data folder/calibration.json).")
def command(source: str, seconds: float, receiving: str, mirrored: bool,
            out: Path | None) -> None:
    """Calibrate pressure levels: press LIGHTLY for SECONDS, then FIRMLY for SECONDS.

    Hold the receiving hand still and press one point with the other thumb. Without a
    calibration, pressure is always reported as unknown.
    """
    from massagecam import calibration
    from massagecam.capture import open_source
    from massagecam.hands import Hands
    from massagecam.landmarker import Landmarker
    from massagecam.tracking import RoleTracker

    with open_source(source) as src, Landmarker(mirrored=mirrored) as lm:
        tracker = RoleTracker(receiving=receiving, mode="self")
        if src.info.kind == "camera":
            click.echo(f"Phase 1: press LIGHTLY for {seconds:g} s, then FIRMLY for "
                       f"{seconds:g} s when told.")

        def frames() -> Iterator[Hands]:
            told = False
            t0 = None
            for frame in src:
                t0 = frame.t if t0 is None else t0
                if not told and frame.t - t0 >= seconds and src.info.kind == "camera":
                    click.echo("Phase 2: now press FIRMLY.")
                    told = True
                yield tracker.update(lm.detect(frame.image, frame.t, frame.index), frame.image)

        light, firm = calibration.collect(frames(), seconds)
    if not light and not firm:
        raise CaptureError(f"{source}: no press seen (both hands must be in view, one thumb "
                           "on the other hand)")
    cal = calibration.from_samples(light, firm, source=str(source))
    path = calibration.save(cal, out)
    click.echo(f"light {cal.light:.2f}, firm {cal.firm:.2f} "
               f"({cal.frames[0]}+{cal.frames[1]} contact frames) -> {path}")
