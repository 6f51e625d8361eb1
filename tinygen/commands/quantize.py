"""`tinygen quantize`: a float Keras/SavedModel model to a full-integer int8 .tflite, with what it cost.

Converts with TensorFlow's TFLiteConverter (per-channel int8 weights, calibrated
on --calib), reports float vs int8 accuracy (TensorFlow Lite Micro runs the int8
model) and a per-layer SQNR table (tinygen/quant/report.py documents how float
and int8 tensors are matched). OUT is written atomically, and only once the
conversion and the report have succeeded.
"""

from __future__ import annotations

import math
import os
import tempfile
from pathlib import Path

import click
from rich.console import Console
from rich.table import Table

from tinygen.commands.options import emit_json, json_option
from tinygen.errors import InputError
from tinygen.quant.convert import IO_TYPES, convert_float, convert_int8, load_model
from tinygen.quant.data import load_dataset
from tinygen.quant.report import LayerSQNR, QuantReport, quant_report


@click.command()
@click.argument("model", type=click.Path(path_type=Path))
@click.option("--calib", required=True, type=click.Path(path_type=Path),
              help="Calibration data: .npz with x (and y), or a folder with one sub-folder of images per class.")
@click.option("--eval", "eval_data", type=click.Path(path_type=Path),
              help="Evaluation data (same formats); default: the calibration set.")
@click.option("--output", "-o", required=True, type=click.Path(path_type=Path), help="The int8 .tflite to write.")
@click.option("--io", type=click.Choice(IO_TYPES), default="int8", show_default=True,
              help="Input/output type: int8, or float (the model quantises and de-quantises itself).")
@click.option("--sqnr-threshold", type=float, default=20.0, show_default=True,
              help="Flag layers whose SQNR (dB) is below this.")
@json_option
def quantize(model: Path, calib: Path, eval_data: Path | None, output: Path, io: str, sqnr_threshold: float,
             as_json: bool) -> None:
    """Quantise MODEL (.keras/.h5 or a SavedModel folder) to full-integer int8 and report the accuracy cost."""
    _check_output(output)
    float_model = load_model(model)
    calib_set = load_dataset(calib, float_model.input_shape)
    eval_set = load_dataset(eval_data, float_model.input_shape) if eval_data is not None else calib_set
    int8_blob = convert_int8(float_model, calib_set.x, io)
    float_blob = convert_float(float_model)
    report = quant_report(float_blob, int8_blob, calib_set.x, eval_set.x, eval_set.y, eval_set.source,
                          eval_data is None, output, io, sqnr_threshold)
    _write_atomically(output, int8_blob)
    if as_json:
        emit_json(report_json(report))
    else:
        print_report(report, Console())


def _check_output(output: Path) -> None:
    if output.is_dir():
        raise InputError(f"{output}: is a directory; pass -o path/to/model_int8.tflite")
    if not output.parent.is_dir():
        raise InputError(f"{output}: folder {output.parent} does not exist; create it or pick another -o path")


def _write_atomically(output: Path, blob: bytes) -> None:
    """A temporary file beside OUT, then os.replace: readers never see a half-written model."""
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{output.name}.", suffix=".tmp", dir=output.parent)
    except OSError as exc:
        raise InputError(f"{output}: cannot write ({exc.strerror}); check the folder's permissions") from None
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(blob)
        os.replace(tmp, output)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise InputError(f"{output}: cannot write ({exc.strerror}); check the path and free space") from None


def _db(layer: LayerSQNR) -> float | None:
    return layer.sqnr_db if layer.sqnr_db is not None and math.isfinite(layer.sqnr_db) else None


def report_json(report: QuantReport) -> dict:
    acc = report.accuracy
    return {
        "output": str(report.output),
        "io": report.io,
        "metric": acc.metric,
        "float_accuracy": acc.float_value,
        "int8_accuracy": acc.int8_value,
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
    }


def print_report(report: QuantReport, console: Console) -> None:
    table = Table(title=f"{report.output}: per-layer SQNR over {report.calibration_samples} calibration samples")
    for column, justify in (("#", "right"), ("layer", "left"), ("op", "left"), ("output shape", "left"),
                            ("SQNR dB", "right"), ("flag", "left")):
        table.add_column(column, justify=justify)
    for layer in report.layers:
        if layer.status == "ok":
            db = f"{layer.sqnr_db:.1f}"
        else:
            db = {"exact": "inf", "no-signal": "-", "unmatched": "-"}[layer.status]
        flag = (f"[bold red]< {report.sqnr_threshold_db:g} dB[/]" if layer.flagged else
                "[yellow]unmatched[/]" if layer.status == "unmatched" else
                "no signal" if layer.status == "no-signal" else "")
        table.add_row(str(layer.index), layer.layer, layer.op, "×".join(map(str, layer.shape)), db, flag)
    console.print(table)
    acc = report.accuracy
    where = (f"on the calibration set ({acc.samples} samples; no --eval given)" if acc.on_calibration else
             f"on {acc.source} ({acc.samples} samples)")
    if acc.metric == "top1":
        summary = (f"top-1 float {100 * acc.float_value:.2f}%, int8 {100 * acc.int8_value:.2f}% "
                   f"(delta {acc.delta_points:+.2f} points)")
    else:
        summary = f"MSE(float, int8 outputs) {acc.mse:.6g}"
    console.print(f"{summary} {where}; weights {report.weights_bytes:,} bytes, "
                  f"model {report.model_bytes:,} bytes -> {report.output}")
    if report.flagged:
        console.print(f"[bold red]{len(report.flagged)} layer(s) below {report.sqnr_threshold_db:g} dB SQNR:[/] "
                      + ", ".join(l.layer for l in report.flagged))
    if report.unmatched:
        console.print(f"[yellow]{len(report.unmatched)} int8 tensor(s) without a float counterpart (no SQNR):[/] "
                      + ", ".join(l.tensor for l in report.unmatched))
