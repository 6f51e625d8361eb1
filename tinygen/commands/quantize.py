"""`tinygen quantize`: a float Keras/SavedModel model to a full-integer int8 .tflite, with what it cost.

Converts with TensorFlow's TFLiteConverter (per-channel int8 weights, calibrated
on --calib), reports float vs int8 accuracy (TensorFlow Lite Micro runs the int8
model) and a per-layer SQNR table (tinygen/quant/report.py documents how float
and int8 tensors are matched). With --flash-budget, filters move to int4 where
the weights need it, least sensitive first (tinygen/quant/mixed.py), and the
mixed model's accuracy is reported beside int8's. OUT is written atomically,
and only once the conversion and the report have succeeded.
"""

from __future__ import annotations

import dataclasses
import math
from pathlib import Path

import click
import numpy as np
from rich.console import Console, JustifyMethod
from rich.table import Table

from tinygen.commands.options import (
    FiniteRange,
    OutputFile,
    data_options,
    emit_json,
    flash_budget_option,
    json_option,
    qat_options,
)
from tinygen.commands.progress import progress_bar
from tinygen.files import write_atomically
from tinygen.quant.convert import IO_TYPES, load_model
from tinygen.quant.data import load_dataset
from tinygen.quant.flow import QatResult, QuantOptions, quantize_float
from tinygen.quant.mixed import MixedPlan
from tinygen.quant.report import LayerSQNR, QuantReport
from tinygen.text import terminal


@click.command()
@click.argument("model", type=click.Path(path_type=Path))
@data_options
@click.option("--output", "-o", required=True, type=OutputFile(), help="The int8 .tflite to write.")
@click.option("--io", type=click.Choice(IO_TYPES), default="int8", show_default=True,
              help="Input/output type: int8, or float (the model quantises and de-quantises itself).")
@flash_budget_option
@qat_options
@click.option("--sqnr-threshold", type=FiniteRange(), default=20.0, show_default=True,
              help="Flag layers whose SQNR (dB) is below this.")
@json_option
def quantize(model: Path, calib: Path, eval_data: Path | None, output: Path, io: str, flash_budget: int | None,
             max_loss: float | None, qat_epochs: int, sqnr_threshold: float, as_json: bool) -> None:
    """Quantise MODEL (.keras/.h5 or a SavedModel folder) to full-integer int8 and report the accuracy cost."""
    float_model = load_model(model)
    calib_set = load_dataset(calib, float_model.input_shape)
    eval_set = load_dataset(eval_data, float_model.input_shape) if eval_data is not None else None
    options = QuantOptions(io, flash_budget, sqnr_threshold, max_loss, qat_epochs)
    with progress_bar("int4 sensitivity per layer", None, enabled=not as_json and flash_budget is not None) as tick:
        done = quantize_float(float_model, calib_set, eval_set if eval_data is not None else None, output, options,
                              progress=tick)
    write_atomically(output, done.blob)
    if as_json:
        emit_json({**report_json(done.report), "qat": qat_json(done.qat)})
    else:
        console = Console()
        print_report(done.report, console)
        print_qat(done.qat, console)


def qat_json(qat: QatResult | None) -> dict | None:
    return None if qat is None else dataclasses.asdict(qat)


def print_qat(qat: QatResult | None, console: Console) -> None:
    if qat is None:
        return
    if qat.status == "applied":
        assert qat.before is not None and qat.after is not None  # quantize_float measures both when it applies QAT
        verdict = "kept" if qat.kept else "not kept (post-training model was as good)"
        console.print(f"QAT ({qat.epochs} epochs): top-1 {100 * qat.before:.2f}% -> {100 * qat.after:.2f}%, {verdict}")
    else:
        console.print(f"QAT {qat.status}: {terminal(qat.reason)}")


def _db(layer: LayerSQNR) -> float | None:
    return layer.sqnr_db if layer.sqnr_db is not None and math.isfinite(layer.sqnr_db) else None


def report_json(report: QuantReport) -> dict:
    acc = report.accuracy
    return {
        "output": str(report.output),
        "io": report.io,
        "metric": acc.metric,
        "float_accuracy": acc.float_value,
        "int8_accuracy": acc.quant_value,
        "delta_points": acc.delta_points,
        "mse": acc.mse,
        "eval_samples": acc.samples,
        "eval_source": str(acc.source),
        "evaluated_on_calibration_set": acc.on_calibration,
        "calibration_samples": report.calibration_samples,
        "weights_bytes": report.weights_bytes,
        "model_bytes": report.model_bytes,
        "sqnr_threshold_db": report.sqnr_threshold_db,
        "layers": [{"index": l.index, "layer": l.layer, "op": l.op, "tensor": l.tensor, "shape": list(l.shape),
                    "status": l.status, "sqnr_db": _db(l), "flagged": l.flagged, "float_tensor": l.float_tensor}
                   for l in report.layers],
        "flagged": [l.layer for l in report.flagged],
        "unmatched": [l.tensor for l in report.unmatched],
        "mixed": mixed_json(report),
    }


