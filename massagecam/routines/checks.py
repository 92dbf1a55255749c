"""Typed checks of a parsed routine document that fail with the file, line, entry and field.

Split from :mod:`massagecam.routines.loader`: these helpers know nothing about routines'
meaning (targets, techniques), only how to find where a value sits in TOML text (``tomllib``
gives no positions) and how to word a one-line :class:`~massagecam.errors.RoutineError` with
the allowed values and a "did you mean" hint.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from typing import Any

from massagecam.errors import RoutineError
from massagecam.routines.model import COMPONENTS, Weights

_HEADER = re.compile(r"^\s*\[\[?\s*([A-Za-z0-9_.\-\"' ]+?)\s*\]\]?\s*(#.*)?$")


class TomlPositions:
    """Positions of tables and keys in the routine text (tomllib gives none)."""

    def __init__(self, text: str) -> None:
        self.lines = text.splitlines()
        self.headers: list[tuple[int, str, bool]] = []  # (line, name, is_array)
        for no, raw in enumerate(self.lines, 1):
            m = _HEADER.match(raw)
            if m and raw.strip().startswith("["):
                self.headers.append((no, m.group(1).replace(" ", ""),
                                     raw.strip().startswith("[[")))

    def _block(self, section: str | int) -> tuple[int, int]:
        """(first, last) line of the ``[routine]`` table or the N-th ``[[step]]``, sub-tables in."""
        if isinstance(section, int):
            starts = [no for no, name, arr in self.headers if arr and name == "step"]
            if section >= len(starts):
                return 0, 0
            start, root = starts[section], "step"
        else:
            start = next((no for no, name, _ in self.headers if name == section), 0)
            root = section
            if not start:
                return 0, 0
        end = len(self.lines)
        for no, name, arr in self.headers:
            if no > start and not (name.startswith(root + ".") and not arr):
                end = no - 1
                break
        return start, end

    def find(self, section: str | int, field: str | None = None) -> int:
        """Line of ``field`` (``a.b`` for a sub-table key) in ``section``; header line if absent."""
        start, end = self._block(section)
        if not start or field is None:
            return start or None  # type: ignore[return-value]
        parts = field.split(".")
        key_re = re.compile(r"^\s*" + r"\s*\.\s*".join(map(re.escape, parts)) + r"\s*=")
        top_re = re.compile(r"^\s*" + re.escape(parts[0]) + r"\s*[=.]")
        root = "step" if isinstance(section, int) else section
        sub = f"{root}.{parts[0]}"
        in_sub = False
        best = 0
        for no in range(start, end + 1):
            raw = self.lines[no - 1]
            m = _HEADER.match(raw) if raw.strip().startswith("[") else None
            if m:
                in_sub = m.group(1).replace(" ", "") == sub
                if in_sub and not best:
                    best = no
                continue
            if key_re.match(raw) and not in_sub:
                return no
            sub_key = r"^\s*" + re.escape(parts[-1]) + r"\s*="
            if in_sub and len(parts) > 1 and re.match(sub_key, raw):
                return no
            if not best and not in_sub and top_re.match(raw):
                best = no
        return best or start

    def top_key(self, key: str) -> int | None:
        """Line of the first top-level ``key`` (a table header or a dotted key), None if absent."""
        for no, raw in enumerate(self.lines, 1):
            if re.match(r"^\s*\[*\s*" + re.escape(key) + r"\s*[\].=]", raw):
                return no
        return None


def compact_ids(ids: list[str]) -> str:
    """'Z1–Z20, D1–D9, LI3, …': runs of consecutive numbered ids collapsed."""
    out: list[str] = []
    run: list[tuple[str, int, str]] = []

    def flush() -> None:
        if len(run) > 2:
            out.append(f"{run[0][2]}–{run[-1][2]}")
        else:
            out.extend(r[2] for r in run)
        run.clear()

    for ident in ids:
        m = re.fullmatch(r"([A-Z]+)(\d+)", ident)
        if m and run and run[-1][0] == m.group(1) and run[-1][1] + 1 == int(m.group(2)):
            run.append((m.group(1), int(m.group(2)), ident))
            continue
        flush()
        if m:
            run.append((m.group(1), int(m.group(2)), ident))
        else:
            out.append(ident)
    flush()
    return ", ".join(out)


def did_you_mean(value: object, allowed: list[str] | tuple[str, ...]) -> str:
    """`` (did you mean 'x'?)`` for a near miss (spelling or case), else ""."""
    close = difflib.get_close_matches(str(value), list(allowed), n=1, cutoff=0.6)
    if not close:
        close = [a for a in allowed if a.lower() == str(value).lower()]
    return f" (did you mean {close[0]!r}?)" if close else ""


@dataclass
class Checker:
    """Validates one parsed document; ``fail`` raises with the right position."""

    path: str
    where: TomlPositions

    def fail(self, section: str | int, field: str | None, message: str) -> RoutineError:
        """The error (to raise) for ``field`` of ``section``, positioned at its line."""
        entry = f"step {section + 1}" if isinstance(section, int) else section
        line = self.where.find(section, field)
        return RoutineError(self.path, message, line=line, entry=entry, field=field)

    def choice(self, sec: str | int, field: str, value: Any, allowed: tuple[str, ...]) -> str:
        """``value`` if it is one of ``allowed``."""
        if not isinstance(value, str) or value not in allowed:
            raise self.fail(sec, field, f"{value!r} is not allowed; allowed: "
                            f"{', '.join(allowed)}{did_you_mean(value, allowed)}")
        return value

    def text(self, sec: str | int, field: str, value: Any, *, empty: bool = False) -> str:
        """``value`` stripped, if a string (non-empty unless ``empty``)."""
        if value is None:
            raise self.fail(sec, field, "missing; expected a non-empty string")
        if not isinstance(value, str) or (not empty and not value.strip()):
            raise self.fail(sec, field, f"expected a non-empty string, got {value!r}")
        return value.strip()

    def texts(self, sec: str | int, field: str, value: Any) -> tuple[str, ...]:
        """A string or a list of non-empty strings, as a tuple."""
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
            raise self.fail(sec, field, f"expected a list of non-empty strings, got {value!r}")
        return tuple(v.strip() for v in value)

    def number(self, sec: str | int, field: str, value: Any, lo: float, hi: float, *,
               integer: bool = False, lo_open: bool = False) -> float:
        """``value`` as a float if a number (an int with ``integer``) in ``[lo, hi]``."""
        kind = "an integer" if integer else "a number"
        ok_type = isinstance(value, int) if integer else isinstance(value, (int, float))
        if isinstance(value, bool) or not ok_type:
            raise self.fail(sec, field, f"expected {kind} in {'(' if lo_open else '['}{lo:g}, "
                            f"{hi:g}], got {value!r}")
        if value > hi or value < lo or (lo_open and value == lo):
            raise self.fail(sec, field, f"{value!r} is out of range; allowed: {kind} in "
                            f"{'(' if lo_open else '['}{lo:g}, {hi:g}]")
        return float(value)

    def pair(self, sec: str | int, field: str, value: Any, lo: float, hi: float,
             unit: str) -> tuple[float, float]:
        """``[low, high]`` with ``lo <= low < high <= hi``."""
        if (not isinstance(value, list) or len(value) != 2
                or not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in value)):
            raise self.fail(sec, field, f"expected [low, high] in {unit}, got {value!r}")
        a, b = float(value[0]), float(value[1])
        if not (lo <= a < b <= hi):
            raise self.fail(sec, field, f"{value!r} is invalid; allowed: low < high, both within "
                            f"[{lo:g}, {hi:g}] {unit}")
        return a, b

    def keys(self, sec: str | int, table: dict[str, Any], allowed: tuple[str, ...]) -> None:
        """Every key of ``table`` is in ``allowed`` (typos fail, they do not silently vanish)."""
        for key in table:
            if key not in allowed:
                raise self.fail(sec, key, f"unknown field {key!r}; allowed: "
                                f"{', '.join(allowed)}{did_you_mean(key, allowed)}")

    def weights(self, sec: str | int, value: Any, base: Weights) -> Weights:
        """A ``weights`` table over ``base``: known components, 0..100, not all zero."""
        if not isinstance(value, dict):
            raise self.fail(sec, "weights", f"expected a table of {', '.join(COMPONENTS)}, "
                            f"got {value!r}")
        for key in value:
            if key not in COMPONENTS:
                raise self.fail(sec, f"weights.{key}", f"unknown component {key!r}; allowed: "
                                f"{', '.join(COMPONENTS)}{did_you_mean(key, COMPONENTS)}")
        vals = base.as_dict()
        for key, v in value.items():
            vals[key] = self.number(sec, f"weights.{key}", v, 0.0, 100.0)
        if sum(vals.values()) <= 0:
            raise self.fail(sec, "weights", "all weights are 0; at least one must be positive")
        return Weights(**vals)
