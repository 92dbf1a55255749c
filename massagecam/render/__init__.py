"""Rendered practice sessions with ground truth: session scripts in, video and truth JSON out.

``load_script`` reads and checks a TOML session script, ``Renderer`` draws it frame by frame
(two shaded hands, the giver's thumb pad on the scripted point), ``render_session`` writes the
video and the truth file. See ``docs/render.md``.
"""

from __future__ import annotations

from massagecam.render.renderer import RenderedFrame, Renderer
from massagecam.render.script import SessionScript, load_script, parse_script
from massagecam.render.writer import render_session

__all__ = ["RenderedFrame", "Renderer", "SessionScript", "load_script", "parse_script",
           "render_session"]
