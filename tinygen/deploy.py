"""The one-shot path: float model + data + board -> quantised model, built firmware, checked bit-exact.

quantize (int8; mixed int8/int4 when the board's flash needs it; int16
activations when int8 loses too much, tinygen/quant/flow.py) -> plan -> check ->
build -> run. int16 is taken only when tinygen generates every operator in
int16 and the 16x8 model, whose activations take twice the arena, still fits
the board: the fit check runs on the model chosen. The weight budget is what the board's weights region
holds once everything else `check` places there (code estimate, ...) and the
generated requantisation tables are taken: int8 is kept when it fits, otherwise filters go int4 (tinygen/quant/mixed.py)
until it does. The firmware runs the first evaluation samples (real inputs,
quantised as the model's input wants them) in QEMU or on the host and is
compared with TensorFlow Lite Micro; a real board is built but not run (flash
it and validate over its serial port).

Output folder: `<stem>_int8.tflite` (or `_mixed`, `_int16`), `firmware/` (the C project
and ELF) and the stamp `tinygen-deploy.json`. Model and firmware are made in a
staging folder and swapped in together only when the build succeeded and the
firmware ran bit-exact (tinygen/files.py): a failed or interrupted deploy
leaves an earlier one exactly as it was. Like `build -o`, `deploy -o` takes
only a new, an empty or a tinygen deployment folder.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from tinygen.boards import Board
from tinygen.check.choose import choose_schedule
from tinygen.check.fit import FitReport, fit_report
from tinygen.errors import TinygenError
from tinygen.files import check_output_folder, staged_folder, swap_in
from tinygen.importers.tflite import parse_tflite
from tinygen.ir.graph import Graph
from tinygen.lower.support import missing_kernels
from tinygen.pipeline import Firmware, RunResult, build_firmware, run_firmware
from tinygen.plan.schedule import ScheduleOptions
from tinygen.quant.convert import convert_quantized, load_model
from tinygen.quant.data import Dataset
from tinygen.quant.flow import DEFAULT_MAX_DROP, ActivationChoice, QatResult, QuantOptions, quantize_float
from tinygen.quant.mixed import min_weight_bytes
from tinygen.quant.report import QuantReport
from tinygen.quant.values import quantize_input

STAMP = "tinygen-deploy.json"
FIRMWARE = "firmware"


@dataclass(frozen=True)
class Deployment:
    model: Path  # the quantised .tflite, in the output folder
    report: QuantReport
    weight_budget_bytes: int
    fit: FitReport  # check's estimate, before the build
    firmware: Firmware
    run: RunResult | None  # None on a real board
    qat: QatResult | None = None
    choice: ActivationChoice | None = None

    @property
    def precision(self) -> str:
        if self.report.activations == "int16":
            return "int16 activations"
        return "mixed int8/int4" if self.report.mixed is not None and self.report.mixed.int4_layers else "int8"


def weight_budget(report: FitReport, graph: Graph) -> int:
    """Bytes the model's constants (`Graph.weight_bytes`, what the int4 choice counts) may take: the weights
    region's capacity minus its other occupants, and minus the requantisation tables the generated code keeps
    beside the weights (check's figure less the model's; one entry per channel, the same in int8 and int4)."""
    tables = report.weight_bytes - graph.weight_bytes
    for region in report.regions:
        if any(label == "weights" for label, _ in region.items):
            others = sum(size for label, size in region.items if label != "weights")
            return region.capacity_bytes - others - tables
    raise ValueError("the fit report places no weights")


def _fit(graph: Graph, board: Board, schedule: ScheduleOptions) -> FitReport:
    return fit_report(graph, choose_schedule(graph, board, schedule, graph.name), board)


def _int16_refusal(board: Board, schedule: ScheduleOptions, int8_fit: FitReport) -> Callable[[bytes], str | None]:
    """Why the 16x8 model cannot be deployed on `board` (None: it can): a missing kernel, or it does not fit."""
    def refusal(blob: bytes) -> str | None:
        graph = parse_tflite(blob, name="int16", origin="the 16x8 model")
        missing = missing_kernels(graph)
        if missing is not None:
            return missing
        fit = _fit(graph, board, schedule)
        full = [r.region for r in fit.regions if not r.fits]
        if full:
            return (f"it does not fit {board.name} ({', '.join(full)} full; arena {fit.arena_bytes:,} B against "
                    f"int8's {int8_fit.arena_bytes:,} B)")
        return None
    return refusal


def deploy(model: Path, calib: Dataset, evaluation: Dataset | None, board: Board, output: Path, vectors: int,
           schedule: ScheduleOptions, flash_budget: int | None = None, timeout_s: float = 300.0,
           max_loss_points: float | None = None, qat_epochs: int = 3,
           on_stage: Callable[[str], None] = lambda text: None, activations: str = "auto",
           max_drop: float = DEFAULT_MAX_DROP) -> Deployment:
    """`evaluation` None: accuracy is measured on the calibration set (and said so); `on_stage(text)` is told
    what runs now; `activations`/`max_drop` as QuantOptions takes them."""
    check_output_folder(output, STAMP)  # before the minutes of work it would receive
    float_model = load_model(model)
    on_stage("quantising to int8")
    int8_blob = convert_quantized(float_model, calib.x)
    int8_graph = parse_tflite(int8_blob, name=model.stem, origin=str(model))
    int8_fit = _fit(int8_graph, board, schedule)
    budget = flash_budget if flash_budget is not None else weight_budget(int8_fit, int8_graph)
    needs_int4 = int8_graph.weight_bytes > budget
    if needs_int4 and activations == "int16":
        raise TinygenError(f"{model}: --activations int16: the weights ({int8_graph.weight_bytes:,} B in int8) "
                           f"exceed the {budget:,} B budget and tinygen generates int4 filters only with int8 "
                           "activations; use --activations auto or int8")
    if needs_int4:
        floor = min_weight_bytes(int8_graph)
        if floor > budget:
            where = "--flash-budget" if flash_budget is not None else f"{board.name}'s flash (after code)"
            raise TinygenError(f"{model}: does not fit: weights need {floor:,} B even with every filter in int4, "
                               f"{where} leaves {budget:,} B; use a board with more flash or a smaller model")
        on_stage(f"choosing int4 layers (weights {int8_graph.weight_bytes:,} B > {budget:,} B), measuring accuracy")
    else:
        on_stage("measuring accuracy and per-layer SQNR")
    options = QuantOptions(budget_bytes=budget if needs_int4 else None, max_loss_points=max_loss_points,
                           qat_epochs=qat_epochs, activations=activations, max_drop=max_drop)
    refusal = _int16_refusal(board, schedule, int8_fit)
    quantized = quantize_float(float_model, calib, evaluation, output / model.name, options,
                               int8_blob=int8_blob, int16_refusal=refusal)
    blob, data = quantized.blob, evaluation or calib
    int16 = quantized.report.activations == "int16"
    if int16 and activations == "int16" and (why := refusal(blob)):
        raise TinygenError(f"{model}: --activations int16: {why}; use --activations auto or int8")
    final = output / f"{model.stem}_{'int16' if int16 else 'mixed' if needs_int4 else 'int8'}.tflite"
    report = dataclasses.replace(quantized.report, output=final)
    if blob == int8_blob:
        fit = int8_fit
    else:
        fit = _fit(parse_tflite(blob, name=final.stem, origin=final.stem), board, schedule)
    with staged_folder(output) as staging:
        staged = staging / final.name  # the final name: the graph and the C are named after it
        staged.write_bytes(blob)
        on_stage(f"building for {board.name}")
        firmware = build_firmware(staged, board, staging / FIRMWARE, schedule=schedule)
        on_stage(f"running {min(vectors, len(data))} samples on {board.name}")
        result = _run(firmware, staged, board, data, vectors, timeout_s)
        if result is not None and not result.bit_exact:
            raise TinygenError(f"{final.name}: the firmware differs from TensorFlow Lite Micro on "
                               f"{result.mismatches} of {result.vectors} samples, so it was not installed "
                               f"(any earlier deployment in {output} is as it was); please report this with the "
                               "model")
        (staging / STAMP).write_text(json.dumps({"model": final.name, "board": board.name}, indent=2))
        swap_in(staging, output)
    firmware = _moved(firmware, output / FIRMWARE)
    return Deployment(final, report, budget, fit, firmware, result, quantized.qat, quantized.choice)


def _moved(firmware: Firmware, directory: Path) -> Firmware:
    """`firmware` as it is once its folder was swapped into the deployment folder."""
    build = dataclasses.replace(firmware.build, directory=directory.resolve(),
                                elf=directory.resolve() / firmware.build.elf.name)
    return dataclasses.replace(firmware, build=build)


def _run(firmware: Firmware, model: Path, board: Board, data: Dataset, vectors: int,
         timeout_s: float) -> RunResult | None:
    """The first `vectors` samples through the firmware and TFLite Micro; None on a real board."""
    if board.cpu.core != "host" and not board.emulated:
        return None
    inp = firmware.graph.tensor(firmware.graph.inputs[0])
    samples = [[quantize_input(x[None], np.dtype(inp.dtype), inp.quant)] for x in data.x[:vectors]]
    return run_firmware(firmware, model, board, samples, timeout_s)
