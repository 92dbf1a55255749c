"""The stages a :class:`~massagecam.session.Pipeline` builds when none is passed in.

Each is imported when first needed, so building a pipeline with ready-made stages (tests,
batch workers sharing an atlas) does not load the others.
"""

from __future__ import annotations

from typing import Any


def load_atlas() -> Any:
    """The bundled hand atlas (zones and points)."""
    from massagecam.atlas import load_atlas as load

    return load()


def side_detector(mirrored: bool) -> Any:
    """Palm or back facing the camera, for frames mirrored or not."""
    from massagecam.atlas import SideDetector

    return SideDetector(mirrored=mirrored)


#: Caregiver mode starts trusting depth only half (benchmarks/caregiver.py seeds 100-111: the
#: caregiver's pads sit behind their knuckles pressing or not and clear lifts are rare, so a
#: trust that starts at 1 seldom learns otherwise in a few seconds; per-thumb contact F1
#: 0.68 / 0.75 -> 0.68 / 0.81. Starting at 0.3 or 0 lost the per-thumb truth test on exact
#: landmarks, 81 % agreement against 85 %: there depth does follow the press).
CAREGIVER_DEPTH_PRIOR = 0.5


def contact_detector(mode: str) -> Any:
    """The contact detector, with the user's stored pressure calibration if there is one.

    ``calibration="auto"`` loads what ``massagecam calibrate`` saved, so pressure levels appear
    after a calibration (a corrupt file raises ``DataFileError`` naming it). Each mode mixes
    its fitted weights with depth-led ones by how far the stream's depth follows the press
    (``contact_weights.DepthTrust``); caregiver mode has its own pair of weight sets.
    """
    from massagecam.contact import ContactDetector
    from massagecam.contact_weights import (
        CAREGIVER_DEPTH_WEIGHTS,
        CAREGIVER_WEIGHTS,
        DepthTrust,
    )

    if mode == "caregiver":
        return ContactDetector(calibration="auto", weights=CAREGIVER_WEIGHTS,
                               depth_weights=CAREGIVER_DEPTH_WEIGHTS,
                               depth_trust=DepthTrust(prior=CAREGIVER_DEPTH_PRIOR))
    return ContactDetector(calibration="auto")


def pair_classifier() -> Any:
    """Two-handed technique recognition (caregiver mode)."""
    from massagecam.technique_pair import PairClassifier

    return PairClassifier()


def technique_classifier() -> Any:
    """Per-finger technique recognition with its default settings."""
    from massagecam.technique import TechniqueClassifier

    return TechniqueClassifier()


def transit_finder(mode: str, lag_s: float) -> Any:
    """Self mode: the glide finder of recorded analysis (:mod:`massagecam.transit`).

    None when the look-ahead ``lag_s`` is shorter than the finder needs (``analyze
    --hindsight 1``: the stroke is still judged ahead, glides stay as the detector saw them).

    Caregiver mode gets none: a two-thumb spread is itself a quick straight sweep across the
    palm, and with the finder the caregiver benchmark's per-thumb contact F1 fell 0.74 / 0.87
    -> 0.66 / 0.85 (benchmarks/caregiver.py, seeds 200-211).
    """
    if mode == "caregiver":
        return None
    from massagecam.transit import TransitFinder

    finder = TransitFinder()
    return finder if finder.delay_s <= lag_s else None


def receiver_shape(mode: str) -> Any:
    """The guard of the receiver's wrist and thumb, in each mode's own rule.

    See :mod:`massagecam.tracking.receiver_shape`: self mode guards against a thumb dragged by
    a press in the web; caregiver mode against a wrist guessed under hands at work in the palm
    (``rule="worked"``, ``jump_l`` 0.1) and a receiver whose model instance leaps onto a
    caregiver's hand (held where it was). The self-mode rule in caregiver mode had moved the
    caregiver benchmark's on-target 53.8 / 78.8 -> 53.6 / 78.2 % (seeds 200-211).
    """
    from massagecam.tracking.receiver_shape import ReceiverShape

    if mode == "caregiver":
        return ReceiverShape(jump_l=0.1, rule="worked")
    return ReceiverShape()
