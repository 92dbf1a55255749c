"""Cheap structural checks of video files, done before decoding starts.

FFmpeg happily opens an MP4 whose download was cut short when its index (the ``moov`` box) comes
first: it plays the frames that are there and then simply stops, so a user would get a silently
partial analysis. Walking the top-level boxes of an ISO base media file (MP4, MOV, M4V, 3GP)
costs a few reads and tells at open time whether the file is whole.
"""

from __future__ import annotations

import struct
from pathlib import Path

#: Top-level box types that mark an ISO base media file (the first box is one of these).
_ISO_FIRST_BOXES = {b"ftyp", b"moov", b"mdat", b"wide", b"free", b"skip", b"styp"}


def is_iso_media(path: Path) -> bool:
    """True when the file starts like an ISO base media file (MP4/MOV family)."""
    try:
        with open(path, "rb") as f:
            head = f.read(8)
    except OSError:
        return False
    return len(head) == 8 and head[4:8] in _ISO_FIRST_BOXES


def iso_media_problem(path: Path) -> str | None:
    """Why an MP4/MOV-family file is incomplete, or None when its top-level boxes are whole.

    Checks that every top-level box fits in the file (a cut download leaves the last box, usually
    ``mdat``, shorter than it declares) and that the ``moov`` index box is present.

    Args:
        path: a file for which :func:`is_iso_media` is True.

    Returns:
        A short phrase for an error message ("truncated: box 'mdat' declares ... bytes ..."),
        or None.
    """
    size = path.stat().st_size
    seen: set[bytes] = set()
    offset = 0
    with open(path, "rb") as f:
        while offset < size:
            f.seek(offset)
            header = f.read(16)
            if len(header) < 8:
                return f"truncated: {size - offset} stray bytes after the last box at byte {offset}"
            box_size, box_type = struct.unpack(">I4s", header[:8])
            if box_size == 1:  # 64-bit size follows the type
                if len(header) < 16:
                    return f"truncated inside the header of box {_name(box_type)}"
                box_size = struct.unpack(">Q", header[8:16])[0]
            elif box_size == 0:  # box runs to the end of the file
                box_size = size - offset
            if box_size < 8:
                return f"corrupt: box {_name(box_type)} at byte {offset} declares {box_size} bytes"
            if offset + box_size > size:
                return (f"truncated: box {_name(box_type)} needs {offset + box_size} bytes but "
                        f"the file has {size}")
            seen.add(box_type)
            offset += box_size
    if b"moov" not in seen:
        return "incomplete: it has no 'moov' index box (an unfinished recording or cut download)"
    return None


def _name(box_type: bytes) -> str:
    return repr(box_type.decode("latin-1"))
