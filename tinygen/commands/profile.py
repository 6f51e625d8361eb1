"""`tinygen profile`: where one inference spends its time, layer by layer.

On an emulated board, instructions counted exactly in QEMU: a profile build calls
a marker function between steps, and a QEMU TCG plugin
(templates/profile/tg_insn_plugin.c) counts every executed guest instruction and
records the count at each marker call (tinygen/profile/). Deterministic: the same
firmware and input give the same counts on every run. On a board (--port), cycles:
the profile build with the UART harness reads the cycle counter at each marker and
sends the steps' cycles over the serial link (tinygen/profile/device.py).
"""

from __future__ import annotations

import io
import json
from pathlib import Path

import click
from rich.console import Console
from rich.table import Table

from tinygen.boards import Board, load_board
from tinygen.check.render import REPORT_WIDTH
from tinygen.commands.options import (
    DEFAULT_BOARD,
    OutputFile,
    emit_json,
    json_option,
    model_argument,
    model_or_default,
    output_folder_option,
    schedule_options,
    timeout_option,
)
from tinygen.errors import InputError
from tinygen.files import write_atomically
from tinygen.plan.schedule import ScheduleOptions
from tinygen.profile.measure import Profile
from tinygen.text import terminal


@click.command()
@model_argument
@click.option("--board", "-b", default=DEFAULT_BOARD, show_default=True,
              help="Emulated board, or with --port a real one (name or .toml).")
@click.option("--plot", type=OutputFile(),
              help="Write a bar chart of instructions (or cycles) per layer (.png/.svg/.pdf).")
@output_folder_option("Profile build's project folder.")
@click.option("--port", help="Serial device or pyserial URL of a board running the profile build (built into "
                             "--output; flash it with `tinygen flash DIR`): cycles per layer instead of QEMU's "
                             "instructions.")
@timeout_option(600.0, "Seconds before the run is abandoned.")
@schedule_options
@json_option
def profile(model: Path | None, board: str, plot: Path | None, output: Path | None, port: str | None,
            timeout: float, schedule: ScheduleOptions, as_json: bool) -> None:
    """Count the instructions each layer of MODEL executes per inference on an emulated BOARD, or with --port the
    cycles it takes on the board."""
    path = model_or_default(model)
    target = load_board(board)
    if target.cpu.core == "host":
        raise InputError("--board host: instruction counts come from QEMU's Cortex-M machines; pick an emulated "
                         "board (tinygen boards), e.g. mps2-an386")
    if target.qemu is None and port is None:
        raise InputError(f"{target.name}: a real board; give --port with the profile build flashed (cycles per "
                         "layer), or profile on its emulated counterpart (e.g. mps2-an386 for a Cortex-M4)")
    if port is not None and target.console is None:
        raise InputError(f"{target.name}: no [console] table in {target.path.name}, so no UART to profile over; "
                         "pick a board with one (tinygen boards)")
    if plot is not None and plot.suffix.lower() not in (".png", ".svg", ".pdf"):
        raise InputError(f"--plot {plot}: unknown image format '{plot.suffix}'; use .png, .svg or .pdf")
    result = _on_device(path, target, output, port, schedule) if port else _in_qemu(path, target, output, schedule,
                                                                                        timeout)
    if plot is not None:
        from tinygen.profile.plot import plot_profile

        plot_profile(result, plot)
    record_profile(result)
    if as_json:
        emit_json(profile_json(result))
    else:
        print_profile(result, Console())


def record_profile(p: Profile) -> None:
    """The profile build's report files gain what was measured: report.json a `profile` object (profile
    --json's payload, per step), report.txt the profile table; each file replaced whole. A folder without
    report files (built by an older tinygen) is left as it is."""
    folder = p.elf.parent
    report = folder / "report.json"
    if not report.is_file():
        return
    data = json.loads(report.read_text())
    data["profile"] = profile_json(p)
    write_atomically(report, (json.dumps(data, indent=2) + "\n").encode())
    text = folder / "report.txt"
    if text.is_file():
        out = io.StringIO()
        print_profile(p, Console(file=out, width=REPORT_WIDTH, color_system=None, force_terminal=False))
        lines = [PROFILED, *(line.rstrip() for line in out.getvalue().splitlines())]
        built = text.read_text().split(PROFILED + "\n")[0]  # a reused build: the last profile replaces the one before
        write_atomically(text, (built + "\n".join(lines) + "\n").encode())


PROFILED = "measured by tinygen profile:"  # report.txt's line before the profile table


def _in_qemu(path: Path, board: Board, output: Path | None, schedule: ScheduleOptions, timeout: float) -> Profile:
    from tinygen.profile.measure import profile_model

    return profile_model(path, board, output, schedule, timeout)


def _on_device(path: Path, board: Board, output: Path | None, port: str, schedule: ScheduleOptions) -> Profile:
    from tinygen.pipeline import build_firmware
    from tinygen.profile.device import profile_device
    from tinygen.validate.link import open_device
    from tinygen.validate.session import DeviceSession, resend_after_s

    assert board.console is not None  # profile() refuses --port for a board without one
    firmware = build_firmware(path, board, output, reuse=True, schedule=schedule, harness="uart", profile=True)
    with open_device(board, None, port, REQUEST_TIMEOUT_S) as (link, name):
        session = DeviceSession(link, name, REQUEST_TIMEOUT_S, resend_after_s(board.console.baud))
        return profile_device(session, firmware, path, board)


REQUEST_TIMEOUT_S = 10.0  # one request, an inference included, as `tinygen validate`'s default


def profile_json(p: Profile) -> dict:
    total, unit, one = p.per_inference, p.unit, p.unit[:-1]
    payload = {
        "model": p.model, "board": p.board, "unit": unit, f"{unit}_per_inference": total, "macs": p.macs,
        f"macs_per_{one}": p.macs / total if total else 0.0, f"marker_{unit}": p.marker_count, "elf": str(p.elf),
        "layers": [{"step": i, "layers": list(s.layers), "op": s.op, "kernel": s.kernel, "kernels": list(s.kernels),
                    "macs": s.macs, unit: s.count,
                    "output_bytes": s.output_bytes, f"macs_per_{one}": s.macs_per_count,
                    "share": s.count / total if total else 0.0}
                   for i, s in enumerate(p.steps)],
    }
    if p.clock_hz:
        payload.update(clock_hz=p.clock_hz, ms_per_inference=1e3 * total / p.clock_hz)
    return payload


def print_profile(p: Profile, console: Console) -> None:
    total, unit = p.per_inference, p.unit
    how = "QEMU, exact" if p.clock_hz is None else f"on the board at {p.clock_hz / 1e6:g} MHz"
    table = Table(title=f"{terminal(p.model)} on {p.board}: {unit} per inference ({how})")
    for column in ("#", "layer", "op", "MACs", unit, f"MACs/{unit[:5]}", "share"):
        table.add_column(column, justify="left" if column in ("layer", "op") else "right")
    for i, s in enumerate(p.steps):
        layers = ",".join(map(str, s.layers))
        table.add_row(str(i), layers, terminal(s.op), f"{s.macs:,}", f"{s.count:,}", f"{s.macs_per_count:.3f}",
                      f"{100 * s.count / total:.1f}%")
    table.add_row("", "[bold]total", "", f"[bold]{p.macs:,}", f"[bold]{total:,}",
                  f"[bold]{p.macs / total:.3f}", "100%")
    console.print(table)
    if p.clock_hz:
        console.print(f"{1e3 * total / p.clock_hz:.3f} ms per inference at {p.clock_hz / 1e6:g} MHz")