def mixed_json(report: QuantReport) -> dict | None:
    """The mixed-precision plan and its accuracy, or None without a flash budget."""
    mixed, acc = report.mixed, report.mixed_accuracy
    if mixed is None or acc is None:
        return None
    return {
        "budget_bytes": mixed.budget_bytes,
        "int8_weight_bytes": mixed.int8_weight_bytes,
        "weight_bytes": mixed.weight_bytes,
        "fits": mixed.weight_bytes <= mixed.budget_bytes,
        "accuracy": acc.quant_value,
        "delta_points": acc.delta_points,
        "mse": acc.mse,
        "sensitivity_samples": mixed.samples,
        "layers": [{"index": l.index, "op": l.opcode, "tensor": l.name, "elements": l.elements, "bits": l.bits,
                    "int8_bytes": l.int8_bytes, "int4_bytes": l.int4_bytes,
                    "sensitivity_db": l.sensitivity_db if mixed.samples and np.isfinite(l.sensitivity_db) else None}
                   for l in mixed.layers],
    }


def print_mixed(mixed: MixedPlan, console: Console) -> None:
    table = Table(title=f"weights: int8 {mixed.int8_weight_bytes:,} B -> mixed {mixed.weight_bytes:,} B "
                        f"(budget {mixed.budget_bytes:,} B)")
    columns: tuple[tuple[str, JustifyMethod], ...] = (
        ("#", "right"), ("op", "left"), ("filter", "left"), ("values", "right"), ("int4 SQNR dB", "right"),
        ("bits", "right"), ("bytes", "right"))
    for column, justify in columns:
        table.add_column(column, justify=justify)
    for l in mixed.layers:
        db = "-" if not mixed.samples else "inf" if not np.isfinite(l.sensitivity_db) else f"{l.sensitivity_db:.1f}"
        table.add_row(str(l.index), terminal(l.opcode), terminal(l.name.split(";")[0]), f"{l.elements:,}", db,
                      "[bold]4[/]" if l.bits == 4 else "8", f"{l.int4_bytes if l.bits == 4 else l.int8_bytes:,}")
    console.print(table)
    if not mixed.samples:
        console.print("int8 weights already fit the budget: no layer needs int4")


def print_report(report: QuantReport, console: Console) -> None:
    table = Table(title=f"{terminal(str(report.output))}: per-layer SQNR over {report.calibration_samples} "
                        "calibration samples")
    columns: tuple[tuple[str, JustifyMethod], ...] = (
        ("#", "right"), ("layer", "left"), ("op", "left"), ("output shape", "left"), ("SQNR dB", "right"),
        ("flag", "left"))
    for column, justify in columns:
        table.add_column(column, justify=justify)
    for layer in report.layers:
        if layer.status == "ok":
            db = f"{layer.sqnr_db:.1f}"
        else:
            db = {"exact": "inf", "no-signal": "-", "unmatched": "-"}[layer.status]
        flag = (f"[bold red]< {report.sqnr_threshold_db:g} dB[/]" if layer.flagged else
                "[yellow]unmatched[/]" if layer.status == "unmatched" else
                "no signal" if layer.status == "no-signal" else "")
        table.add_row(str(layer.index), terminal(layer.layer), terminal(layer.op), "×".join(map(str, layer.shape)), db,
                      flag)
    console.print(table)
    acc = report.accuracy
    where = (f"on the calibration set ({acc.samples} samples; no --eval given)" if acc.on_calibration else
             f"on {terminal(str(acc.source))} ({acc.samples} samples)")
    if acc.metric == "top1":
        float_top1, int8_top1 = acc.top1
        summary = (f"top-1 float {100 * float_top1:.2f}%, int8 {100 * int8_top1:.2f}% "
                   f"(delta {acc.delta_points:+.2f} points)")
    else:
        summary = f"MSE(float, int8 outputs) {acc.mse:.6g}"
    if report.mixed is not None and report.mixed_accuracy is not None:
        print_mixed(report.mixed, console)
        mixed = report.mixed_accuracy
        summary += (f", mixed int8/int4 {100 * mixed.top1[1]:.2f}% (delta {mixed.delta_points:+.2f} points)"
                    if mixed.metric == "top1" else f"; MSE(float, mixed outputs) {mixed.mse:.6g}")
    console.print(f"{summary} {where}; weights {report.weights_bytes:,} bytes, "
                  f"model {report.model_bytes:,} bytes -> {terminal(str(report.output))}")
    if report.flagged:
        console.print(f"[bold red]{len(report.flagged)} layer(s) below {report.sqnr_threshold_db:g} dB SQNR:[/] "
                      + ", ".join(terminal(l.layer) for l in report.flagged))
    if report.unmatched:
        console.print(f"[yellow]{len(report.unmatched)} int8 tensor(s) without a float counterpart (no SQNR):[/] "
                      + ", ".join(terminal(l.tensor) for l in report.unmatched))
