"""Session scripts: what the renderer is asked to show, read from TOML and checked field by field.

A script names the routine being practised, the receiving hand, how the video looks
(``[render]``) and, in order, what the giving thumb actually does (``[[perform]]`` segments),
including deliberate mistakes and transitions. Every problem is reported as a
:class:`massagecam.errors.ScriptError` naming the file, the line, the segment and the field,
because scripts are written by hand and a renderer that silently guesses would produce
wrong ground truth.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from massagecam.errors import ScriptError
from massagecam.render.skin import TONES

ACTIONS = ("massage", "move", "pause", "away", "hidden")
TECHNIQUES = ("hold", "circles", "stroke", "thumb_walk", "finger_pull")
BACKGROUNDS = ("plain", "textured", "cluttered")
LIGHTINGS = ("even", "side", "dim")
DIRECTIONS = ("cw", "ccw", "distal", "proximal", "radial", "ulnar")
SIDES = ("palm", "back")
#: The receiving hand's proportions: the synthetic template, or a typical real hand
#: (``synthetic.REAL_OPEN_HAND``).
RECEIVER_SHAPES = ("template", "real")


@dataclass(frozen=True)
class RenderSettings:
    """How the video looks (the ``[render]`` table)."""

    seed: int = 0
    size: tuple[int, int] = (640, 480)
    fps: float = 30.0
    skin_receiver: str = "III"
    skin_giver: str = "III"
    background: str = "plain"
    lighting: str = "even"
    hand_size: float = 1.0
    noise: float = 1.0
    motion_blur: float = 0.3
    tilt_deg: float = 0.0
    receiver_angle_deg: float | None = None
    sleeves: bool = True
    receiver_shape: str = "template"


@dataclass(frozen=True)
class Segment:
    """One ``[[perform]]`` entry: what happens for ``duration_s`` seconds."""

    index: int
    action: str = "massage"
    step: int = 0
    target: str | None = None
    technique: str | None = None
    duration_s: float = 5.0
    contact: bool = True
    rhythm_hz: float | None = None
    amplitude: float | None = None
    speed: float | None = None
    direction: str | None = None
    side: str | None = None


@dataclass(frozen=True)
class SessionScript:
    """A parsed, validated session script."""

    path: Path | None
    receiving: str
    render: RenderSettings
    segments: tuple[Segment, ...]
    routine: str | None = None
    raw: dict[str, Any] = field(default_factory=dict)

    @property
    def duration_s(self) -> float:
        """Total length of the session in seconds."""
        return sum(s.duration_s for s in self.segments)

    @property
    def giving(self) -> str:
        """Anatomical side of the giving hand ("Left"/"Right")."""
        return "Right" if self.receiving == "left" else "Left"


class _Where:
    """Finds the line of a field in the script text, for error messages."""

    def __init__(self, text: str) -> None:
        self.lines = text.splitlines()

    def line(self, key: str, table: str | None = None, index: int = 0) -> int | None:
        """1-based line of ``key`` (in the ``index``-th ``table`` when given), or the table's."""
        start = -1
        if table is not None:
            header = re.compile(rf"^\s*\[\[?\s*{re.escape(table)}\s*\]\]?\s*(#.*)?$")
            hits = [i for i, text in enumerate(self.lines) if header.match(text)]
            if index >= len(hits):
                return None
            start = hits[index]
        pat = re.compile(rf"^\s*{re.escape(key)}\s*=")
        for i in range(start + 1, len(self.lines)):
            if re.match(r"^\s*\[", self.lines[i]):
                break
            if pat.match(self.lines[i]):
                return i + 1
        return start + 1 if start >= 0 else None


def load_script(path: str | Path) -> SessionScript:
    """Read and validate a session script file.

    Raises:
        ScriptError: unreadable file, TOML syntax error, or a bad field (file:line, field).
    """
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except OSError as exc:
        raise ScriptError(p, f"cannot read the session script ({exc.strerror or exc})") from None
    return parse_script(text, p)


