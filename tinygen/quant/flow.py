"""The quantise stage as one call: int8 -> (mixed under a budget) -> report -> (QAT when PTQ loses too much).

Shared by `tinygen quantize` and `tinygen deploy`. QAT (tinygen/quant/qat.py)
runs only when `max_loss` is given and the delivered model's top-1 drops by
more than that many points; its model is kept only if it measures better on
the evaluation data, and both figures are reported either way. After QAT the
per-layer SQNR is measured against the fine-tuned float model (the one the
int8 model now approximates); accuracies stay relative to the user's model.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from tinygen.importers.tflite import parse_tflite
from tinygen.quant.convert import FloatModel, convert_float, convert_int8
from tinygen.quant.data import Dataset
from tinygen.quant.mixed import MixedPlan, mixed_precision
from tinygen.quant.qat import QatUnsupported, finetune
from tinygen.quant.report import Accuracy, QuantReport, quant_report
from tinygen.quant.rewrite import WEIGHT_OPS


@dataclass(frozen=True)
class QatResult:
    """`status`: "applied" (fine-tuned and measured), "skipped" (`reason` says why) or "not needed"."""

    status: str
    reason: str
    epochs: int
    before: float | None = None  # delivered model's top-1 after PTQ
    after: float | None = None  # the same after QAT
    kept: bool = False


@dataclass(frozen=True)
class Quantized:
    report: QuantReport
    blob: bytes  # the model to write: mixed if a budget made filters int4, else int8
    qat: QatResult | None


@dataclass(frozen=True)
class QuantOptions:
    io: str = "int8"
    budget_bytes: int | None = None
    sqnr_threshold_db: float = 20.0
    max_loss_points: float | None = None
    qat_epochs: int = 3


def delivered_accuracy(report: QuantReport) -> Accuracy:
    """The written model's: the mixed one's when a budget made filters int4 (QuantReport pairs the two)."""
    return report.mixed_accuracy if report.mixed_accuracy is not None else report.accuracy


def _ptq(model: FloatModel, calib: Dataset, evaluation: Dataset, on_calibration: bool, output: Path,
         options: QuantOptions, int8_blob: bytes | None,
         progress: Callable[[], None] | None) -> tuple[QuantReport, MixedPlan | None, bytes]:
    int8 = int8_blob if int8_blob is not None else convert_int8(model, calib.x, options.io)
    mixed = None
    if options.budget_bytes is not None:
        mixed = mixed_precision(int8, options.budget_bytes, calib.x, str(model.path), progress)
    report = quant_report(convert_float(model), int8, calib.x, evaluation.x, evaluation.y, evaluation.source,
                          on_calibration, output, options.io, options.sqnr_threshold_db, mixed)
    return report, mixed, mixed.blob if mixed is not None else int8


def quantize_float(model: FloatModel, calib: Dataset, evaluation: Dataset | None, output: Path,
                   options: QuantOptions, int8_blob: bytes | None = None,
                   progress: Callable[[], None] | None = None) -> Quantized:
    data = evaluation or calib
    report, mixed, blob = _ptq(model, calib, data, evaluation is None, output, options, int8_blob, progress)
    if options.max_loss_points is None:
        return Quantized(report, blob, None)
    acc = delivered_accuracy(report)
    if acc.metric != "top1":
        return Quantized(report, blob, QatResult("skipped", "QAT needs labelled data and a class-vector output",
                                                 options.qat_epochs))
    float_top1, before = acc.top1
    loss = 100.0 * (float_top1 - before)  # -delta_points
    if loss <= options.max_loss_points:
        return Quantized(report, blob, QatResult("not needed", f"loss {loss:.2f} points is within "
                                                 f"--max-loss {options.max_loss_points:g}", options.qat_epochs,
                                                 before, None))
    graph = parse_tflite(blob, name=output.stem, origin=str(output))
    filters = [graph.tensor(op.inputs[1]) for op in graph.operators if op.opcode in WEIGHT_OPS]  # execution order
    try:
        tuned = finetune(model, calib, [t.elements for t in filters], [4 if t.dtype == "int4" else 8 for t in filters],
                         options.qat_epochs)
    except QatUnsupported as exc:
        return Quantized(report, blob, QatResult("skipped", str(exc), options.qat_epochs, before))
    tuned_report, _, tuned_blob = _ptq(tuned, calib, data, evaluation is None, output, options, None, progress)
    _, after = delivered_accuracy(tuned_report).top1
    kept = after > before
    qat = QatResult("applied", "", options.qat_epochs, before, after, kept)
    if not kept:
        return Quantized(report, blob, qat)

    def rebase(a: Accuracy) -> Accuracy:  # accuracies stay relative to the user's float model
        return dataclasses.replace(a, float_value=float_top1)

    mixed_acc = tuned_report.mixed_accuracy
    tuned_report = dataclasses.replace(tuned_report, accuracy=rebase(tuned_report.accuracy),
                                       mixed_accuracy=None if mixed_acc is None else rebase(mixed_acc))
    return Quantized(tuned_report, tuned_blob, qat)
