"""A private Xvfb display for window tests, and XWD screenshots read into numpy."""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from pathlib import Path

import numpy as np


def free_display(start: int = 91, stop: int = 200) -> int:
    for n in range(start, stop):
        if not Path(f"/tmp/.X11-unix/X{n}").exists() and not Path(f"/tmp/.X{n}-lock").exists():
            return n
    raise RuntimeError("no free X display number")


class Xvfb:
    """Start ``Xvfb :N`` on a free display; a context manager that kills it on exit."""

    def __init__(self, size: tuple[int, int] = (960, 720)) -> None:
        self.size = size
        self.proc: subprocess.Popen[bytes] | None = None
        self.display = ""

    def __enter__(self) -> Xvfb:
        for _ in range(5):
            n = free_display()
            self.proc = subprocess.Popen(
                ["Xvfb", f":{n}", "-screen", "0", f"{self.size[0]}x{self.size[1]}x24",
                 "-nolisten", "tcp"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            sock = Path(f"/tmp/.X11-unix/X{n}")
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline and self.proc.poll() is None:
                if sock.exists():
                    self.display = f":{n}"
                    return self
                time.sleep(0.05)
            self.proc.kill()
            self.proc.wait()
        raise RuntimeError("Xvfb did not start")

    def __exit__(self, *exc: object) -> None:
        if self.proc is not None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    def env(self) -> dict[str, str]:
        env = dict(os.environ, DISPLAY=self.display, QT_QPA_PLATFORM="xcb")
        env.pop("WAYLAND_DISPLAY", None)
        return env

    def screenshot(self) -> np.ndarray:
        out = subprocess.run(["xwd", "-root", "-silent", "-display", self.display],
                             capture_output=True, check=True, timeout=20).stdout
        return parse_xwd(out)


def have_tools(*names: str) -> list[str]:
    return [n for n in names if shutil.which(n) is None]


def parse_xwd(data: bytes) -> np.ndarray:
    """A TrueColor/DirectColor ZPixmap XWD dump (what ``xwd -root`` writes for Xvfb) as BGR.

    Xvfb's root dumps as 32 bits a pixel, or as packed 24-bit pixels once a client installed
    a DirectColor colormap; DirectColor channel values are mapped through the dump's colormap.
    """
    head = np.frombuffer(data[:100], dtype=">u4")
    header_size, version, fmt = int(head[0]), int(head[1]), int(head[2])
    if version != 7 or fmt != 2:
        raise ValueError(f"unsupported XWD: version {version}, format {fmt}")
    width, height = int(head[4]), int(head[5])
    byte_order, bpp, bpl, visual = int(head[7]), int(head[11]), int(head[12]), int(head[13])
    masks = int(head[16]), int(head[15]), int(head[14])  # blue, green, red
    ncolors = int(head[19])
    entries = np.frombuffer(data[header_size:header_size + 12 * ncolors],
                            dtype=np.uint8).reshape(-1, 12)
    start = header_size + 12 * ncolors
    rows = np.frombuffer(data[start:start + bpl * height], dtype=np.uint8).reshape(height, bpl)
    if bpp not in (24, 32):
        raise ValueError(f"unsupported XWD bits per pixel {bpp}")
    step = bpp // 8
    px = rows[:, :width * step].reshape(height, width, step).astype(np.uint32)
    order = range(step) if byte_order == 0 else range(step - 1, -1, -1)
    value = np.zeros((height, width), np.uint32)
    for k, b in enumerate(order):
        value |= px[:, :, b] << (8 * k)
    out = []
    for comp, mask in zip((2, 1, 0), masks, strict=True):
        shift = (mask & -mask).bit_length() - 1
        v = ((value & mask) >> shift).astype(np.uint8)
        if visual == 5 and len(entries) >= 256:  # DirectColor: index the colormap
            lut = ((entries[:256, 4 + 2 * comp].astype(np.uint16) << 8)
                   | entries[:256, 5 + 2 * comp]) >> 8
            v = lut.astype(np.uint8)[v]
        out.append(v)
    return np.dstack(out)
