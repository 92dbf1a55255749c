"""Analyse many recordings: a cohort of people and sessions, on a local pool or on Ray.

``collect`` turns folders, globs and files into jobs with a stable output sub-folder each
(``<out>/<person>/<session>/``: the first folder under an input folder is the person, the file
name the session). ``run_batch`` runs :func:`run_job` (one :func:`massagecam.analyze.analyze_video`
per video) on an engine and writes what each job returns.

Why jobs return their files as bytes instead of writing them: the driver then owns every write.
It writes them under temporary names and renames ``result.json`` last, so a folder with a
``result.json`` is finished (that is what makes a re-run skip it), whichever engine ran it and
even on a cluster whose nodes cannot see the output folder. The history database is written by
the driver too, one process, never by concurrent workers.

One bad video never stops a batch: :func:`run_job` catches it and returns a one-line reason;
failures are listed at the end and in ``failures.csv``. The cohort summary (``summary.csv``,
``summary.html``, built by :mod:`massagecam.cohort`) is rebuilt from every finished
``result.json`` of the batch's inputs, so resumed batches summarise everything.
"""

from __future__ import annotations

import glob
import json
import os
import shutil
import tempfile
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from massagecam.cohort import summary_rows, write_summary
from massagecam.engines.progress import BatchProgress, progress_reporter
from massagecam.errors import CaptureError, ConfigError, MassagecamError

if TYPE_CHECKING:
    from massagecam.engines import Engine

__all__ = ["OUTPUT_FILES", "VIDEO_SUFFIXES", "BatchReport", "Job", "Outcome",
           "check_inputs_options", "collect", "is_done", "one_line", "run_batch", "run_job",
           "summary_rows", "write_summary"]

VIDEO_SUFFIXES = frozenset({".mp4", ".m4v", ".mov", ".avi", ".mkv", ".webm", ".mpg", ".mpeg",
                            ".wmv", ".flv", ".3gp"})
#: Files a job returns, in write order (``result.json`` last: it marks the folder done).
OUTPUT_FILES: tuple[str, ...] = ("report.html", "result.json")


@dataclass(frozen=True)
class Job:
    """One video to analyse (picklable: it travels to worker processes and Ray tasks).

    Attributes:
        video: absolute path of the video.
        rel: output sub-folder, POSIX-style, unique in the batch (``person/session``).
        person / session: cohort labels for the summary.
        routine: routine id or TOML path (None: free practice, no score).
        options: keyword arguments for ``analyze_video`` (receiving, mode, mirrored,
            model_path, report, segments...).
    """

    video: str
    rel: str
    person: str
    session: str
    routine: str | None = None
    options: tuple[tuple[str, Any], ...] = ()


@dataclass
class Outcome:
    """What a job returned: files (name → bytes) or a one-line failure reason."""

    rel: str
    ok: bool
    reason: str = ""
    files: dict[str, bytes] = field(default_factory=dict)
    frames: int = 0
    seconds: float = 0.0
    score: float | None = None
    partial: bool = False


@dataclass
class BatchReport:
    """The end of a batch: what ran, what was skipped, what failed and why.

    ``seconds`` is the batch's wall time, ``job_seconds`` the sum of the analyses' own times:
    their ratio is how many videos were analysed at once on average.
    """

    out_dir: Path
    done: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    failures: list[tuple[str, str]] = field(default_factory=list)
    frames: int = 0
    seconds: float = 0.0
    job_seconds: float = 0.0
    summary_csv: Path | None = None
    summary_html: Path | None = None


