"""The ``massagecam`` command line: a thin click group over the library.

Each command lives in its own module of this package and exposes a ``command`` attribute (a
``click.Command``); the group discovers them, so adding a command touches no shared file.
Command modules import heavy libraries (mediapipe, OpenCV) inside the command function, so
``massagecam --help`` stays fast.

Every :class:`massagecam.errors.MassagecamError` becomes one line on stderr and exit code 2.
"""

from __future__ import annotations

import importlib
import pkgutil
import sys
from typing import Any

import click

from massagecam import __version__
from massagecam.errors import MassagecamError

CONTEXT_SETTINGS = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


class UserError(click.ClickException):
    """A one-line error for the user, with the project's exit code (2)."""

    exit_code = 2

    def show(self, file: Any = None) -> None:
        """Print ``massagecam: error: <message>`` on stderr, one line."""
        click.echo(f"massagecam: error: {self.format_message()}", err=True)


class _Group(click.Group):
    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except MassagecamError as exc:
            raise UserError(str(exc)) from None
        except KeyboardInterrupt:
            click.echo("massagecam: interrupted", err=True)
            sys.exit(130)


@click.group(cls=_Group, context_settings=CONTEXT_SETTINGS)
@click.version_option(__version__, "-V", "--version", prog_name="massagecam")
def cli() -> None:
    """Coach hand massage, reflexology and acupressure from an ordinary webcam.

    Watches one hand massage the other, tells which zone or acupoint the thumb is on, whether
    and how it presses, and guides and scores a routine. Run COMMAND --help for details.
    """


def _discover() -> None:
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{__name__}.{info.name}")
        command = getattr(module, "command", None)
        if isinstance(command, click.Command):
            cli.add_command(command)


_discover()


def main() -> None:
    """Entry point of the console script and ``python -m massagecam``."""
    cli(prog_name="massagecam")