def parse_script(text: str, path: str | Path | None = None) -> SessionScript:
    """Validate a session script given as TOML text (``path`` only names it in errors)."""
    name = path if path is not None else "<script>"
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        m = re.search(r"line (\d+)", str(exc))
        raise ScriptError(name, f"not valid TOML: {exc}",
                          line=int(m.group(1)) if m else None) from None
    where = _Where(text)

    def fail(msg: str, key: str, table: str | None = None, index: int = 0,
             entry: str | None = None) -> ScriptError:
        return ScriptError(name, msg, line=where.line(key, table, index), entry=entry, field=key)

    known_top = {"routine", "receiving", "render", "perform", "title", "description"}
    for key in data:
        if key not in known_top:
            raise fail(f"unknown field; expected one of {', '.join(sorted(known_top))}", key)
    routine = data.get("routine")
    if routine is not None and (not isinstance(routine, str) or not routine.strip()):
        raise fail(f"expected a routine id or file name (text), got {routine!r}", "routine")
    receiving = data.get("receiving", "left")
    if receiving not in ("left", "right"):
        raise fail(f"expected 'left' or 'right', got {receiving!r}", "receiving")
    render = _parse_render(data.get("render", {}), fail)
    perform = data.get("perform")
    if not isinstance(perform, list) or not perform:
        raise fail("expected at least one [[perform]] segment", "perform")
    segments = tuple(_parse_segment(i, s, fail) for i, s in enumerate(perform))
    if routine is not None and path is not None:
        _check_routine(routine, Path(path), receiving, fail)
    return SessionScript(Path(path) if path is not None else None, receiving, render, segments,
                         routine, data)


def _check_routine(routine: str, path: Path, receiving: str, fail) -> None:
    """Validate the routine id when the routines module exists (it may not, yet)."""
    try:
        from massagecam.routines import load_routine
    except ImportError:
        return
    ref = routine
    candidate = path.parent / routine
    if routine.endswith(".toml") and candidate.exists():
        ref = str(candidate)
    try:
        load_routine(ref, receiving=receiving)
    except Exception as exc:  # noqa: BLE001 - any failure to load means a bad routine field
        raise fail(f"routine {routine!r} cannot be loaded ({exc})", "routine") from None


def _num(val: Any, key: str, lo: float, hi: float, fail, table: str, index: int = 0,
         entry: str | None = None, integer: bool = False) -> float:
    ok = isinstance(val, (int, float)) and not isinstance(val, bool)
    if integer:
        ok = ok and float(val).is_integer()
    if not ok or not lo <= float(val) <= hi:
        kind = "an integer" if integer else "a number"
        raise fail(f"expected {kind} in [{lo:g}, {hi:g}], got {val!r}", key, table, index, entry)
    return float(val)


def _choice(val: Any, key: str, allowed: tuple[str, ...], fail, table: str, index: int = 0,
            entry: str | None = None) -> str:
    if val not in allowed:
        raise fail(f"expected one of {', '.join(allowed)}, got {val!r}", key, table, index, entry)
    return str(val)