# -- inputs -----------------------------------------------------------------------------
def collect(inputs: Iterable[str | os.PathLike[str]], *, routine: str | None = None,
            options: dict[str, Any] | None = None) -> list[Job]:
    """Jobs for every video named by ``inputs`` (files, folders searched recursively, globs).

    A file given by name is taken whatever its extension (a mislabelled video then fails with
    its reason instead of vanishing); folders and globs contribute video-suffixed files only.

    Raises:
        CaptureError: an input matches nothing, or nothing at all was found.
    """
    opts = tuple(sorted((options or {}).items()))
    if routine is not None and Path(routine).expanduser().is_file():
        routine = str(Path(routine).expanduser().resolve())  # workers may run elsewhere
    found: list[tuple[Path, Path | None]] = []  # (video, root folder or None)
    for item in inputs:
        text = os.fspath(item)
        path = Path(text).expanduser()
        if path.is_dir():
            vids = sorted(p for p in path.rglob("*") if p.is_file() and _is_video(p))
            if not vids:
                raise CaptureError(f"{text}: folder holds no video files (expected "
                                   f"{', '.join(sorted(VIDEO_SUFFIXES))})")
            found += [(p, path) for p in vids]
        elif path.is_file():
            found.append((path, None))
        elif glob.has_magic(text):
            vids = sorted(Path(p) for p in glob.glob(os.path.expanduser(text), recursive=True)
                          if Path(p).is_file() and _is_video(Path(p)))
            if not vids:
                raise CaptureError(f"{text}: pattern matches no video files")
            found += [(p, None) for p in vids]
        else:
            raise CaptureError(f"{text}: no such file, folder or matching pattern")
    jobs: list[Job] = []
    seen_videos: set[Path] = set()
    used: set[str] = set()
    for video, root in found:
        real = video.resolve()
        if real in seen_videos:
            continue
        seen_videos.add(real)
        person, session = _labels(video, root)
        rel = base = f"{_safe(person)}/{_safe(session)}" if person else _safe(session)
        k = 2
        while rel in used:
            rel, k = f"{base}-{k}", k + 1
        used.add(rel)
        jobs.append(Job(str(real), rel, person, session, routine, opts))
    if not jobs:
        raise CaptureError("no input videos given")
    return jobs


def _is_video(p: Path) -> bool:
    return p.suffix.lower() in VIDEO_SUFFIXES and not p.name.startswith(".")


def _labels(video: Path, root: Path | None) -> tuple[str, str]:
    """(person, session): first folder under the input folder, else the file's folder."""
    if root is not None:
        parts = video.relative_to(root).parts
        if len(parts) > 1:
            return parts[0], str(Path(*parts[1:]).with_suffix("")).replace(os.sep, "_")
    return video.parent.name, video.stem


def _safe(name: str) -> str:
    keep = "".join(c if c.isalnum() or c in "-_.+" else "_" for c in name).strip(".")
    return keep or "video"


# -- one job (runs in a worker) ---------------------------------------------------------
def run_job(job: Job) -> Outcome:
    """Analyse one video in a scratch folder and return its files (never raises for bad input).

    Runs in a worker process or Ray task. Bad input (MassagecamError) and unexpected errors
    alike become a failed :class:`Outcome` with a one-line reason, so the batch goes on.
    """
    scratch = Path(tempfile.mkdtemp(prefix="massagecam-job-"))
    try:
        from massagecam.analyze import analyze_video

        # one landmark instance per video: the batch's parallelism is videos side by side
        options = {"threads": 1, **dict(job.options)}
        out = analyze_video(job.video, routine=job.routine, out_dir=scratch, history=False,
                            kind="batch", on_frame=progress_reporter(job.rel), **options)
        files = {name: (scratch / name).read_bytes() for name in OUTPUT_FILES
                 if (scratch / name).is_file()}
        return Outcome(job.rel, True, files=files, frames=out.frames, seconds=out.seconds,
                       score=out.score, partial=out.partial)
    except MassagecamError as exc:
        return Outcome(job.rel, False, reason=one_line(str(exc)))
    except KeyboardInterrupt:
        raise
    except Exception as exc:  # noqa: BLE001 - any crash of one video is that video's failure
        return Outcome(job.rel, False, reason=f"{type(exc).__name__}: {one_line(str(exc))}")
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def one_line(text: str, limit: int = 300) -> str:
    """The first non-empty line of ``text``, shortened to ``limit`` characters."""
    lines = [ln.strip() for ln in text.strip().splitlines() if ln.strip()]
    line = lines[0] if lines else "unknown error"
    return line if len(line) <= limit else line[: limit - 1] + "…"


# -- the batch (driver) -----------------------------------------------------------------
def is_done(out_dir: Path, job: Job) -> bool:
    """A finished, complete ``result.json`` for this job is already in ``out_dir``."""
    path = out_dir / job.rel / "result.json"
    if not path.is_file():
        return False
    try:
        with path.open(encoding="utf-8") as f:
            doc = json.load(f)
    except (OSError, ValueError):
        return False
    return not doc.get("partial", True)


