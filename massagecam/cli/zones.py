"""``massagecam zones``: draw the atlas on a hand in a photo/video frame, or on the diagram."""

from __future__ import annotations

from pathlib import Path

import click


def _table(atlas: object) -> str:
    from massagecam.atlas import Atlas

    assert isinstance(atlas, Atlas)
    head = ("id", "name", "kind", "region", "side", "hand", "str", "source")
    rows = [(e.id, e.name, e.kind, e.region, e.side, e.hand or "both", e.strength, e.source)
            for e in atlas.entries]
    widths = [min(max(len(str(r[i])) for r in [head, *rows]), cap)
              for i, cap in enumerate((8, 26, 5, 44, 5, 5, 3, 60))]

    def fmt(r: tuple[str, ...]) -> str:
        cells = [str(c) if len(str(c)) <= w else str(c)[: w - 1] + "~"
                 for c, w in zip(r, widths, strict=True)]
        return "  ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)).rstrip()

    return "\n".join([fmt(head), fmt(tuple("-" * w for w in widths)), *map(fmt, rows)])


@click.command("zones")
@click.argument("source", required=False)
@click.option("--side", type=click.Choice(["palm", "back"]), default=None,
              help="Face to draw. Default: detected from the hand (palm on the diagram).")
@click.option("--hand", "hand", type=click.Choice(["left", "right"]), default=None,
              help="The receiving hand: picks it in the image (default the largest hand) and "
                   "selects one-hand zones (heart, spleen: left; liver: right).")
@click.option("--out", "out", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="PNG to write (default zones-<side>.png).")
@click.option("--list", "list_", is_flag=True, help="Print the atlas table and exit.")
@click.option("--frame", "frame_no", type=click.IntRange(min=0), default=None,
              help="Video frame to use (default: the first frame with a hand).")
@click.option("--mirrored", is_flag=True, help="SOURCE is mirrored (selfie view).")
@click.option("--atlas", "atlas_path", type=click.Path(dir_okay=False, path_type=Path),
              default=None, help="Use this atlas TOML instead of the packaged one.")
@click.option("--size", type=(int, int), default=(700, 840), show_default=True,
              help="Diagram size (width height) when no SOURCE is given.")
@click.option("--crop", is_flag=True,
              help="Crop the frame around the hand and enlarge it (labels stay legible).")
def command(source: str | None, side: str | None, hand: str | None, out: Path | None,
            list_: bool, frame_no: int | None, mirrored: bool, atlas_path: Path | None,
            size: tuple[int, int], crop: bool) -> None:
    """Draw reflexology zones and acupoints on the receiving hand, or list them.

    With SOURCE (photo, video, folder, camera index) the hand is found with the landmark
    model and the zones of the face it shows are drawn on that frame; without SOURCE the
    canonical hand diagram is drawn. Colours follow the colour-blind-safe Okabe-Ito palette
    (one per body-region group; acupoints in vermillion with their tolerance ring).
    """
    import cv2

    from massagecam.atlas import load_atlas
    from massagecam.errors import MassagecamError

    atlas = load_atlas(atlas_path)
    if list_:
        click.echo(_table(atlas))
        return
    if source is None:
        img, used_side = _diagram(atlas, side or "palm", hand, size)
    else:
        found = _from_source(atlas, source, side, hand, frame_no, mirrored, crop)
        if found is None:
            click.echo(f"massagecam: hint: no hand found in {source}; drawing the canonical "
                       f"diagram instead", err=True)
            img, used_side = _diagram(atlas, side or "palm", hand, size)
        else:
            img, used_side = found
    path = out or Path(f"zones-{used_side}.png")
    if not cv2.imwrite(str(path), img):
        raise MassagecamError(f"{path}: cannot write the PNG (check the folder and extension)")
    click.echo(f"wrote {path} ({used_side})")


def _diagram(atlas: object, side: str, hand: str | None,
             size: tuple[int, int]) -> tuple[object, str]:
    from massagecam.atlas import draw_canonical

    return draw_canonical(side, size, atlas=atlas, hand=(hand or "right").title()), side


def _from_source(atlas: object, source: str, side: str | None, hand: str | None,
                 frame_no: int | None, mirrored: bool,
                 crop: bool = False) -> tuple[object, str] | None:
    import numpy as np

    from massagecam.atlas import detect_side, draw_atlas
    from massagecam.atlas.side import extension
    from massagecam.capture import open_source
    from massagecam.landmarker import Landmarker

    with open_source(source) as src, Landmarker(num_hands=2, mirrored=mirrored) as lm:
        for frame in src:
            if frame_no is not None and frame.index < frame_no:
                continue
            hands = lm.detect(frame.image, frame.t, frame.index)
            rows = [i for i in range(len(hands))
                    if hand is None or str(hands.handedness[i]).lower() == hand]
            if rows:
                i = max(rows, key=lambda r: float(hands.palm_length()[r]))
                xy, label = hands.xy[i].astype(np.float64), str(hands.handedness[i])
                chosen = side
                if chosen is None:
                    s = detect_side(xy, label, mirrored=mirrored, margin=0.1)
                    if s.value == "unknown" or extension(xy) < 1.1:
                        click.echo("massagecam: hint: the hand is edge-on or closed, palm/back "
                                   "is unclear; drawing palm (use --side)", err=True)
                        chosen = "palm"
                    else:
                        chosen = s.value
                img = frame.image.copy()
                if crop:
                    img, xy = _crop(img, xy)
                draw_atlas(img, atlas, xy, label, chosen)  # type: ignore[arg-type]
                return img, chosen
            if frame_no is not None or frame.index > 300:
                break
    return None


def _crop(image: object, xy: object, target_h: int = 900) -> tuple[object, object]:
    """Cut the hand (plus forearm room) out of the frame and enlarge it to ``target_h``."""
    import cv2
    import numpy as np

    img, pts = np.asarray(image), np.asarray(xy, dtype=np.float64)
    length = float(np.hypot(*(pts[9] - pts[0])))
    lo = np.maximum(pts.min(axis=0) - 0.5 * length, 0).astype(int)
    hi = np.minimum(pts.max(axis=0) + np.array([0.5, 0.9]) * length,
                    [img.shape[1], img.shape[0]]).astype(int)
    cut = img[lo[1]:hi[1], lo[0]:hi[0]]
    s = max(1.0, target_h / max(cut.shape[0], 1))
    big = cv2.resize(cut, None, fx=s, fy=s, interpolation=cv2.INTER_CUBIC)
    return big, (pts - lo) * s
