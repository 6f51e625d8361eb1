"""`tinygen deploy`: float model + calibration data + board -> firmware checked bit-exact, in one command."""

from __future__ import annotations

from pathlib import Path

import click
from rich.console import Console
from rich.table import Table

from tinygen.boards import load_board
from tinygen.commands.build import sizes_json
from tinygen.commands.options import (
    DEFAULT_BOARD,
    MAX_VECTORS,
    data_options,
    emit_json,
    flash_budget_option,
    json_option,
    output_folder_option,
    qat_options,
    schedule_options,
    timeout_option,
)
from tinygen.commands.progress import stage_status
from tinygen.commands.quantize import (
    activation_options,
    activations_options,
    choice_json,
    mixed_json,
    print_choice,
    print_mixed,
    print_qat,
    qat_json,
)
from tinygen.deploy import Deployment
from tinygen.deploy import deploy as run_deploy
from tinygen.plan.schedule import ScheduleOptions
from tinygen.quant.convert import load_model
from tinygen.quant.data import load_dataset
from tinygen.text import terminal


@click.command()
@click.argument("model", type=click.Path(path_type=Path))
@data_options
@click.option("--board", "-b", default=DEFAULT_BOARD, show_default=True, help="Board name or path to a board .toml.")
@output_folder_option("Deployment folder [default: firmware_out/<model>-<board>].")
@flash_budget_option
@activations_options("auto")
@click.option("--vectors", type=click.IntRange(1, MAX_VECTORS), default=10, show_default=True,
              help="Evaluation samples run through the firmware and compared with TensorFlow Lite Micro "
                   f"(at most {MAX_VECTORS:,}).")
@qat_options
@timeout_option(300.0, "Seconds before the run is abandoned.")
@schedule_options
@json_option
def deploy(model: Path, calib: Path, eval_data: Path | None, board: str, output: Path | None,
           flash_budget: int | None, activations: str, max_accuracy_drop: float | None, vectors: int,
           max_loss: float | None, qat_epochs: int, timeout: float, schedule: ScheduleOptions, as_json: bool) -> None:
    """Quantise MODEL (mixed int8/int4 if BOARD's flash needs it, int16 activations if int8 loses too much),
    build it for BOARD, run it bit-exact."""
    max_drop = activation_options(model, activations, max_accuracy_drop, flash_budget)
    target = load_board(board)
    input_shape = load_model(model).input_shape
    calib_set = load_dataset(calib, input_shape)
    eval_set = load_dataset(eval_data, input_shape) if eval_data is not None else None
    folder = output or Path("firmware_out") / f"{model.stem}-{target.name}"
    with stage_status(enabled=not as_json) as on_stage:
        done = run_deploy(model, calib_set, eval_set, target, folder, vectors, schedule, flash_budget, timeout,
                          max_loss, qat_epochs, on_stage=on_stage, activations=activations, max_drop=max_drop)
    if as_json:
        emit_json(deployment_json(done))
    else:
        print_deployment(done, Console())


def deployment_json(d: Deployment) -> dict:
    acc, report = d.report.accuracy, d.report
    run = d.run
    return {
        "model": str(d.model),
        "board": d.fit.board,
        "precision": d.precision,
        "activations": report.activations,
        "activation_choice": choice_json(d.choice),
        "metric": acc.metric,
        "float_accuracy": acc.float_value,
        "quantized_accuracy": acc.quant_value,
        "quantized_mse": acc.mse,
        "eval_samples": acc.samples,
        "evaluated_on_calibration_set": acc.on_calibration,
        "weight_budget_bytes": d.weight_budget_bytes,
        "weights_bytes": report.weights_bytes,
        "mixed": mixed_json(report),
        "qat": qat_json(d.qat),
        "directory": str(d.firmware.build.directory),
        "elf": str(d.firmware.build.elf),
        "firmware": sizes_json(d.firmware.build.sizes),  # measured in the ELF; weights include per-channel tables
        "ran": run is not None,
        "bit_exact": run.bit_exact if run is not None else None,
        "vectors": run.vectors if run is not None else 0,
        "mismatches": run.mismatches if run is not None else None,
    }


def print_deployment(d: Deployment, console: Console) -> None:
    report, acc = d.report, d.report.accuracy
    if report.mixed is not None:
        print_mixed(report.mixed, console)
    s = d.firmware.build.sizes
    table = Table("", "", title=f"deployed {terminal(d.model.name)} on {d.fit.board}")
    mixed = report.mixed_accuracy
    if acc.metric == "top1":
        where = "calibration set" if acc.on_calibration else terminal(acc.source.name)
        float_top1, int8_top1 = acc.top1
        table.add_row("accuracy (top-1)", f"float {100 * float_top1:.2f}%, {report.activations} {100 * int8_top1:.2f}%"
                      + (f", mixed {100 * mixed.top1[1]:.2f}%" if mixed else "")
                      + f" on {acc.samples} samples of {where}")
    else:
        table.add_row("MSE vs float", f"{report.activations} {acc.mse:.6g}"
                      + (f", mixed {mixed.squared_error:.6g}" if mixed else ""))
    table.add_row("precision", f"{d.precision}; weights {report.weights_bytes:,} B "
                               f"(budget {d.weight_budget_bytes:,} B)")
    table.add_row("flash", f"{s.flash_bytes:,} B (code {s.code_bytes:,} + weights {s.weights_bytes:,})")
    table.add_row("SRAM", f"{s.ram_bytes:,} B (arena {s.arena_bytes:,} + stack {s.stack_bytes:,} "
                          f"+ other {s.other_ram_bytes:,})")
    if d.run is None:
        table.add_row("bit-exact", "not run: a real board (flash it, then validate it over its serial port)")
    else:
        table.add_row("bit-exact", f"[bold green]yes[/]: {d.run.vectors} evaluation samples vs TensorFlow Lite "
                                   "Micro (a deployment that differs is not installed)")
    table.add_row("model", terminal(str(d.model)))
    table.add_row("firmware", terminal(str(d.firmware.build.elf)))
    console.print(table)
    print_choice(d.choice, console)
    print_qat(d.qat, console)
