"""Score a role tracker against a synthetic scenario's truth (see :mod:`~.scenarios`).

Kept apart from the scenario generators: the scorer reads only a scenario's frames and truth,
so it can judge replayed or rendered sequences too, and the generators stay data-only.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from massagecam.hands import Role

if TYPE_CHECKING:
    from massagecam.tracking.scenarios import Scenario


@dataclass
class Evaluation:
    """How a tracker did on a scenario."""

    swaps: int = 0                 # role changes of a physical hand (from tracker output)
    tracker_swaps: int = 0         # the tracker's own swap counter
    wrong: int = 0                 # frames where a hand had a known but wrong role
    unknown: int = 0               # hand-frames with a row but role UNKNOWN
    first_known: int = -1          # first frame where every present hand had a known role
    held_error: list[float] = field(default_factory=list)  # held receiver rows, palm lengths
    misplaced: int = 0             # receiver/giver rows not on any true hand of that role
    ms_per_update: float = 0.0


def evaluate(tracker: object, sc: Scenario) -> Evaluation:
    """Run ``tracker.update`` over ``sc`` and score the output against the truth."""
    import time

    ev = Evaluation()
    last_role: dict[int, int] = {}
    spent = 0.0
    for f, frame in enumerate(sc.frames):
        t0 = time.perf_counter()
        out = tracker.update(frame)  # type: ignore[attr-defined]
        spent += time.perf_counter() - t0
        present = [k for k in range(len(sc.roles)) if not np.isnan(sc.truth[f, k, 0, 0])]
        for i in range(len(out)):
            if int(out.role[i]) in (Role.RECEIVER, Role.GIVER):
                same = [k for k in present if int(sc.roles[k]) == int(out.role[i])]
                d = [np.abs(out.xy[i] - sc.truth[f, k]).mean() / sc.palm_px for k in same]
                if not d:  # a held row of a hand that left the view is expected; else wrong
                    ev.misplaced += not out.estimated[i]
                    continue
                tol = 0.15 if out.estimated[i] else 0.3  # held rows may lag a moving hand
                ev.misplaced += min(d) > tol
        all_known = bool(present)
        for k in present:
            if not len(out):
                all_known = False
                continue
            d = np.abs(out.xy - sc.truth[f, k][None]).mean(axis=(1, 2)) / sc.palm_px
            d_other = [np.abs(out.xy - sc.truth[f, j][None]).mean(axis=(1, 2)) / sc.palm_px
                       for j in present if j != k]
            rows = [i for i in range(len(out)) if d[i] < 0.3 and all(d[i] < o[i] for o in d_other)]
            if not rows:
                all_known = False
                continue
            i = min(rows, key=lambda r: (bool(out.estimated[r]), d[r]))
            role = int(out.role[i])
            if role == Role.UNKNOWN:
                ev.unknown += 1
                all_known = False
                continue
            if role != int(sc.roles[k]):
                ev.wrong += 1
            if k in last_role and last_role[k] != role:
                ev.swaps += 1
            last_role[k] = role
            if out.estimated[i] and sc.roles[k] == Role.RECEIVER:
                err = np.linalg.norm(out.xy[i] - sc.truth[f, k], axis=-1).mean() / sc.palm_px
                ev.held_error.append(float(err))
        if all_known and ev.first_known < 0:
            ev.first_known = f
    ev.tracker_swaps = int(getattr(tracker, "swaps", 0))
    ev.ms_per_update = 1000.0 * spent / max(len(sc.frames), 1)
    return ev
