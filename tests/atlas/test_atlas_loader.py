"""The packaged atlas is complete, and malformed atlas files give precise errors."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from massagecam.atlas import load_atlas
from massagecam.atlas.loader import DEFAULT_PATH
from massagecam.errors import AtlasError

ZONES = [f"Z{i}" for i in range(1, 21)] + [f"D{i}" for i in range(1, 10)]
POINTS = ["LI3", "LI4", "LI5", "TE3", "TE4", "SI3", "EX-UE7", "EX-UE8", "EX-UE9", "PC6", "PC7",
          "PC8", "HT7", "HT8", "LU9", "LU10", "EX-UE10", "EX-UE11"]
TEXT = DEFAULT_PATH.read_text(encoding="utf-8")


def test_packaged_atlas_has_every_zone_and_point() -> None:
    atlas = load_atlas()
    assert sorted(e.id for e in atlas.entries if e.kind == "zone") == sorted(ZONES)
    assert sorted(e.id for e in atlas.entries if e.kind == "point") == sorted(POINTS)
    for e in atlas.entries:
        assert re.fullmatch(r"[a-z][a-z0-9_]*", e.name), e
        assert e.side in ("palm", "back", "both") and e.strength in "SDW" and e.source
        assert e.line is not None and f'id = "{e.id}"' in TEXT.splitlines()[e.line - 1]
        if e.kind == "point":
            assert 0 < e.radius_l <= 0.2


def test_one_hand_zones_and_safety_notes() -> None:
    by = load_atlas().by_id
    assert (by["Z9"].hand, by["Z12"].hand, by["Z13"].hand) == ("left", "right", "left")
    assert by["Z10"].hand is None
    assert "pregnan" in by["LI4"].safety.lower()
    assert "light pressure only" in by["LU9"].safety.lower()
    assert "light pressure only" in by["HT7"].safety.lower()
    assert "carpal tunnel" in by["PC7"].safety.lower()
    assert by["LI4"].strength == "S" and by["EX-UE11"].strength == "D"


def _line_of(text: str, needle: str) -> int:
    if needle == "@last":  # the second definition of a duplicated id
        return [i for i, ln in enumerate(text.splitlines(), 1) if 'id = "PC8"' in ln][-1]
    lines = text.splitlines()
    if needle.startswith("@part:"):  # the [[zone.part]] header of entry's first part
        start = _line_of(text, f'id = "{needle[6:]}"')
        return next(i for i in range(start, len(lines) + 1) if lines[i - 1] == "[[zone.part]]")
    return next(i for i, ln in enumerate(lines, 1) if needle in ln)


# (description, old text, new text, entry, field, words in the message, line needle)
CASES = [
    ("unknown landmark", 'a = "THUMB_IP"\nb = "THUMB_TIP"\n[[zone.part]]\nkind = "disc"',
     'a = "THUMB_IPP"\nb = "THUMB_TIP"\n[[zone.part]]\nkind = "disc"', "Z1", "a",
     "unknown landmark 'THUMB_IPP'", 'a = "THUMB_IPP"'),
    ("landmark by index", 'center = "PINKY_MCP"', "center = 17", "D4", "center",
     "expected a landmark name", "center = 17"),
    ("bad side", 'id = "Z7"\nname = "shoulder"\nregion = "shoulder joint, arm (ulnar edge)"\n'
     'group = "limb"\nside = "palm"', 'id = "Z7"\nname = "shoulder"\n'
     'region = "shoulder joint, arm (ulnar edge)"\ngroup = "limb"\nside = "palms"', "Z7",
     "side", "got 'palms', expected one of palm, back, both", 'side = "palms"'),
    ("missing point radius", 'radius_l = 0.12\nsource = "WHO 2008: dorsum',
     'source = "WHO 2008: dorsum', "LI4", "radius_l", "missing required field",
     'id = "LI4"'),
    ("missing capsule radius", 'side = "back"\nradius_l = 0.08\nsource = "hand reflexology',
     'side = "back"\nsource = "hand reflexology', "D2", "part[0].radius", "missing radius",
     "@part:D2"),
    ("bad part radius", "center = { mid = [\"THUMB_IP\", \"THUMB_TIP\"] }\nradius = 0.06",
     "center = { mid = [\"THUMB_IP\", \"THUMB_TIP\"] }\nradius = -0.06", "Z1",
     "part[1].radius", "outside the allowed range", "radius = -0.06"),
    ("duplicate id", 'id = "HT8"', 'id = "PC8"', "PC8", "id", "duplicate id", "@last"),
    ("unknown geometry kind", 'kind = "grid_rect"\nu = [-0.1, 1.1]\nv = ["shoulder", "diaphragm"]',
     'kind = "rectangle"\nu = [-0.1, 1.1]\nv = ["shoulder", "diaphragm"]', "Z8",
     "part[0].kind", "unknown geometry kind 'rectangle'", 'kind = "rectangle"'),
    ("empty u range", "u = [0.0, 0.4]", "u = [0.4, 0.0]", "Z9", "u", "empty range",
     "u = [0.4, 0.0]"),
    ("u out of range", "u = [0.45, 1.1]", "u = [0.45, 3.0]", "Z12", "u",
     "outside the allowed range", "u = [0.45, 3.0]"),
    ("unknown level", 'v = [0.3, "waist"]\n\n[[zone]]\nid = "Z12"',
     'v = [0.3, "belly"]\n\n[[zone]]\nid = "Z12"', "Z11", "v", "unknown grid level 'belly'",
     'v = [0.3, "belly"]'),
    ("wrong type", "radius_l = 0.18", 'radius_l = "0.18"', "PC6", "radius_l",
     "expected a number (palm lengths), got str", 'radius_l = "0.18"'),
    ("radius too big", "radius_l = 0.06\nsource = \"standard extra point (not verified here)\"\n"
     'strength = "D"\n\n[[point]]\nid = "EX-UE11"', "radius_l = 6\nsource = \"standard extra "
     'point (not verified here)"\nstrength = "D"\n\n[[point]]\nid = "EX-UE11"', "EX-UE10",
     "radius_l", "outside the allowed range", "radius_l = 6"),
    ("bad strength", 'strength = "S"\nsafety = "Pregnancy', 'strength = "X"\nsafety = "Pregnancy',
     "LI4", "strength", "expected one of S, D, W", 'strength = "X"'),
    ("bad hand", 'hand = "left"\nsource', 'hand = "sinister"\nsource', "Z9", "hand",
     "expected one of left, right", 'hand = "sinister"'),
    ("unknown field", 'id = "LU10"\nname = "yuji"', 'id = "LU10"\nname = "yuji"\ncolour = "red"',
     "LU10", "colour", "unknown field", 'colour = "red"'),
    ("bad name", 'name = "solar_plexus"', 'name = "Solar Plexus"', "Z10", "name",
     "expected a value matching", 'name = "Solar Plexus"'),
]


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_malformed_atlas_names_file_line_entry_field(tmp_path: Path, case: tuple) -> None:
    _, old, new, entry, field, words, needle = case
    assert old in TEXT, f"test fixture out of date: {old!r}"
    text = TEXT.replace(old, new, 1)
    path = tmp_path / "atlas.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(AtlasError) as info:
        load_atlas(path)
    msg = str(info.value)
    assert str(path) in msg and f"entry {entry!r}" in msg and f"field {field!r}" in msg, msg
    assert words in msg, msg
    assert "\n" not in msg
    if needle is not None:
        assert info.value.line == _line_of(text, needle), msg


def test_missing_grid_corner_and_bad_toml(tmp_path: Path) -> None:
    path = tmp_path / "a.toml"
    path.write_text(TEXT.replace('little_mcp = "PINKY_MCP"\n', ""), encoding="utf-8")
    with pytest.raises(AtlasError, match="corner 'little_mcp'"):
        load_atlas(path)
    path.write_text(TEXT.replace('id = "Z3"', 'id = "Z3'), encoding="utf-8")
    with pytest.raises(AtlasError, match="not valid TOML") as info:
        load_atlas(path)
    assert info.value.line == _line_of(TEXT, 'id = "Z3"')
    with pytest.raises(AtlasError, match="cannot read"):
        load_atlas(tmp_path / "absent.toml")


def test_grid_levels_are_configurable(tmp_path: Path) -> None:
    """Moving the 'waist' level moves every zone bounded by it (Kunz-style waist)."""
    import numpy as np
    from atlas_util import hand

    path = tmp_path / "a.toml"
    path.write_text(TEXT.replace("waist = 0.5\n", "waist = 0.65\n")
                    .replace("below_waist = 0.58", "below_waist = 0.7"), encoding="utf-8")
    moved, base = load_atlas(path), load_atlas()
    h = hand()
    area = {}
    for atlas in (base, moved):
        poly = atlas.shapes(h, "Right", "palm")["Z11"][0].points
        x, y = poly[:, 0], poly[:, 1]
        area[atlas] = 0.5 * abs(float(x @ np.roll(y, -1) - y @ np.roll(x, -1)))
    assert area[moved] > 1.3 * area[base]