def run_batch(jobs: Sequence[Job], out_dir: str | os.PathLike[str], *,
              engine: Engine | None = None,
              workers: int = 1, force: bool = False, history: bool = True,
              db: str | os.PathLike[str] | None = None, progress: bool = False,
              on_outcome: Callable[[Job, Outcome], None] | None = None) -> BatchReport:
    """Run ``jobs`` on ``engine`` (default: a local pool of ``workers``) into ``out_dir``.

    Args:
        jobs: from :func:`collect`.
        out_dir: batch folder; each job writes ``<out_dir>/<job.rel>/``.
        engine: an :class:`~massagecam.engines.Engine`; None builds a local one (and closes it).
        workers: local pool size when ``engine`` is None.
        force: re-analyse videos that already have a finished result.
        history: store every finished session in the history database (kind "batch").
        db: history database path.
        progress: a tqdm bar over the whole batch (frames) on stderr.
        on_outcome: called in the driver after each job (GUIs, tests).
    """
    from massagecam.engines import make_engine

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    report = BatchReport(out)
    todo = []
    for job in jobs:
        if not force and is_done(out, job):
            report.skipped.append(job.rel)
        else:
            todo.append(job)
    own = engine is None
    eng = make_engine("local", workers) if own else engine
    bar = BatchProgress(progress, {j.rel: _frames_of(j) for j in todo} if progress else {},
                        len(jobs) - len(todo), eng)
    t0 = time.monotonic()
    try:
        for i, res in eng.run(run_job, todo):
            job = todo[i]
            outcome = res if isinstance(res, Outcome) else \
                Outcome(job.rel, False, reason=one_line(str(res)) or type(res).__name__)
            _store(out, job, outcome, report, history, db)
            if on_outcome is not None:
                on_outcome(job, outcome)
            bar.finished(job, len(report.done), len(report.failures))
    finally:
        bar.close()
        if own:
            eng.close()
    report.seconds = time.monotonic() - t0
    _write_failures(out, report.failures)
    report.summary_csv, report.summary_html = write_summary(out, jobs, report.failures)
    return report


def _store(out: Path, job: Job, o: Outcome, report: BatchReport, history: bool,
           db: str | os.PathLike[str] | None) -> None:
    if not o.ok:
        report.failures.append((job.rel, o.reason))
        return
    folder = out / job.rel
    folder.mkdir(parents=True, exist_ok=True)
    for name in OUTPUT_FILES:
        if name in o.files:
            tmp = folder / f".{name}.{os.getpid()}.tmp"
            tmp.write_bytes(o.files[name])
            tmp.replace(folder / name)
    report.done.append(job.rel)
    report.frames += o.frames
    report.job_seconds += o.seconds
    if history and "result.json" in o.files:
        from massagecam.history import History, record_from_result

        doc = json.loads(o.files["result.json"])
        with History(db) as h:
            h.add(record_from_result(doc, kind="batch", source=job.video))


def _write_failures(out: Path, failures: list[tuple[str, str]]) -> None:
    import csv

    path = out / "failures.csv"
    if not failures:
        path.unlink(missing_ok=True)
        return
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["video", "reason"])
        w.writerows(sorted(failures))


def _frames_of(job: Job) -> int:
    """Frame count from the container (cheap, no decoding); 1 when unknown."""
    try:
        import cv2

        cap = cv2.VideoCapture(job.video)
        try:
            n = int(cap.get(cv2.CAP_PROP_FRAME_COUNT)) if cap.isOpened() else 0
        finally:
            cap.release()
    except Exception:  # noqa: BLE001 - only a progress estimate
        n = 0
    return max(n, 1)


def check_inputs_options(routine: str | None, receiving: str, mode: str) -> None:
    """Fail before starting any worker when settings are wrong (ConfigError/RoutineError)."""
    from massagecam.session import MODES, RECEIVING

    if receiving not in RECEIVING:
        raise ConfigError(f"receiving={receiving!r}: expected one of {', '.join(RECEIVING)}")
    if mode not in MODES:
        raise ConfigError(f"mode={mode!r}: expected one of {', '.join(MODES)}")
    if routine is not None:
        from massagecam.routines import load_routine

        load_routine(routine)
