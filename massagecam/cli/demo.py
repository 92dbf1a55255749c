"""``massagecam demo``: analyse a bundled sample session; no camera, no network needed."""

from __future__ import annotations

import json
from pathlib import Path

import click

from massagecam.cli._options import quiet_option
from massagecam.errors import MassagecamError

VIDEO_SUFFIXES = (".mp4", ".avi", ".mkv", ".mov", ".webm")


def bundled_samples() -> list[Path]:
    """The sample videos shipped in ``paths.samples_dir()``, sorted by name."""
    from massagecam import paths

    folder = paths.samples_dir()
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if p.suffix.lower() in VIDEO_SUFFIXES)


def sample_routine(video: Path) -> str | None:
    """The routine a sample was rendered for: from its session script or its truth file."""
    import tomllib

    script = video.with_suffix(".toml")
    if script.is_file():
        try:
            routine = tomllib.loads(script.read_text(encoding="utf-8")).get("routine")
        except (OSError, ValueError):
            routine = None
        if isinstance(routine, str) and routine:
            return _resolve(routine, video)
    for cand in (video.with_suffix(".truth.json"), video.with_suffix(".json")):
        if not cand.is_file():
            continue
        try:
            data = json.loads(cand.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        if not isinstance(data, dict):
            return None
        routine = data.get("routine") or (data.get("script") or {}).get("routine")
        if isinstance(routine, dict):
            routine = routine.get("id")
        return _resolve(routine, video) if isinstance(routine, str) and routine else None
    return None


def _resolve(routine: str, video: Path) -> str:
    """A routine file named relative to the sample resolves next to it; ids stay ids."""
    if routine.endswith(".toml") and (video.parent / routine).is_file():
        return str(video.parent / routine)
    return routine


@click.command("demo")
@click.argument("sample", required=False)
@click.option("--list", "list_only", is_flag=True, help="List the bundled samples and exit.")
@click.option("--out", "-o", "out_dir", type=click.Path(file_okay=False, path_type=Path),
              help="Output folder [default: ./massagecam-out/demo-<sample>/].")
@click.option("--annotate", is_flag=True, help="Also write annotated.mp4 with the overlay.")
@click.option("--history", "store", is_flag=True,
              help="Store the demo in your history (off by default: it is not your session).")
@quiet_option
def command(sample: str | None, list_only: bool, out_dir: Path | None, annotate: bool,
            store: bool, quiet: bool) -> None:
    """Analyse a bundled sample session and print where its report is.

    The quickest way to see what massagecam does: no camera and no network needed. SAMPLE is
    a sample name (see --list); default the first one.
    """
    from massagecam import paths
    from massagecam.analyze import analyze_video
    from massagecam.cli.analyze import echo_outputs

    samples = bundled_samples()
    if list_only:
        for s in samples:
            click.echo(f"{s.stem:<32} routine: {sample_routine(s) or 'free practice'}")
        if not samples:
            click.echo(f"no samples in {paths.samples_dir()}")
        return
    if not samples:
        raise MassagecamError(f"{paths.samples_dir()}: no bundled sample videos (*.mp4) found; "
                              "reinstall massagecam or run `massagecam analyze VIDEO` on your "
                              "own recording")
    if sample is None:
        video = samples[0]
    else:
        match = [s for s in samples if s.stem == sample or s.name == sample]
        if not match:
            names = ", ".join(s.stem for s in samples)
            raise MassagecamError(f"sample {sample!r} not found; expected one of: {names}")
        video = match[0]
    routine = sample_routine(video)
    out = out_dir or Path("massagecam-out") / f"demo-{video.stem}"
    click.echo(f"analysing bundled sample {video.name}"
               + (f" against routine {routine!r}" if routine else " (free practice)"))
    result = analyze_video(video, routine=routine, out_dir=out, annotate=annotate,
                           history=store, kind="demo", progress=not quiet)
    echo_outputs(result)
    if result.report_html is not None:
        click.echo(f"open {result.report_html.resolve().as_uri()} in a browser")
