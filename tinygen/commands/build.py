"""`tinygen build`: render the C project, compile it, report real flash and RAM per region."""

from __future__ import annotations

from pathlib import Path

import click
from rich.console import Console
from rich.table import Table

from tinygen.boards import Board, load_board
from tinygen.build.sizes import SectionSizes
from tinygen.commands.options import (
    DEFAULT_BOARD,
    debug_option,
    emit_json,
    json_option,
    model_argument,
    model_or_default,
    output_folder_option,
    sanitize_option,
    schedule_options,
)
from tinygen.pipeline import Firmware, build_firmware
from tinygen.plan.schedule import ScheduleOptions
from tinygen.text import terminal


def sizes_json(sizes: SectionSizes) -> dict:
    return {
        "flash_bytes": sizes.flash_bytes,
        "ram_bytes": sizes.ram_bytes,
        "code_bytes": sizes.code_bytes,
        "weights_bytes": sizes.weights_bytes,
        "arena_bytes": sizes.arena_bytes,
        "stack_bytes": sizes.stack_bytes,
        "other_ram_bytes": sizes.other_ram_bytes,
        "sections": sizes.sections,
    }


def print_sizes(fw: Firmware, board: Board, console: Console) -> None:
    s = fw.build.sizes
    table = Table("", "bytes", title=f"{terminal(fw.graph.name)} on {board.name}: {terminal(str(fw.build.elf))}")
    for label, value in (("flash: code", s.code_bytes), ("flash: weights", s.weights_bytes),
                         ("RAM: arena", s.arena_bytes), ("RAM: stack", s.stack_bytes),
                         ("RAM: other (.data+.bss)", s.other_ram_bytes)):
        table.add_row(label, f"{value:,}")
    table.add_row("[bold]flash total", f"[bold]{s.flash_bytes:,}")
    table.add_row("[bold]RAM total", f"[bold]{s.ram_bytes:,}")
    console.print(table)


@click.command()
@model_argument
@click.option("--board", "-b", default=DEFAULT_BOARD, show_default=True, help="Board name or path to a board .toml.")
@output_folder_option("Project folder [default: firmware_out/<model>-<board>].")
@debug_option
@sanitize_option
@schedule_options
@json_option
def build(model: Path | None, board: str, output: Path | None, debug: bool, sanitize: bool,
          schedule: ScheduleOptions, as_json: bool) -> None:
    """Generate and compile MODEL for BOARD; exit 1 before generating when `check` says it cannot fit."""
    path = model_or_default(model)
    target = load_board(board)
    fw = build_firmware(path, target, output, schedule=schedule, debug=debug, sanitize=sanitize)
    if as_json:
        emit_json({"model": fw.graph.name, "board": target.name, "directory": str(fw.build.directory),
                   "elf": str(fw.build.elf), **sizes_json(fw.build.sizes),
                   "layers": [{"index": layer.index, "op": layer.opcode, "kernel": layer.kernel}
                              for layer in fw.code.layers]})
    else:
        print_sizes(fw, target, Console())
