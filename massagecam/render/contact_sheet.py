"""A contact sheet of rendered frames: every skin type, palm and back, several targets.

Regenerate ``docs/contact-sheet.png`` with ``python -m massagecam.render.contact_sheet
docs/contact-sheet.png``. Each tile is one frame of a tiny generated session, cropped around the
hands and labelled with its skin type, face, receiving hand and target.
"""

from __future__ import annotations

import sys
from pathlib import Path

import cv2
import numpy as np

from massagecam.render.renderer import Renderer
from massagecam.render.script import parse_script
from massagecam.render.skin import TONES

_TILES = {"palm": ["PC8", "HT8", "Z10", "LU10", "Z14", "Z11"],
          "back": ["LI4", "TE3", "EX-UE8", "LI3", "D5", "LI4"]}
_BACKGROUNDS = ["plain", "textured", "cluttered"]
_LIGHTS = ["even", "side", "even", "dim", "side", "even"]


def tile(tone: str, side: str, k: int, size: tuple[int, int] = (320, 240)) -> np.ndarray:
    """One labelled tile: a frame of a short session pressing a target on ``side``."""
    target = _TILES[side][k]
    receiving = "left" if (k + (side == "back")) % 2 == 0 else "right"
    text = f"""
receiving = "{receiving}"
[render]
seed = {31 + 7 * k + (side == "back")}
size = [640, 480]
fps = 30
skin = "{tone}"
background = "{_BACKGROUNDS[k % 3]}"
lighting = "{_LIGHTS[k]}"
[[perform]]
target = "{target}"
technique = "circles"
duration_s = 1.0
"""
    r = Renderer(parse_script(text, "contact-sheet"))
    f = r.render(10)
    pts = np.vstack([f.state.receiver, f.state.giver])
    c = pts.mean(0)
    half = np.array([0.5 * size[0], 0.5 * size[1]]) * 1.35
    x0, y0 = np.clip(c - half, 0, None).astype(int)
    x1, y1 = (np.minimum(c + half, (640, 480))).astype(int)
    crop = cv2.resize(f.image[y0:y1, x0:x1], size, interpolation=cv2.INTER_AREA)
    label = f"{tone} {side} {receiving} {target}"
    cv2.rectangle(crop, (0, 0), (size[0], 22), (20, 20, 20), -1)
    cv2.putText(crop, label, (6, 16), cv2.FONT_HERSHEY_SIMPLEX, 0.5, (240, 240, 240), 1,
                cv2.LINE_AA)
    return crop


def contact_sheet() -> np.ndarray:
    """The sheet: one row per face (palm, back), one column per Fitzpatrick type."""
    rows = [np.hstack([tile(tone, side, k) for k, tone in enumerate(TONES)])
            for side in ("palm", "back")]
    return np.vstack(rows)


def main(argv: list[str] | None = None) -> int:
    """Write the contact sheet to the path given (default docs/contact-sheet.png)."""
    args = sys.argv[1:] if argv is None else argv
    out = Path(args[0] if args else "docs/contact-sheet.png")
    out.parent.mkdir(parents=True, exist_ok=True)
    cv2.imwrite(str(out), contact_sheet())
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
