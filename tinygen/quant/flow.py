"""The quantise stage as one call: int8 -> (mixed under a budget) -> report -> (int16 activations when int8
loses too much) -> (QAT when PTQ loses too much).

Shared by `tinygen quantize` and `tinygen deploy`. Activations "int8" or
"int16" are taken as asked; "auto" measures the choice: the int8 (or mixed)
model's loss against float (`Accuracy.drop`) within `max_drop` keeps int8;
beyond it the model is quantised again in TensorFlow's 16x8 mode and measured
the same way, and int16 is taken when it loses less, its weights fit the
budget and the caller's `int16_refusal` (which operators tinygen generates in
int16, whether the board still holds the model) has no objection. The choice
and both figures are returned. QAT fine-tunes for int8 activations, so it is
skipped when int16 was chosen. QAT (tinygen/quant/qat.py)
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
from tinygen.quant.convert import FloatModel, convert_float, convert_quantized
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
class ActivationChoice:
    """int8 or int16 activations, measured: `int16` is None when int8 was within `max_drop` (not tried)."""

    chosen: str
    reason: str
    max_drop: float
    int8: Accuracy
    int16: Accuracy | None


@dataclass(frozen=True)
class Quantized:
    report: QuantReport
    blob: bytes  # the model to write: mixed if a budget made filters int4, else int8 or 16x8
    qat: QatResult | None
    choice: ActivationChoice | None = None  # with activations "auto"


ACTIVATION_CHOICES = ("int8", "int16", "auto")
DEFAULT_MAX_DROP = 1.0


@dataclass(frozen=True)
class QuantOptions:
    """`activations`: one of ACTIVATION_CHOICES; `max_drop`: the most `Accuracy.drop` int8 may lose under "auto"
    (top-1 points, or the output error in percent of the output power). A budget's int4 choice is made on
    the int8 model, so forced int16 comes without one (the commands refuse the pair, citing tinygen's kernels)."""

    io: str = "int8"
    budget_bytes: int | None = None
    sqnr_threshold_db: float = 20.0
    max_loss_points: float | None = None
    qat_epochs: int = 3
    activations: str = "int8"
    max_drop: float = DEFAULT_MAX_DROP

    def __post_init__(self) -> None:
        if self.activations == "int16" and self.budget_bytes is not None:
            raise ValueError("a flash budget chooses int4 filters for int8 activations")


def delivered_accuracy(report: QuantReport) -> Accuracy:
    """The written model's: the mixed one's when a budget made filters int4 (QuantReport pairs the two)."""
    return report.mixed_accuracy if report.mixed_accuracy is not None else report.accuracy


def _ptq(model: FloatModel, reference: bytes, calib: Dataset, evaluation: Dataset, on_calibration: bool,
         output: Path, options: QuantOptions, int8_blob: bytes | None, progress: Callable[[], None] | None,
         activations: str = "int8") -> tuple[QuantReport, MixedPlan | None, bytes]:
    """Quantise `model` and report against `reference`, its float conversion (made once by the caller)."""
    if int8_blob is not None and activations == "int8":
        int8 = int8_blob
    else:
        int8 = convert_quantized(model, calib.x, options.io, activations)
    mixed = None
    if options.budget_bytes is not None and activations == "int8":
        mixed = mixed_precision(int8, options.budget_bytes, calib.x, str(model.path), progress)
    report = quant_report(reference, int8, calib.x, evaluation.x, evaluation.y, evaluation.source,
                          on_calibration, output, options.io, options.sqnr_threshold_db, mixed)
    return report, mixed, mixed.blob if mixed is not None else int8


def _no_refusal(blob: bytes) -> str | None:
    return None


def _choose(model: FloatModel, reference: bytes, calib: Dataset, evaluation: Dataset | None, output: Path,
            options: QuantOptions, int8_report: QuantReport, int8_blob: bytes,
            int16_refusal: Callable[[bytes], str | None]) -> tuple[QuantReport, bytes, ActivationChoice]:
    """int8 (the delivered, maybe mixed, model) unless it loses more than `max_drop` and int16 does better."""
    acc8 = delivered_accuracy(int8_report)
    limit = f"--max-accuracy-drop {options.max_drop:g}"
    if acc8.drop <= options.max_drop:
        return int8_report, int8_blob, ActivationChoice(
            "int8", f"int8 loses {acc8.drop_text}, within {limit}", options.max_drop, acc8, None)
    report, _, blob = _ptq(model, reference, calib, evaluation or calib, evaluation is None, output, options, None,
                           None, "int16")
    acc16 = report.accuracy
    figures = f"int8 loses {acc8.drop_text}, over {limit}; int16 loses {acc16.drop_text}"
    weights = report.weights_bytes
    if acc16.drop >= acc8.drop:
        why = "int16 is no better"
    elif options.budget_bytes is not None and weights > options.budget_bytes:
        why = f"int16's weights ({weights:,} B) exceed the {options.budget_bytes:,} B budget"
    else:
        why = int16_refusal(blob) or ""
    if why:
        return int8_report, int8_blob, ActivationChoice("int8", f"{figures}; kept int8: {why}", options.max_drop,
                                                        acc8, acc16)
    return report, blob, ActivationChoice("int16", figures, options.max_drop, acc8, acc16)


def quantize_float(model: FloatModel, calib: Dataset, evaluation: Dataset | None, output: Path,
                   options: QuantOptions, int8_blob: bytes | None = None,
                   progress: Callable[[], None] | None = None,
                   int16_refusal: Callable[[bytes], str | None] = _no_refusal) -> Quantized:
    """`int16_refusal(blob)`: why a 16x8 model cannot be taken under "auto" (None: it can)."""
    data = evaluation or calib
    forced = "int16" if options.activations == "int16" else "int8"
    reference = convert_float(model)
    report, mixed, blob = _ptq(model, reference, calib, data, evaluation is None, output, options, int8_blob,
                               progress, forced)
    choice = None
    if options.activations == "auto":
        report, blob, choice = _choose(model, reference, calib, evaluation, output, options, report, blob,
                                       int16_refusal)
    if options.max_loss_points is None:
        return Quantized(report, blob, None, choice)
    if report.activations == "int16":
        return Quantized(report, blob, QatResult("skipped", "QAT fine-tunes for int8 activations; these are int16",
                                                 options.qat_epochs), choice)
    acc = delivered_accuracy(report)
    if acc.metric != "top1":
        return Quantized(report, blob, QatResult("skipped", "QAT needs labelled data and a class-vector output",
                                                 options.qat_epochs), choice)
    float_top1, before = acc.top1
    loss = acc.drop  # -delta_points
    if loss <= options.max_loss_points:
        return Quantized(report, blob, QatResult("not needed", f"loss {loss:.2f} points is within "
                                                 f"--max-loss {options.max_loss_points:g}", options.qat_epochs,
                                                 before, None), choice)
    graph = parse_tflite(blob, name=output.stem, origin=str(output))
    filters = [graph.tensor(op.inputs[1]) for op in graph.operators if op.opcode in WEIGHT_OPS]  # execution order
    try:
        tuned = finetune(model, calib, [t.elements for t in filters], [4 if t.dtype == "int4" else 8 for t in filters],
                         options.qat_epochs)
    except QatUnsupported as exc:
        return Quantized(report, blob, QatResult("skipped", str(exc), options.qat_epochs, before), choice)
    tuned_report, _, tuned_blob = _ptq(tuned, convert_float(tuned), calib, data, evaluation is None, output, options,
                                       None, progress)
    _, after = delivered_accuracy(tuned_report).top1
    kept = after > before
    qat = QatResult("applied", "", options.qat_epochs, before, after, kept)
    if not kept:
        return Quantized(report, blob, qat, choice)

    def rebase(a: Accuracy) -> Accuracy:  # accuracies stay relative to the user's float model
        return dataclasses.replace(a, float_value=float_top1)

    mixed_acc = tuned_report.mixed_accuracy
    tuned_report = dataclasses.replace(tuned_report, accuracy=rebase(tuned_report.accuracy),
                                       mixed_accuracy=None if mixed_acc is None else rebase(mixed_acc))
    return Quantized(tuned_report, tuned_blob, qat, choice)
