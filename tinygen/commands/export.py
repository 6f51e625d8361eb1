"""`tinygen export`: the model as a library for the user's own firmware and build system."""

from __future__ import annotations

from pathlib import Path

import click
from rich.console import Console

from tinygen.boards import load_board
from tinygen.codegen.library import ARENAS, LibraryOptions
from tinygen.commands.options import (
    OutputFolder,
    emit_json,
    json_option,
    model_argument,
    model_or_default,
    schedule_options,
)
from tinygen.cores import CORES
from tinygen.errors import InputError
from tinygen.export.flow import export_library
from tinygen.export.formats import FORMATS
from tinygen.export.target import core_board
from tinygen.plan.schedule import ScheduleOptions
from tinygen.text import terminal


@click.command()
@model_argument
@click.option("--format", "fmt", type=click.Choice(list(FORMATS)), required=True,
              help="; ".join(f"{fmt}: {form.help}" for fmt, form in FORMATS.items()) + ".")
@click.option("--core", type=click.Choice(list(CORES)), help="Specialise the kernels for this core (no board).")
@click.option("--board", "-b", help="Or for this board's core, refusing a model the board cannot hold.")
@click.option("--name", default="model", show_default=True,
              help="The C namespace: <name>_invoke(), <NAME>_ARENA_BYTES, include/<name>.h, src/<name>_*.c.")
@click.option("--arena", type=click.Choice(ARENAS), default="static", show_default=True,
              help="static: the library's own buffer; extern: yours, given to <name>_init(void *arena).")
@click.option("--arena-section", help="Section of the static arena (e.g. .dtcm_bss); default .<name>_arena.")
@click.option("--url", help="arduino (required), platformio: your library's project page, for its manifest.")
@click.option("--output", "-o", type=OutputFolder(), required=True,
              help="The library folder (new, empty or an earlier export, which is replaced whole).")
@schedule_options
@json_option
def export(model: Path | None, fmt: str, core: str | None, board: str | None, name: str, arena: str,
           arena_section: str | None, url: str | None, output: Path, schedule: ScheduleOptions,
           as_json: bool) -> None:
    """Export MODEL as a C library (include/, src/ and the format's build file), no startup, linker script or main."""
    if (core is None) == (board is None):
        raise InputError("give exactly one of --core (a core, no board) or --board (a board's core and its fit)")
    options = LibraryOptions(name, arena, arena_section)  # checks the name and section before any work
    target = core_board(core) if core is not None else load_board(str(board))
    result = export_library(model_or_default(model), target, fmt, options, output, schedule, fit=board is not None,
                            url=url)
    if as_json:
        emit_json(result.summary())
        return
    summary = result.summary()
    Console().print(f"{terminal(summary['model'])}: {fmt} library '{name}' for {summary['core']} in "
                    f"{terminal(str(output))} (arena {summary['arena_bytes']:,} B, {arena}); "
                    f"{len(result.files)} files")
