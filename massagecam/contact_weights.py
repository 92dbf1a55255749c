"""How the contact cues are weighed, and whether this stream's depth can be trusted.

Two weight sets describe two kinds of landmark stream (docs/contact-technique.md, "Fitted
self-mode weights"):

- :data:`HAND_SET_WEIGHTS` lean on the pad's depth behind the thumb's knuckle. On landmarks
  whose depth follows the press (the synthetic clips of :mod:`massagecam.trajectories`, where a
  pressing pad sits 0.04-0.15 L behind the knuckle and a hovering one in front of it) they
  separate press from hover almost perfectly (accuracy 0.97 at 2 % jitter).
- :data:`SELF_WEIGHTS` were fitted on MediaPipe's landmarks of rendered sessions, where the pad
  depth is the same pressing and hovering (area under the ROC curve 0.48-0.52) and its level
  changes from session to session: there a depth term vetoed whole sessions of presses. They
  read the thumb's bend, its speed, the size of the giving hand and the distance inside the
  receiving hand instead.

Whether depth follows the press is a property of the stream (the model, the camera, the
hands), not known in advance; real footage with labelled presses would tell, and there is
none yet. :class:`DepthTrust` measures it as the stream goes: how much deeper the pad sits
in frames that the depth-free cues call presses than in those they call hovers. Self mode
mixes the two weight sets' scores by that trust, so each kind of stream gets the weights
that work on it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from massagecam.errors import check_range


@dataclass(frozen=True)
class ContactWeights:
    """Logistic weights on the normalised cues.

    ``pace`` weighs the pad's speed in the receiver's frame (per palm length a second, up to
    3 L/s: a thumb travelling between places hovers, one at work moves slowly); ``speed`` the
    excess over 3 L/s. ``size`` weighs how much larger the giving hand looks than its median
    over the last :data:`SIZE_WINDOW_S` (per 2 %): a lifted hand comes nearer the camera.
    The defaults are :data:`HAND_SET_WEIGHTS`.
    """

    bias: float = -2.5
    inside: float = 0.0
    flex: float = 1.0
    ratio: float = 0.5
    depth: float = 4.5
    cover: float = 0.9
    dwell: float = 3.5
    speed: float = 1.0
    pace: float = 0.0
    size: float = 0.0


#: The first weights, set by hand with a logistic fit on synthetic clips as a guide
#: (docs/contact-technique.md, "Cues"); they need a depth that follows the press.
HAND_SET_WEIGHTS = ContactWeights()
#: Self mode where depth follows the press: the hand-set weights, plus a thumb's pace as in
#: :data:`SELF_WEIGHTS` (0.5 per L/s, chosen on synthetic seed 777: false presses 3.6 -> 3.0 %,
#: accuracy 96.5 -> 96.1 %).
DEPTH_WEIGHTS = ContactWeights(pace=0.5)
#: Self mode where depth does not follow the press: a logistic regression fitted on the
#: model's landmarks of 12 rendered sessions (benchmarks/analyze_accuracy.py --seed 3030,
#: frames with the pad over the receiving hand, 4666) and checked on the 20 sessions of seed
#: 2026 (7234 frames, not used to fit): area under the ROC curve 0.87 there (thumb bend alone
#: 0.76). Depth, dwell and cover came out near zero and are left out.
SELF_WEIGHTS = ContactWeights(bias=0.35, inside=1.55, flex=3.2, ratio=0.45, depth=0.0,
                              cover=0.0, dwell=0.0, speed=1.0, pace=1.4, size=0.84)
#: Caregiver mode where depth follows the press: the hand-set weights with the distance inside
#: the receiver's outline weighed 4.0 (on a caregiver's thumbs it separated press from lift
#: better than depth on the first caregiver renders; docs/caregiver.md, "contact cues").
#: Chosen on benchmarks/caregiver.py seeds 100-111 (per-thumb contact F1 0.68 / 0.64 ->
#: 0.68 / 0.72); on truth landmarks (12 synthetic scenes) agreement 94.6 %.
CAREGIVER_DEPTH_WEIGHTS = ContactWeights(inside=4.0)
#: Caregiver mode where depth does not follow the press: a logistic regression on the model's
#: landmarks of both giving thumbs in benchmarks/caregiver.py seeds 100-111 (1922 frames with
#: a pad over the receiving hand), checked on seeds 200-211 (not used to fit): per-thumb
#: contact F1 of the cue score with the detector's hysteresis 0.74 / 0.87 there, against 0.61
#: / 0.69 for CAREGIVER_DEPTH_WEIGHTS. Pace, size, dwell, cover and depth added nothing there.
CAREGIVER_WEIGHTS = ContactWeights(bias=-0.28, inside=0.32, flex=3.0, ratio=1.31, depth=0.0,
                                   cover=0.0, dwell=0.0, speed=1.0)
#: How far back the giving hand's median size reaches (the ``size`` cue).
SIZE_WINDOW_S = 2.0

#: Cue levels where the shape terms change sign: between the hover and press levels that
#: MediaPipe reports on rendered presses (it shows about half of a drawn IP bend and little
#: of the foreshortening; docs/contact-technique.md, "Rendered sessions").
FLEX_REF, RATIO_REF, DEPTH_REF = 17.0, 0.90, 0.035
#: Floor of the (normalised) depth term: a low depth may veto a press only so far.
DEPTH_FLOOR = -1.5


def pose_score(feats: np.ndarray, w: ContactWeights = SELF_WEIGHTS) -> float:
    """Logistic score of the finger's shape cues (flex, ratio, depth, inside)."""
    flex, ratio, depth, inside = feats
    return float(w.inside * float(np.clip(-inside / 0.1, -2.0, 1.0))
                 + w.flex * (flex - FLEX_REF) / 10.0 + w.ratio * (RATIO_REF - ratio) / 0.1
                 + w.depth * max((depth - DEPTH_REF) / 0.04, DEPTH_FLOOR))


