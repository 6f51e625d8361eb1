"""`tinygen run`: build (cached), run vectors in QEMU or on the host, compare with TensorFlow Lite Micro."""

from __future__ import annotations

from pathlib import Path

import click
from rich.console import Console

from tinygen.boards import load_board
from tinygen.commands.build import print_sizes, sizes_json
from tinygen.commands.options import (
    DEFAULT_BOARD,
    OutputFile,
    debug_option,
    emit_json,
    inputs_option,
    json_option,
    model_argument,
    model_or_default,
    output_folder_option,
    random_option,
    sanitize_option,
    schedule_options,
    seed_option,
    timeout_option,
)
from tinygen.commands.progress import progress_bar
from tinygen.commands.verdict import verdict_line
from tinygen.pipeline import build_firmware, run_firmware
from tinygen.plan.schedule import ScheduleOptions
from tinygen.run.vectors import npz_vectors, random_vectors


@click.command()
@model_argument
@click.option("--board", "-b", default=DEFAULT_BOARD, show_default=True, help="Emulated board, 'host', or a .toml.")
@random_option
@seed_option
@inputs_option
@click.option("--save-outputs", type=OutputFile(), help="Write the firmware's outputs (.npz).")
@output_folder_option("Project folder.")
@timeout_option(300.0, "Seconds before the run is abandoned.")
@debug_option
@sanitize_option
@schedule_options
@json_option
@click.pass_context
def run(ctx: click.Context, model: Path | None, board: str, count: int, seed: int, inputs: Path | None,
        save_outputs: Path | None, output: Path | None, timeout: float, debug: bool, sanitize: bool,
        schedule: ScheduleOptions, as_json: bool) -> None:
    """Run MODEL's firmware on BOARD and check it bit-exact against TensorFlow Lite Micro (exit 1 if not)."""
    path = model_or_default(model)
    target = load_board(board)
    fw = build_firmware(path, target, output, reuse=True, schedule=schedule, debug=debug, sanitize=sanitize)
    vectors = npz_vectors(inputs, fw.code.inputs) if inputs else random_vectors(fw.code.inputs, count, seed)
    with progress_bar("reference (TFLite Micro)", len(vectors), enabled=not as_json) as advance:
        result = run_firmware(fw, path, target, vectors, timeout, progress=advance)
    if save_outputs:
        import numpy as np

        names = {f"y{k}" if len(fw.code.outputs) > 1 else "y": k for k in range(len(fw.code.outputs))}
        arrays = {name: np.stack([o[k] for o in result.outputs]) for name, k in names.items()}
        # numpy's stubs match **arrays to savez's keyword allow_pickle (numpy >= 2.2), which older numpy would
        # save as one more array; the arrays go in by name as they always did
        np.savez(save_outputs, **arrays)  # type: ignore[arg-type]
    s = fw.build.sizes
    if as_json:
        emit_json({"model": fw.graph.name, "board": target.name, "bit_exact": result.bit_exact,
                   "vectors": result.vectors, "mismatches": result.mismatches,
                   "mismatched_elements": result.mismatched_elements, "max_abs_diff": result.max_abs_diff,
                   "first_mismatch": result.first_mismatch, "stateful": fw.code.stateful,
                   **{k: v for k, v in sizes_json(s).items() if k != "sections"},
                   "directory": str(fw.build.directory)})
    else:
        console = Console()
        print_sizes(fw, target, console)
        console.print(verdict_line(result.bit_exact, result.vectors, fw.code.stateful, target.name,
                                   result.mismatches, result.first_mismatch, result.max_abs_diff))
    ctx.exit(0 if result.bit_exact else 1)
