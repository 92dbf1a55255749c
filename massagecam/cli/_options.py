"""Click options shared by several commands, defined once so their names, defaults and help agree.

A module starting with ``_`` is not a command (see :func:`massagecam.cli._discover`). Each
helper is a decorator, used in place of the ``@click.option(...)`` line it stands for, so a
command's ``--help`` lists options in the order the command declares them.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

F = TypeVar("F", bound=Callable[..., Any])

#: ``--receiving``: which hand receives (the values RoleTracker and Pipeline accept).
receiving_option: Callable[[F], F] = click.option(
    "--receiving", type=click.Choice(["auto", "left", "right"]), default="auto",
    show_default=True, help="Which hand receives the massage.")

#: ``--mode``: one person's two hands, or a caregiver's hand(s) on someone else's.
mode_option: Callable[[F], F] = click.option(
    "--mode", type=click.Choice(["self", "caregiver"]), default="self", show_default=True,
    help="self: one person's two hands; caregiver: another person's hand(s) give.")

#: ``--caregiver-at``: where the caregiver's hands come from in caregiver mode.
caregiver_at_option: Callable[[F], F] = click.option(
    "--caregiver-at", type=click.Choice(["bottom", "top", "left", "right", "none"]),
    default="bottom", show_default=True,
    help="Caregiver mode: the image edge the caregiver's hands come from (the camera faces "
         "the caregiver: bottom; it faces the person receiving: top); none: no prior.")

#: ``--model``: another hand landmarker model file.
model_option: Callable[[F], F] = click.option(
    "--model", type=click.Path(dir_okay=False, path_type=Path),
    help="Hand landmarker model file [default: the bundled one].")

#: ``--db``: another history database.
db_option: Callable[[F], F] = click.option(
    "--db", type=click.Path(dir_okay=False, path_type=Path),
    help="History database [default: <data folder>/history.sqlite].")

#: ``--quiet``/``-q``: no tqdm progress bar.
quiet_option: Callable[[F], F] = click.option(
    "--quiet", "-q", is_flag=True, help="No progress bar.")
