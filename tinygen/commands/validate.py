"""`tinygen validate`: over a board's serial port (or QEMU's emulated UART), prove the firmware computes
what the model computes, bit for bit against TensorFlow Lite Micro, and how many cycles it takes."""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path

import click
from rich.console import Console
from rich.table import Table

from tinygen.boards import Board, load_board
from tinygen.check.choose import choose_schedule
from tinygen.commands.options import (
    DEFAULT_BOARD,
    debug_option,
    emit_json,
    inputs_option,
    json_option,
    model_argument,
    model_or_default,
    output_folder_option,
    random_option,
    schedule_options,
    seed_option,
    timeout_option,
)
from tinygen.commands.progress import progress_bar
from tinygen.commands.verdict import verdict_line
from tinygen.compare import Comparison, OutputCheck, compare
from tinygen.errors import InputError
from tinygen.importers.tflite import load_tflite
from tinygen.lower.program import ModelCode, lower_model
from tinygen.lower.specialise import specialise
from tinygen.lower.support import require_generated
from tinygen.pipeline import build_firmware
from tinygen.plan.schedule import ScheduleOptions
from tinygen.reference import reference_outputs
from tinygen.run.vectors import npz_vectors, random_vectors
from tinygen.text import terminal
from tinygen.validate.emulator import require_emulator
from tinygen.validate.flow import identify, run_vectors
from tinygen.validate.link import open_device
from tinygen.validate.result import Latency, latency
from tinygen.validate.session import DeviceSession, resend_after_s


@click.command()
@model_argument
@click.option("--board", "-b", default=DEFAULT_BOARD, show_default=True,
              help="The board the firmware was built for (name or .toml).")
@click.option("--port", help="Serial device (/dev/ttyACM0, COM3) or pyserial URL (socket://HOST:PORT) of a board "
                             "running tinygen's validation firmware.")
@click.option("--emulate", is_flag=True, help="Build the validation firmware and run it in QEMU, through its UART.")
@random_option
@seed_option
@inputs_option
@output_folder_option("Project folder for --emulate [default: firmware_out/<model>-<board>-uart].")
@timeout_option(10.0, "Seconds one request (an inference included) may take, resends included, before giving up.")
@debug_option
@schedule_options
@json_option
@click.pass_context
def validate(ctx: click.Context, model: Path | None, board: str, port: str | None, emulate: bool, count: int, seed: int,
             inputs: Path | None, output: Path | None, timeout: float, debug: bool, schedule: ScheduleOptions,
             as_json: bool) -> None:
    """Send input vectors to MODEL's firmware on BOARD over serial, compare every output with TensorFlow Lite
    Micro, and report latency (exit 1 if any output differs)."""
    path = model_or_default(model)
    target = load_board(board)
    if bool(port) == emulate:
        raise InputError("give either --port DEVICE_OR_URL (a board running the validation firmware) "
                         "or --emulate (QEMU), not " + ("both" if emulate else "neither"))
    if debug and port:
        raise InputError("--debug builds --emulate's firmware; for a board, build it with `tinygen build --debug`, "
                         "flash it, then validate over --port without --debug")
    if target.console is None:
        raise InputError(f"{target.name}: no [console] table in {target.path.name}, so no UART to validate over; "
                         "pick a board with one (tinygen boards)")
    if emulate:
        require_emulator(target)
        firmware = build_firmware(path, target, output, reuse=True, schedule=schedule, harness="uart",
                                  debug=debug)
        code, directory = firmware.code, str(firmware.build.directory)
    else:
        graph = load_tflite(path)
        require_generated(graph, str(path))
        plan = choose_schedule(graph, target, schedule, str(path)).plan
        code = specialise(lower_model(graph, plan, path), target)
        directory = None
    vectors = npz_vectors(inputs, code.inputs) if inputs else random_vectors(code.inputs, count, seed)
    with open_device(target, firmware.build.elf if emulate else None, port, timeout) as (link, name):
        session = DeviceSession(link, name, timeout, resend_after_s(target.console.baud))
        identity = identify(session, code, path, target.cpu.clock_hz)
        with progress_bar(f"device ({terminal(name)})", len(vectors), enabled=not as_json) as advance:
            runs = run_vectors(session, identity, code, vectors, progress=advance)
    with progress_bar("reference (TFLite Micro)", len(vectors), enabled=not as_json) as advance:
        reference = reference_outputs(path, vectors, len(code.outputs), progress=advance)
    comparison = compare([io.name for io in code.outputs], [run.outputs for run in runs], reference)
    checks, bit_exact = comparison.outputs, comparison.bit_exact
    timing = latency(runs, identity.counter, target.cpu.clock_hz, emulated=emulate)
    if as_json:
        emit_json({
            "model": code.name, "board": target.name, "port": name, "emulated": emulate, "bit_exact": bit_exact,
            "vectors": len(vectors), "first_mismatch": comparison.first_mismatch,
            "stateful": code.stateful, "outputs": [_output_json(check) for check in checks],
            "latency": _latency_json(timing),
            "device": {"model_hash": identity.model_hash, "arena_bytes": identity.arena_bytes,
                       "protocol": identity.version, "build": identity.build},
            "link": {**asdict(session.stats), "vector_restarts": sum(run.restarts for run in runs)},
            "directory": directory,
        })
    else:
        _print(code, target, name, comparison, timing)
    ctx.exit(0 if bit_exact else 1)


def _output_json(check: OutputCheck) -> dict:
    return {"index": check.index, "name": check.name, "bit_exact": check.bit_exact,
            "mismatched_vectors": check.mismatched_vectors, "mismatched_elements": check.mismatched_elements,
            "max_abs_diff": check.max_abs_diff}


def _latency_json(timing: Latency) -> dict:
    return {"counter": timing.counter.name.lower(), "clock_hz": timing.clock_hz, "cycles": timing.summary(),
            "ms": timing.ms(), "per_vector_cycles": list(timing.cycles) or None, "unavailable": timing.unavailable}


def _print(code: ModelCode, board: Board, name: str, comparison: Comparison, timing: Latency) -> None:
    console = Console()
    checks = comparison.outputs
    table = Table("output", "name", "bit-exact", "vectors differing", "elements differing", "max |diff|",
                  title=f"{terminal(code.name)} on {board.name} via {terminal(name)}: {checks[0].vectors} vectors vs "
                        "TensorFlow Lite Micro")
    for check in checks:
        table.add_row(str(check.index), terminal(check.name), "[green]yes[/]" if check.bit_exact else "[red]no[/]",
                      str(check.mismatched_vectors), str(check.mismatched_elements), str(check.max_abs_diff))
    console.print(table)
    cycles, ms = timing.summary(), timing.ms()
    latency_table = Table("latency", "min", "median", "max", title=f"one inference at {timing.clock_hz:,} Hz")
    if cycles is None:
        latency_table.add_row("cycles", "n/a", "n/a", "n/a")
        console.print(latency_table)
        console.print(f"cycles unavailable: {timing.unavailable}")
    else:
        latency_table.add_row(f"cycles ({timing.counter.name})", *(f"{cycles[k]:,}" for k in ("min", "median", "max")))
        if ms is not None:
            latency_table.add_row("ms", *(f"{ms[k]:.3f}" for k in ("min", "median", "max")))
        console.print(latency_table)
    console.print(verdict_line(comparison.bit_exact, comparison.vectors, code.stateful,
                               f"{board.name} over serial", comparison.mismatched_vectors, comparison.first_mismatch,
                               comparison.max_abs_diff))
