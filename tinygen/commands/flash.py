"""`tinygen flash`: put a build folder's firmware (or a model's, built first) on a real board."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import click

from tinygen.boards import load_board
from tinygen.commands.options import emit_json, json_option, model_or_default, schedule_options
from tinygen.commands.progress import Advance, progress_bar
from tinygen.flash.build_folder import folder_elf
from tinygen.flash.image import load_range
from tinygen.flash.methods import METHODS, flash_setup
from tinygen.flash.pyocd_api import flash_with_pyocd
from tinygen.flash.tools import run_command
from tinygen.pipeline import build_firmware
from tinygen.plan.schedule import ScheduleOptions
from tinygen.text import one_line


@click.command()
@click.argument("source", metavar="[BUILD_DIR|MODEL]", required=False, type=click.Path(path_type=Path))
@click.option("--board", "-b", required=True, help="Board name or path to a board .toml with a [flash] table.")
@click.option("--probe", type=click.Choice(METHODS),
              help="Flashing tool, instead of the board file's [flash] method.")
@click.option("--dry-run", is_flag=True, help="Print the exact command(s) and exit; no probe is touched.")
@schedule_options
@json_option
def flash(source: Path | None, board: str, probe: str | None, dry_run: bool, schedule: ScheduleOptions,
          as_json: bool) -> None:
    """Flash BUILD_DIR (a tinygen build folder for BOARD) or MODEL (built first, reused when unchanged) to BOARD.

    Exit 2 when the tool is missing or no probe or board is found, naming what was looked for.
    """
    path = model_or_default(source)
    target = load_board(board)
    setup = flash_setup(target, probe)
    if path.is_dir():
        elf = folder_elf(path, target).resolve()
    else:
        elf = build_firmware(path, target, reuse=True, schedule=schedule).build.elf.resolve()
    command = setup.command(elf, load_range(elf, target))
    if not dry_run:
        if command.api:
            with progress_bar(f"flashing {target.name}", 100, enabled=not as_json) as advance:
                flash_with_pyocd(elf, setup.pyocd_target, _percent(advance))
        else:
            run_command(command)
    if as_json:
        emit_json({"board": target.name, "method": command.method, "command": command.lines()[-1],
                   "prepare": command.lines()[:-1], "api": command.api, "note": command.note, "elf": str(elf),
                   "dry_run": dry_run})
    elif dry_run:
        lines = command.lines() + ([f"# {command.note}"] if command.note else [])
        click.echo("\n".join(one_line(line) for line in lines))  # a path with an escape sequence stays inert
    else:
        click.echo(one_line(f"flashed {elf} to {target.name} with {command.method}"))


def _percent(advance: Advance) -> Callable[[float], None]:
    """pyOCD reports a fraction done; the bar advances one step per whole percent."""
    shown = 0

    def report(fraction: float) -> None:
        nonlocal shown
        while shown < int(fraction * 100):
            advance()
            shown += 1

    return report
