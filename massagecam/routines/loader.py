"""Load and check routine files (TOML), naming file, line, field and the allowed values.

``tomllib`` reports no positions for values, so
:class:`~massagecam.routines.checks.TomlPositions` finds them by scanning the text:
the N-th ``[[step]]`` header, then the ``field =`` line inside that block (or in its
``[step.weights]`` sub-table). Every problem raises :class:`massagecam.errors.RoutineError`
with one line such as::

    r.toml:14: entry 'step 2', field 'technique': 'circle' is not allowed; allowed: hold,
    circles, stroke, thumb_walk, finger_pull (did you mean 'circles'?)
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import replace
from importlib import resources
from pathlib import Path
from typing import Any

from massagecam.errors import ConfigError, RoutineError
from massagecam.routines.checks import Checker, TomlPositions, compact_ids, did_you_mean
from massagecam.routines.model import (
    PAIR_TECHNIQUES,
    PRESSURES,
    RECEIVING,
    SIDES,
    STEP_HANDS,
    TECHNIQUES,
    Routine,
    Step,
    Weights,
)
from massagecam.routines.targets import catalogue

ROUTINE_KEYS = ("id", "title", "receiving", "sources", "cautions", "description", "weights",
                "format")
STEP_KEYS = ("target", "side", "technique", "duration_s", "reps", "rhythm_hz", "speed_cm_s",
             "tolerance_l", "pressure", "hands", "hand", "instruction", "title", "notes",
             "cautions", "weights", "score_weight")
SLUG = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
#: Techniques that glide, so a speed range applies to them.
GLIDING = ("stroke", "thumb_walk", "finger_pull")


def _check_step(ck: Checker, i: int, raw: Any, base: Weights, ids: dict[str, Any]) -> Step:
    if not isinstance(raw, dict):
        raise ck.fail(i, None, "each [[step]] must be a table")
    ck.keys(i, raw, STEP_KEYS)
    if "target" not in raw:
        raise ck.fail(i, "target", "missing; give an atlas id or a list of ids, e.g. "
                      "target = \"LI4\"")
    targets = raw["target"] if isinstance(raw["target"], list) else [raw["target"]]
    if not targets or not all(isinstance(t, str) for t in targets):
        raise ck.fail(i, "target", f"expected an atlas id or a list of ids, got {raw['target']!r}")
    known = sorted(ids, key=_id_order)
    for t in targets:
        if t not in ids:
            raise ck.fail(i, "target", f"{t!r} is not an atlas id{did_you_mean(t, known)}; "
                          f"allowed: {compact_ids(known)}")
    if len(set(targets)) != len(targets):
        raise ck.fail(i, "target", f"duplicate id in {targets!r}")
    if "technique" not in raw:
        raise ck.fail(i, "technique", f"missing; allowed: {', '.join(TECHNIQUES)}")
    techs = raw["technique"] if isinstance(raw["technique"], list) else [raw["technique"]]
    if not techs:
        raise ck.fail(i, "technique", f"empty list; allowed: {', '.join(TECHNIQUES)}")
    techniques = tuple(ck.choice(i, "technique", t, TECHNIQUES + PAIR_TECHNIQUES)
                       for t in techs)
    pair = [t for t in techniques if t in PAIR_TECHNIQUES]
    if pair and int(raw.get("hands", 1)) != 2:
        raise ck.fail(i, "technique", f"{pair[0]!r} is done with both hands: add hands = 2")
    if pair and len(pair) == len(techniques):
        raise ck.fail(i, "technique", f"{pair[0]!r} needs a one-hand technique beside it for "
                      f"self mode, e.g. technique = [\"{pair[0]}\", \"stroke\"]")
    if ("duration_s" in raw) == ("reps" in raw):
        raise ck.fail(i, "duration_s" if "duration_s" in raw else None,
                      "give exactly one of duration_s (seconds) or reps (count)")
    duration = reps = None
    if "duration_s" in raw:
        duration = ck.number(i, "duration_s", raw["duration_s"], 0.0, 3600.0, lo_open=True)
    else:
        reps = int(ck.number(i, "reps", raw["reps"], 1, 200, integer=True))
    rhythm = speed = None
    if "rhythm_hz" in raw:
        if techniques == ("hold",):
            raise ck.fail(i, "rhythm_hz", "a hold has no rhythm; remove rhythm_hz or ask for "
                          "circles, stroke, thumb_walk or finger_pull")
        rhythm = ck.pair(i, "rhythm_hz", raw["rhythm_hz"], 0.05, 5.0, "Hz")
    if "speed_cm_s" in raw:
        if not set(techniques) & set(GLIDING):
            raise ck.fail(i, "speed_cm_s", f"a speed range needs a gliding technique "
                          f"({', '.join(GLIDING)}), not {', '.join(techniques)}")
        speed = ck.pair(i, "speed_cm_s", raw["speed_cm_s"], 0.1, 50.0, "cm/s")
    side = ck.choice(i, "side", raw["side"], SIDES) if "side" in raw else None
    if side is None:
        faces = {ids[t].side for t in targets}
        side = faces.pop() if len(faces) == 1 else "any"
    return Step(
        index=i, targets=tuple(targets), side=side, techniques=techniques,
        instruction=ck.text(i, "instruction", raw.get("instruction")),
        duration_s=duration, reps=reps, rhythm_hz=rhythm, speed_cm_s=speed,
        tolerance_l=(ck.number(i, "tolerance_l", raw["tolerance_l"], 0.03, 0.5)
                     if "tolerance_l" in raw else None),
        pressure=ck.choice(i, "pressure", raw.get("pressure", "moderate"), PRESSURES),
        hands=int(ck.number(i, "hands", raw.get("hands", 1), 1, 2, integer=True)),
        hand=ck.choice(i, "hand", raw.get("hand", "first"), STEP_HANDS),
        title=ck.text(i, "title", raw.get("title", ""), empty=True),
        notes=ck.text(i, "notes", raw.get("notes", ""), empty=True),
        cautions=ck.texts(i, "cautions", raw.get("cautions", [])),
        weights=ck.weights(i, raw["weights"], base) if "weights" in raw else base,
        score_weight=ck.number(i, "score_weight", raw.get("score_weight", 1.0), 0.0, 100.0),
        line=ck.where.find(i) or 0,
        hand_only=tuple((t, ids[t].hand) for t in targets if ids[t].hand),
    )


def _id_order(ident: str) -> tuple[int, str, int]:
    m = re.fullmatch(r"([A-Z\-]*?)(\d+)", ident)
    prefix, num = (m.group(1), int(m.group(2))) if m else (ident, 0)
    group = {"Z": 0, "D": 1}.get(prefix, 2)
    return group, prefix, num


def _mirror_check(ck: Checker, steps: list[Step], receiving: str,
                  ids: dict[str, Any]) -> list[str]:
    """Every step must keep a target on every hand it can be done on; report dropped ones."""
    warnings = []
    firsts = ("Left", "Right") if receiving == "either" else ({"left": "Left"}.get(receiving,
                                                                                    "Right"),)
    for step in steps:
        for first in firsts:
            hand = step.expected_hand(first)
            kept = step.targets_for(hand)
            dropped = [t for t in step.targets if t not in kept]
            if not dropped:
                continue
            names = ", ".join(f"{t} ({ids[t].name}) exists on the {ids[t].hand.lower()} hand only"
                              for t in dropped)
            if not kept:
                raise ck.fail(step.index, "target", f"{names}; on the {hand.lower()} hand this "
                              f"step has no target (receiving = {receiving!r}): add a target "
                              "found on both hands or fix receiving to one hand")
            warnings.append(f"step {step.index + 1}: {names}; on the {hand.lower()} hand it "
                            f"targets {', '.join(kept)} only")
    return list(dict.fromkeys(warnings))


def parse_routine(text: str, path: str = "<string>") -> Routine:
    """Parse and check routine TOML ``text``; ``path`` only names the source in messages."""
    where = TomlPositions(text)
    ck = Checker(path, where)
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        m = re.search(r"at line (\d+)", str(exc))
        msg = re.sub(r"\s*\(at line \d+, column \d+\)", "", str(exc))
        raise RoutineError(path, f"not valid TOML: {msg}",
                           line=int(m.group(1)) if m else None) from None
    for key in doc:
        if key not in ("routine", "step"):
            raise RoutineError(path, f"unknown table {key!r}; allowed: [routine], [[step]]"
                               f"{did_you_mean(key, ('routine', 'step'))}", line=where.top_key(key))
    head = doc.get("routine")
    if not isinstance(head, dict):
        raise RoutineError(path, "missing [routine] table (id, title, receiving, ...)", line=1)
    ck.keys("routine", head, ROUTINE_KEYS)
    if "format" in head:
        ck.number("routine", "format", head["format"], 1, 1, integer=True)
    rid = head.get("id")
    if not isinstance(rid, str) or not SLUG.match(rid):
        raise ck.fail("routine", "id", f"{rid!r} is not a lowercase slug (letters, digits and "
                      "single hyphens, e.g. \"li4-headache\")")
    title = ck.text("routine", "title", head.get("title"))
    receiving = ck.choice("routine", "receiving", head.get("receiving", "either"), RECEIVING)
    base = ck.weights("routine", head["weights"], Weights()) if "weights" in head else Weights()
    raw_steps = doc.get("step")
    if raw_steps is None:
        raise RoutineError(path, "no steps: add at least one [[step]] table",
                           line=len(where.lines) or 1, entry="routine")
    if not isinstance(raw_steps, list):
        raise RoutineError(path, "steps must be an array of tables: write [[step]], not [step]",
                           line=where.top_key("step"), entry="step")
    ids = catalogue()[0]
    steps = [_check_step(ck, i, raw, base, ids) for i, raw in enumerate(raw_steps)]
    warnings = _mirror_check(ck, steps, receiving, ids)
    return Routine(
        id=rid, title=title, receiving=receiving, steps=tuple(steps),
        sources=ck.texts("routine", "sources", head.get("sources", [])),
        cautions=ck.texts("routine", "cautions", head.get("cautions", [])),
        description=ck.text("routine", "description", head.get("description", ""), empty=True),
        path=path, warnings=tuple(warnings),
    )


def builtin_routines() -> list[str]:
    """Ids of the routines shipped with massagecam, sorted."""
    folder = resources.files("massagecam.routines") / "builtin"
    return sorted(p.name[:-5] for p in folder.iterdir() if p.name.endswith(".toml"))


def load_routine(id_or_path: str | Path, receiving: str | None = None) -> Routine:
    """Load a built-in routine by id, or a routine file by path, checked.

    Args:
        id_or_path: built-in id (see :func:`builtin_routines`) or path to a ``.toml`` file.
        receiving: "left"/"right" fixes the receiving hand (the automatic mirror of an
            "either" routine); None, "either" or "auto" keeps the file's choice.

    Raises:
        RoutineError: the file is missing or malformed (message names file, line, field).
        ConfigError: ``receiving`` is not one of left, right, either, auto.
    """
    if receiving is not None and receiving not in ("left", "right", "either", "auto"):
        raise ConfigError(f"receiving={receiving!r}; allowed: left, right, either, auto")
    spec = str(id_or_path)
    path = Path(spec)
    if isinstance(id_or_path, Path) or spec.endswith(".toml") or path.exists() or "/" in spec:
        if not path.is_file():
            raise RoutineError(spec, "no such routine file")
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise RoutineError(spec, f"cannot read the file ({exc.__class__.__name__})") from None
        routine = parse_routine(text, spec)
    else:
        known = builtin_routines()
        if spec not in known:
            raise RoutineError(spec, f"no built-in routine {spec!r}{did_you_mean(spec, known)}; "
                               f"built-ins: {', '.join(known)} (or a .toml path)")
        res = resources.files("massagecam.routines") / "builtin" / f"{spec}.toml"
        routine = parse_routine(res.read_text(encoding="utf-8"), f"builtin:{spec}")
    if receiving in ("left", "right"):
        routine = routine.for_hand(receiving)
        ck = Checker(routine.path, TomlPositions(""))
        routine = replace(routine, warnings=tuple(
            _mirror_check(ck, list(routine.steps), receiving, catalogue()[0])))
    return routine