def cue_score(w: ContactWeights, feats: np.ndarray, covered: bool, dwell: float,
              speed: float, size_rel: float) -> float:
    """The whole logit: shape cues plus cover, dwell (0..1), speed (L/s) and relative size."""
    return (w.bias + w.cover * covered + w.dwell * dwell - w.speed * max(speed - 3.0, 0.0)
            - w.pace * min(speed, 3.0) - w.size * (size_rel - 1.0) / 0.02
            + pose_score(feats, w))


def logistic(s: float) -> float:
    """1 / (1 + e^-s), clipped against overflow."""
    return 1.0 / (1.0 + math.exp(-max(min(s, 30.0), -30.0)))


class DepthTrust:
    """How far this stream's pad depth follows the press: 0 (not at all) .. 1 (fully).

    Frames whose depth-free score is clearly a press (logit above ``margin``) or clearly a
    hover (below ``-margin``) are pooled with weights that fade over ``tau_s``; the trust
    rises from 0 to 1 as the pressing frames' mean depth exceeds the hovering frames' by
    ``low_l`` to ``high_l`` palm lengths. Until both kinds have ``min_s`` of evidence it is
    ``prior``. The depth-free score is only a rough label (area under the ROC curve about
    0.85 on both kinds of stream), but a mean over seconds of frames is steady: on the
    synthetic clips the difference comes out near 0.1 L, on MediaPipe's landmarks of rendered
    sessions near 0.
    """

    def __init__(self, *, tau_s: float = 20.0, margin: float = 1.0, min_s: float = 0.5,
                 low_l: float = 0.0, high_l: float = 0.02, press_l: float = 0.05,
                 press_min_s: float = 2.0, prior: float = 1.0) -> None:
        self.tau_s = check_range("tau_s", tau_s, 0.0, 600.0)
        self.margin = check_range("margin", margin, 0.0, 10.0, low_open=False)
        self.min_s = check_range("min_s", min_s, 0.0, 60.0)
        self.press_min_s = check_range("press_min_s", press_min_s, 0.0, 60.0)
        self.low_l = check_range("low_l", low_l, -1.0, 1.0, low_open=False)
        self.high_l = check_range("high_l", high_l, self.low_l, 1.0)
        self.press_l = check_range("press_l", press_l, DEPTH_REF, 1.0)
        self.prior = check_range("prior", prior, 0.0, 1.0, low_open=False)
        self._w = [0.0, 0.0]  # evidence (s) of hovers, presses
        self._m = [0.0, 0.0]  # their mean depths (giver palm lengths)

    def update(self, shape_logit: float, depth_l: float, dt: float) -> None:
        """Add one frame of ``dt`` seconds: its depth-free logit and its pad depth."""
        if dt <= 0 or not math.isfinite(depth_l):
            return
        keep = math.exp(-dt / self.tau_s)
        self._w = [w * keep for w in self._w]
        if abs(shape_logit) < self.margin:
            return
        k = int(shape_logit > 0)
        self._w[k] += dt
        self._m[k] += (depth_l - self._m[k]) * dt / self._w[k]

    @property
    def value(self) -> float:
        """The trust in depth, 0..1."""
        trust = self.prior
        if self._w[1] >= self.press_min_s:
            # clear presses whose pad is not behind the knuckle: depth would veto them
            trust = min(trust, float(np.clip((self._m[1] - DEPTH_REF)
                                             / (self.press_l - DEPTH_REF), 0.0, 1.0)))
        if min(self._w) >= self.min_s:
            gap = self._m[1] - self._m[0]
            trust = min(trust, float(np.clip((gap - self.low_l) / (self.high_l - self.low_l),
                                             0.0, 1.0)))
        return trust
