"""``massagecam routines``: list, show and check guided routines."""

from __future__ import annotations

import textwrap

import click

_WIDTH = 96
_UNITS = {"circles": "circles", "stroke": "strokes", "thumb_walk": "passes",
          "finger_pull": "pulls", "hold": "presses"}


def _duration(seconds: float) -> str:
    m, s = divmod(int(round(seconds)), 60)
    return f"{m} min {s} s" if m and s else f"{m} min" if m else f"{s} s"


def _wrap(text: str, indent: str, then: str | None = None) -> str:
    return textwrap.fill(text, _WIDTH, initial_indent=indent,
                         subsequent_indent=indent if then is None else then)


def render_routine(routine: object) -> str:
    """The routine as readable text: header, cautions, numbered steps, sources."""
    from massagecam.routines.targets import target_info

    r = routine
    hands = {"either": "either hand (mirrored automatically)", "left": "left hand first",
             "right": "right hand first"}[r.receiving]
    timed = r.total_duration_s
    reps = sum(1 for s in r.steps if s.reps)
    out = [f"{r.id} — {r.title}",
           f"receiving: {hands} · {len(r.steps)} steps · {_duration(timed)} timed"
           + (f" + {reps} counted steps" if reps else "")]
    if r.description:
        out += ["", _wrap(r.description, "")]
    if r.cautions:
        out += ["", "Cautions (read before starting):"]
        out += [_wrap(c, "  ! ", "    ") for c in r.cautions]
    out += ["", "Steps:"]
    for s in r.steps:
        hand = s.expected_hand(r.first_hand)
        names = ", ".join(f"{t} ({info.name})" if (info := target_info(t)) else t
                          for t in s.targets_for(hand))
        face = {"palm": "palm", "back": "back of the hand", "any": "palm or back"}[s.side]
        amount = (f"{s.reps} {_UNITS[s.techniques[0]]}" if s.reps
                  else _duration(s.duration_s or 0))
        bits = [" / ".join(s.techniques), amount, f"pressure {s.pressure}"]
        if s.rhythm_hz:
            bits.append(f"rhythm {s.rhythm_hz[0]:g}–{s.rhythm_hz[1]:g} Hz")
        if s.speed_cm_s:
            bits.append(f"speed {s.speed_cm_s[0]:g}–{s.speed_cm_s[1]:g} cm/s")
        if s.hands == 2:
            bits.append("two giving hands")
        if s.tolerance_l:
            bits.append(f"tolerance {s.tolerance_l:g} palm lengths")
        which = (f"{hand.lower()} hand" if hand else
                 "first hand" if s.hand == "first" else "other hand")
        out.append(f"  {s.index + 1:>2}. {s.title or s.label}  [{which}]")
        out.append(_wrap(f"target: {names} · {face}", "      "))
        out.append(_wrap(" · ".join(bits), "      "))
        out.append(_wrap(s.instruction, "      "))
        out += [_wrap("note: " + s.notes, "      ")] if s.notes else []
        out += [_wrap("caution: " + c, "      ") for c in s.cautions]
    if r.sources:
        out += ["", "Sources:"] + [_wrap(src, "  - ", "    ") for src in r.sources]
    if r.warnings:
        out += ["", "Mirroring notes:"] + [_wrap(w, "  * ", "    ") for w in r.warnings]
    return "\n".join(out)


@click.group("routines")
def command() -> None:
    """List, show and check guided routines (built-in ids or .toml files)."""


@command.command("list")
def list_cmd() -> None:
    """List the built-in routines: id, steps, timed duration, title."""
    from massagecam.routines import builtin_routines, load_routine

    for rid in builtin_routines():
        r = load_routine(rid)
        reps = sum(1 for s in r.steps if s.reps)
        amount = _duration(r.total_duration_s) + (f" + {reps} counted" if reps else "")
        click.echo(f"{rid:<22} {len(r.steps):>2} steps  {amount:<22} {r.title}")


@command.command("show")
@click.argument("routine")
@click.option("--receiving", type=click.Choice(["left", "right", "either"]), default=None,
              help="Show the routine fixed to start on this hand (the automatic mirror).")
def show_cmd(routine: str, receiving: str | None) -> None:
    """Print ROUTINE (a built-in id or a .toml file) readably: steps, targets, cautions."""
    from massagecam.routines import load_routine

    click.echo(render_routine(load_routine(routine, receiving=receiving)))


@command.command("check")
@click.argument("file")
def check_cmd(file: str) -> None:
    """Check a routine FILE: prints "ok" or one line naming file, line, field; exit 2 on error."""
    from massagecam.routines import load_routine

    r = load_routine(file)
    click.echo(f"ok: {file}: routine {r.id!r}, {len(r.steps)} steps")
    for w in r.warnings:
        click.echo(f"note: {w}")
