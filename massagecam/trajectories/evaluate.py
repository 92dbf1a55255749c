"""Score contact detection and technique recognition on generated clips.

Shared by ``benchmarks/contact_technique.py`` and the metrics gate test, so both count the same
way:

* contact: every frame (dropped ones included: the detector must hold through them) is a
  press or not; accuracy over all frames, false presses = predicted presses among frames
  without contact, misses = the converse among contact frames;
* technique: a frame counts when it has no contact (truth ``none``) or when its technique
  segment has run for at least ``settle_s`` (the classifier needs a window of path first);
  the prediction is the estimate of the first contact (``none`` when there is none);
* circle frequency, stroke speed and step rate errors: over counted frames where truth and
  prediction agree on the technique.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from massagecam.contact import ContactDetector
from massagecam.results import TechniqueName
from massagecam.technique import TechniqueClassifier
from massagecam.trajectories import Clip

LABELS: tuple[str, ...] = ("hold", "circles", "stroke", "thumb_walk", "finger_pull", "none")


@dataclass(frozen=True)
class Metrics:
    """Figures of one evaluation (fractions 0..1, errors in the units named)."""

    frames: int
    contact_accuracy: float
    false_press_rate: float
    miss_rate: float
    confusion: tuple[tuple[int, ...], ...]  # rows truth, columns predicted, order LABELS
    macro_f1: float
    circle_freq_mae_hz: float
    circle_freq_p90_hz: float
    circle_direction_accuracy: float
    stroke_speed_mare: float
    walk_rate_mae_hz: float
    ms_per_frame: float  # CPU time of this process (fairer than wall time on a busy machine)
    wall_ms_per_frame: float

    def as_dict(self) -> dict[str, object]:
        """Plain figures for JSON (confusion as nested lists)."""
        d = dict(self.__dict__)
        d["confusion"] = [list(r) for r in self.confusion]
        return d


def _f1(conf: np.ndarray) -> float:
    tp = np.diag(conf).astype(float)
    prec = tp / np.maximum(conf.sum(axis=0), 1)
    rec = tp / np.maximum(conf.sum(axis=1), 1)
    f1 = np.where(prec + rec > 0, 2 * prec * rec / np.maximum(prec + rec, 1e-12), 0.0)
    present = conf.sum(axis=1) > 0
    return float(f1[present].mean()) if present.any() else 0.0


def evaluate(clips: Sequence[Clip], *, settle_s: float = 3.0,
             make_detector: Callable[[], ContactDetector] = ContactDetector,
             make_classifier: Callable[[], TechniqueClassifier] = TechniqueClassifier) -> Metrics:
    """Run a fresh detector and classifier over each clip and score them against the truth."""
    idx = {name: i for i, name in enumerate(LABELS)}
    conf = np.zeros((len(LABELS), len(LABELS)), int)
    tp = fp = tn = fn = 0
    f_err, dir_ok, s_err, w_err = [], [], [], []
    spent = cpu = 0.0
    n = 0
    for clip in clips:
        det, cls = make_detector(), make_classifier()
        for hands, tr in zip(clip.frames, clip.truth, strict=True):
            t0, c0 = time.perf_counter(), time.process_time()
            contacts = det.update(hands)
            techs = cls.update(contacts, hands.t, getattr(det, "depth_share", 1.0))
            spent += time.perf_counter() - t0
            cpu += time.process_time() - c0
            n += 1
            pressed = bool(contacts) and contacts[0].in_contact
            if tr.contact:
                tp, fn = tp + pressed, fn + (not pressed)
            else:
                fp, tn = fp + pressed, tn + (not pressed)
            if tr.contact and tr.segment_t < settle_s:
                continue
            est = techs[0] if techs else None
            name = est.name.value if est is not None else TechniqueName.NONE.value
            conf[idx[tr.technique.value], idx[name]] += 1
            if est is None or name != tr.technique.value:
                continue
            if name == "circles" and tr.frequency_hz and est.frequency_hz is not None:
                f_err.append(abs(est.frequency_hz - tr.frequency_hz))
                dir_ok.append(est.direction == tr.direction)
            elif name == "stroke" and tr.speed_l_s and est.speed_l_s is not None:
                s_err.append(abs(est.speed_l_s - tr.speed_l_s) / tr.speed_l_s)
            elif name == "thumb_walk" and tr.step_rate_hz and est.step_rate_hz is not None:
                w_err.append(abs(est.step_rate_hz - tr.step_rate_hz))

    def mean(v: list[float]) -> float:
        return float(np.mean(v)) if v else float("nan")

    return Metrics(
        frames=n, contact_accuracy=(tp + tn) / max(n, 1), false_press_rate=fp / max(fp + tn, 1),
        miss_rate=fn / max(fn + tp, 1), confusion=tuple(tuple(int(x) for x in r) for r in conf),
        macro_f1=_f1(conf), circle_freq_mae_hz=mean(f_err),
        circle_freq_p90_hz=float(np.percentile(f_err, 90)) if f_err else float("nan"),
        circle_direction_accuracy=mean([float(x) for x in dir_ok]),
        stroke_speed_mare=mean(s_err), walk_rate_mae_hz=mean(w_err),
        ms_per_frame=1e3 * cpu / max(n, 1), wall_ms_per_frame=1e3 * spent / max(n, 1))


def format_confusion(m: Metrics) -> str:
    """The confusion matrix as a text table (rows truth, columns predicted)."""
    w = max(len(x) for x in LABELS) + 1
    lines = ["truth \\ pred".ljust(w) + "".join(x[:9].rjust(10) for x in LABELS)]
    for name, row in zip(LABELS, m.confusion, strict=True):
        lines.append(name.ljust(w) + "".join(str(v).rjust(10) for v in row))
    return "\n".join(lines)