def _parse_render(r: Any, fail) -> RenderSettings:
    t = "render"
    if not isinstance(r, dict):
        raise fail("expected a [render] table", "render")
    known = {"seed", "size", "fps", "skin", "background", "lighting", "hand_size", "noise",
             "motion_blur", "tilt_deg", "receiver_angle_deg", "sleeves", "receiver_shape"}
    for key in r:
        if key not in known:
            raise fail(f"unknown field; expected one of {', '.join(sorted(known))}", key, t)
    seed = int(_num(r.get("seed", 0), "seed", 0, 2**31 - 1, fail, t, integer=True))
    size = r.get("size", [640, 480])
    if (not isinstance(size, list) or len(size) != 2
            or not all(isinstance(v, int) and 160 <= v <= 3840 for v in size)):
        raise fail(f"expected [width, height] in pixels, 160..3840 each, got {size!r}", "size", t)
    fps = _num(r.get("fps", 30), "fps", 5, 120, fail, t)
    skin = r.get("skin", "III")
    if isinstance(skin, str):
        sk_r = sk_g = _choice(skin, "skin", TONES, fail, t)
    elif isinstance(skin, dict):
        extra = set(skin) - {"receiver", "giver"}
        if extra:
            raise fail(f"skin table takes 'receiver' and 'giver', got {sorted(extra)}", "skin", t)
        sk_r = _choice(skin.get("receiver", "III"), "skin", TONES, fail, t)
        sk_g = _choice(skin.get("giver", sk_r), "skin", TONES, fail, t)
    else:
        raise fail(f"expected a Fitzpatrick type I..VI or {{receiver=, giver=}}, got {skin!r}",
                   "skin", t)
    angle = r.get("receiver_angle_deg")
    sleeves = r.get("sleeves", True)
    if not isinstance(sleeves, bool):
        raise fail(f"expected true or false, got {sleeves!r}", "sleeves", t)
    return RenderSettings(
        seed=seed, size=(size[0], size[1]), fps=fps, skin_receiver=sk_r, skin_giver=sk_g,
        background=_choice(r.get("background", "plain"), "background", BACKGROUNDS, fail, t),
        lighting=_choice(r.get("lighting", "even"), "lighting", LIGHTINGS, fail, t),
        hand_size=_num(r.get("hand_size", 1.0), "hand_size", 0.6, 1.6, fail, t),
        noise=_num(r.get("noise", 1.0), "noise", 0.0, 4.0, fail, t),
        motion_blur=_num(r.get("motion_blur", 0.3), "motion_blur", 0.0, 1.0, fail, t),
        tilt_deg=_num(r.get("tilt_deg", 0.0), "tilt_deg", -15.0, 15.0, fail, t),
        receiver_angle_deg=None if angle is None else _num(angle, "receiver_angle_deg", -90.0,
                                                           90.0, fail, t),
        sleeves=sleeves,
        receiver_shape=_choice(r.get("receiver_shape", "template"), "receiver_shape",
                               RECEIVER_SHAPES, fail, t),
    )


def _parse_segment(i: int, s: Any, fail) -> Segment:
    t = "perform"
    entry = f"perform #{i + 1}"
    if not isinstance(s, dict):
        raise fail("expected a table", "perform", t, i, entry)
    known = {"action", "step", "target", "technique", "duration_s", "contact", "rhythm_hz",
             "amplitude", "speed", "direction", "side"}
    for key in s:
        if key not in known:
            raise fail(f"unknown field; expected one of {', '.join(sorted(known))}", key, t, i,
                       entry)
    action = _choice(s.get("action", "massage"), "action", ACTIONS, fail, t, i, entry)
    step = int(_num(s.get("step", 0), "step", 0, 999, fail, t, i, entry, integer=True))
    duration = _num(s.get("duration_s", 5.0), "duration_s", 0.1, 600.0, fail, t, i, entry)
    target = s.get("target")
    technique = s.get("technique")
    if action == "massage":
        if target is None:
            raise fail("a massage segment needs a target (an atlas id)", "target", t, i, entry)
        if technique is None:
            raise fail(f"a massage segment needs a technique: {', '.join(TECHNIQUES)}",
                       "technique", t, i, entry)
    if target is not None:
        from massagecam.render.targets import known_targets

        ids = known_targets()
        if target not in ids:
            raise fail(f"unknown target {target!r}; expected an atlas id such as "
                       f"{', '.join(ids[:8])}…", "target", t, i, entry)
    if technique is not None:
        _choice(technique, "technique", TECHNIQUES, fail, t, i, entry)
    contact = s.get("contact", action == "massage")
    if not isinstance(contact, bool):
        raise fail(f"expected true or false, got {contact!r}", "contact", t, i, entry)

    def opt(key: str, lo: float, hi: float) -> float | None:
        return None if key not in s else _num(s[key], key, lo, hi, fail, t, i, entry)

    direction = s.get("direction")
    if direction is not None:
        _choice(direction, "direction", DIRECTIONS, fail, t, i, entry)
    side = s.get("side")
    if side is not None:
        _choice(side, "side", SIDES, fail, t, i, entry)
    return Segment(index=i, action=action, step=step, target=target, technique=technique,
                   duration_s=duration, contact=contact, rhythm_hz=opt("rhythm_hz", 0.05, 5.0),
                   amplitude=opt("amplitude", 0.0, 1.0), speed=opt("speed", 0.02, 3.0),
                   direction=direction, side=side)
