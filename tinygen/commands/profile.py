"""`tinygen profile`: where one inference spends its instructions, layer by layer, counted exactly in QEMU.

A profile build calls a marker function between steps; a QEMU TCG plugin
(templates/profile/tg_insn_plugin.c) counts every executed guest instruction and
records the count at each marker call (tinygen/profile/). Deterministic: the
same firmware and input give the same counts on every run. Cycles on a real
board over the serial link are not measured yet: real boards are refused.
"""

from __future__ import annotations

from pathlib import Path

import click
from rich.console import Console
from rich.table import Table

from tinygen.boards import load_board
from tinygen.commands.options import (
    DEFAULT_BOARD,
    emit_json,
    json_option,
    model_argument,
    model_or_default,
    schedule_options,
)
from tinygen.errors import InputError
from tinygen.plan.schedule import ScheduleOptions
from tinygen.profile.measure import Profile


@click.command()
@model_argument
@click.option("--board", "-b", default=DEFAULT_BOARD, show_default=True, help="Emulated board or a .toml.")
@click.option("--plot", type=click.Path(dir_okay=False, path_type=Path),
              help="Write a bar chart of instructions per layer (.png/.svg).")
@click.option("--output", "-o", type=click.Path(file_okay=False, path_type=Path), help="Profile build's project folder.")
@click.option("--timeout", type=float, default=600.0, show_default=True, help="Seconds before the run is abandoned.")
@schedule_options
@json_option
def profile(model: Path | None, board: str, plot: Path | None, output: Path | None, timeout: float,
            schedule: ScheduleOptions, as_json: bool) -> None:
    """Count the instructions each layer of MODEL executes per inference on an emulated BOARD."""
    from tinygen.profile.measure import profile_model

    path = model_or_default(model)
    target = load_board(board)
    if target.cpu.core == "host":
        raise InputError("--board host: instruction counts come from QEMU's Cortex-M machines; pick an emulated "
                         "board (tinygen boards), e.g. mps2-an386")
    if target.qemu is None:
        raise InputError(f"{target.name}: a real board; per-layer cycles over the serial link are not implemented "
                         "yet: profile on its emulated counterpart (e.g. mps2-an386 for a Cortex-M4)")
    if plot is not None and plot.suffix.lower() not in (".png", ".svg", ".pdf"):
        raise InputError(f"--plot {plot}: unknown image format '{plot.suffix}'; use .png, .svg or .pdf")
    result = profile_model(path, target, output, schedule, timeout)
    if plot is not None:
        from tinygen.profile.plot import plot_profile

        plot_profile(result, plot)
    if as_json:
        emit_json(profile_json(result))
    else:
        print_profile(result, Console())


def profile_json(p: Profile) -> dict:
    total = p.instructions_per_inference
    return {
        "model": p.model, "board": p.board, "instructions_per_inference": total, "macs": p.macs,
        "macs_per_instruction": p.macs / total if total else 0.0, "marker_instructions": p.marker_instructions,
        "elf": str(p.elf),
        "layers": [{"step": i, "layers": list(s.layers), "op": s.op, "macs": s.macs, "instructions": s.instructions,
                    "output_bytes": s.output_bytes, "macs_per_instruction": s.macs_per_instruction,
                    "share": s.instructions / total if total else 0.0}
                   for i, s in enumerate(p.steps)],
    }


def print_profile(p: Profile, console: Console) -> None:
    total = p.instructions_per_inference
    table = Table(title=f"{p.model} on {p.board}: instructions per inference (QEMU, exact)")
    for column in ("#", "layer", "op", "MACs", "instructions", "MACs/instr", "share"):
        table.add_column(column, justify="left" if column in ("layer", "op") else "right")
    for i, s in enumerate(p.steps):
        layers = ",".join(map(str, s.layers))
        table.add_row(str(i), layers, s.op, f"{s.macs:,}", f"{s.instructions:,}", f"{s.macs_per_instruction:.3f}",
                      f"{100 * s.instructions / total:.1f}%")
    table.add_row("", "[bold]total", "", f"[bold]{p.macs:,}", f"[bold]{total:,}",
                  f"[bold]{p.macs / total:.3f}", "100%")
    console.print(table)
