"""What quantisation cost: float vs quantised accuracy, and the signal-to-quantisation-noise ratio per layer.

The quantised model has int8 or int16 activations (TensorFlow's 16x8 mode); "int8" below stands for either.

With a mixed int8/int4 model (tinygen/quant/mixed.py) the report also gives
float vs mixed accuracy, and the per-layer SQNR is that of the mixed model,
the one written and deployed.

Accuracy: the float model is the float32 .tflite converted from the same graph
(run with TFLite's interpreter); the int8 model runs in TensorFlow Lite Micro,
the project's reference (tinygen/reference.py): float inputs are quantised
with the input tensor's scale and zero point, int8 outputs de-quantised. The
metric is top-1 accuracy when labels are given and the output is a class
vector, otherwise the mean squared error between the two models' outputs.
What the quantised model lost (`Accuracy.drop`, what the activation choice in
tinygen/quant/flow.py compares with its threshold): top-1 points, or, for the
mean squared error, that error as a percent of the float outputs' mean power
(1 % is an output SQNR of 20 dB).

Per-layer SQNR: both models run in TFLite's interpreter with
experimental_preserve_all_tensors (no delegates), one calibration sample at a
time; for every operator of the int8 model whose output is int8, the float
activation f and the de-quantised int8 (or int16) activation q are accumulated over the
set, SQNR = 10·log10(Σf² / Σ(f−q)²) dB.

Matching rule (int8 tensor -> float tensor):
1. By position. Drop from the int8 model the QUANTIZE ops that read a graph
   input and the DEQUANTIZE ops that write a graph output (what `--io float`
   adds). If the remaining opcode sequence equals the float model's, the k-th
   operator's outputs pair with the float model's k-th operator's outputs, and
   an input QUANTIZE's output pairs with the float graph input it quantises.
2. Otherwise by name: the output tensor names are equal, or equal after
   stripping TensorFlow's quantisation suffixes (`_int8`, `_quantized`,
   `/quantize`, `_dequantize`) and, for a name ending in `:<digits>`, the
   trailing digit the converter appends to the renamed int8 twin.
A pair also needs equal shapes. Every int8 output left without a partner is
reported with status "unmatched" (no SQNR), never silently dropped.
"""

from __future__ import annotations

import math
import re
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from tinygen.importers.tflite import parse_tflite
from tinygen.ir.graph import Graph, Tensor
from tinygen.quant.convert import is_float_io, tensorflow
from tinygen.quant.mixed import MixedPlan
from tinygen.quant.values import dequantize, quantize_input
from tinygen.reference import reference_outputs

_SUFFIXES = ("_int8", "_quantized", "/quantize", "_dequantize")


@dataclass(frozen=True)
class Accuracy:
    """Float model vs one quantised model (int8, or mixed int8/int4).

    `metric` "top1": `float_value`/`quant_value` are fractions in [0, 1]; "mse": `mse` and `float_power` (the
    float outputs' mean square) are set, the values are None.
    """

    metric: str
    float_value: float | None
    quant_value: float | None
    mse: float | None
    samples: int
    source: Path
    on_calibration: bool
    float_power: float | None = None

    @property
    def drop(self) -> float:
        """What quantisation lost: top-1 points, or the mean squared error in percent of the float outputs' power."""
        if self.metric == "top1":
            float_top1, quant_top1 = self.top1
            return 100.0 * (float_top1 - quant_top1)
        return 100.0 * self.squared_error / (self.float_power or 1.0)

    @property
    def drop_text(self) -> str:
        return f"{self.drop:.2f} top-1 points" if self.metric == "top1" else f"{self.drop:.3g} % of the output power"

    @property
    def delta_points(self) -> float | None:
        if self.float_value is None or self.quant_value is None:
            return None
        return 100.0 * (self.quant_value - self.float_value)

    @property
    def top1(self) -> tuple[float, float]:
        """(float, quantised) top-1 fractions, for code that has checked the metric is "top1"."""
        if self.float_value is None or self.quant_value is None:
            raise ValueError(f"an accuracy measured as {self.metric} has no top-1 values")
        return self.float_value, self.quant_value

    @property
    def squared_error(self) -> float:
        """`mse`, for code that has checked the metric is "mse"."""
        if self.mse is None:
            raise ValueError(f"an accuracy measured as {self.metric} has no mean squared error")
        return self.mse


def _accuracy_from(f: np.ndarray, q: np.ndarray, y: np.ndarray | None, source: Path, on_calibration: bool) -> Accuracy:
    classes = f.reshape(len(f), -1).shape[1]
    if y is not None and classes > 1 and f.ndim == 2:
        top1_f = float(np.mean(np.argmax(f, axis=1) == y))
        top1_q = float(np.mean(np.argmax(q, axis=1) == y))
        return Accuracy("top1", top1_f, top1_q, None, len(f), source, on_calibration)
    return Accuracy("mse", None, None, float(np.mean((f - q) ** 2)), len(f), source, on_calibration,
                    float(np.mean(f ** 2)))


@dataclass(frozen=True)
class LayerSQNR:
    """One int8 or int16 operator output. `status`: ok, exact (no noise), no-signal (Σf² = 0) or unmatched."""

    index: int
    op: str
    tensor: str
    shape: tuple[int, ...]
    status: str
    sqnr_db: float | None
    float_tensor: str | None
    flagged: bool

    @property
    def layer(self) -> str:
        """The tensor name's first component (TFLite joins fused ops' names with ';'), minus the model's scope."""
        parts = self.tensor.split(";")[0].split("/")
        return "/".join(parts[1:] if len(parts) >= 3 else parts)


@dataclass(frozen=True)
class QuantReport:
    """`accuracy`: float vs the quantised model (`activations` int8 or int16); with a flash budget, `mixed` is the
    chosen int8/int4 model and `mixed_accuracy` float vs it. `layers` (SQNR) and the byte counts describe the model
    written to `output`."""

    output: Path
    io: str
    activations: str
    accuracy: Accuracy
    layers: tuple[LayerSQNR, ...]
    sqnr_threshold_db: float
    calibration_samples: int
    weights_bytes: int
    model_bytes: int
    mixed: MixedPlan | None = None
    mixed_accuracy: Accuracy | None = None

    def __post_init__(self) -> None:
        if (self.mixed is None) != (self.mixed_accuracy is None):
            raise ValueError("a mixed-precision plan and its accuracy come together")

    @property
    def flagged(self) -> tuple[LayerSQNR, ...]:
        return tuple(layer for layer in self.layers if layer.flagged)

    @property
    def unmatched(self) -> tuple[LayerSQNR, ...]:
        return tuple(layer for layer in self.layers if layer.status == "unmatched")


# --- running the models ------------------------------------------------------------------------------------------


def _tflite_interpreter(blob: bytes) -> Any:
    tf = tensorflow()
    with warnings.catch_warnings():  # deprecation and "debugging only" notices
        warnings.simplefilter("ignore")
        interpreter = tf.lite.Interpreter(
            model_content=blob, experimental_preserve_all_tensors=True,
            experimental_op_resolver_type=tf.lite.experimental.OpResolverType.BUILTIN_WITHOUT_DEFAULT_DELEGATES)
    interpreter.allocate_tensors()
    return interpreter


def float_outputs(interpreter: Any, x: np.ndarray) -> np.ndarray:
    """The float .tflite's first output per sample (`interpreter` runs it): (N, *output_shape[1:])."""
    inp, out = interpreter.get_input_details()[0], interpreter.get_output_details()[0]
    results = []
    for sample in x:
        interpreter.set_tensor(inp["index"], sample[None].astype(np.float32))
        interpreter.invoke()
        results.append(interpreter.get_tensor(out["index"])[0].astype(np.float64))
    return np.stack(results)


def quantized_outputs(blob: bytes, graph: Graph, x: np.ndarray) -> np.ndarray:
    """The quantised model's first output per sample in TensorFlow Lite Micro, de-quantised: (N, *output_shape[1:])."""
    inp, out = graph.tensor(graph.inputs[0]), graph.tensor(graph.outputs[0])
    vectors = [[quantize_input(sample[None], np.dtype(inp.dtype), inp.quant)] for sample in x]
    return np.stack([dequantize(outputs[0], out.quant)[0] for outputs in reference_outputs(blob, vectors, 1)])




# --- per-layer SQNR ----------------------------------------------------------------------------------------------


def _strip(name: str) -> str:
    changed = True
    while changed:
        changed = False
        for suffix in _SUFFIXES:
            if name.endswith(suffix):
                name, changed = name[: -len(suffix)], True
    return name


def _name_keys(name: str) -> list[str]:
    stripped = _strip(name)
    keys = [name, stripped]
    if re.search(r":\d\d+$", stripped):  # "StatefulPartitionedCall:01": the renamed int8 twin of ":0"
        keys.append(stripped[:-1])
    return keys


def match_tensors(float_graph: Graph, int8_graph: Graph) -> dict[int, int]:
    """int8 tensor index -> float tensor index, by the rule in the module docstring."""
    io_quantize = [op for op in int8_graph.operators if op.opcode == "QUANTIZE" and is_float_io(int8_graph, op)]
    core = [op for op in int8_graph.operators if not is_float_io(int8_graph, op)]
    pairs: dict[int, int] = {}
    if [op.opcode for op in core] == [op.opcode for op in float_graph.operators]:
        for q_op, f_op in zip(core, float_graph.operators, strict=True):  # same opcodes, checked above
            for qt, ft in zip(q_op.outputs, f_op.outputs, strict=False):
                pairs[qt] = ft
        for op in io_quantize:
            position = int8_graph.inputs.index(op.inputs[0])
            if position < len(float_graph.inputs):
                pairs[op.outputs[0]] = float_graph.inputs[position]
    else:
        by_name: dict[str, list[int]] = {}
        for t in float_graph.tensors:
            if not t.is_constant:
                for key in dict.fromkeys(_name_keys(t.name)):
                    by_name.setdefault(key, []).append(t.index)
        for op in int8_graph.operators:
            for qt in op.outputs:
                for key in _name_keys(int8_graph.tensor(qt).name):
                    if len(by_name.get(key, ())) == 1:
                        pairs[qt] = by_name[key][0]
                        break
    return {qt: ft for qt, ft in pairs.items()
            if int8_graph.tensor(qt).shape == float_graph.tensor(ft).shape}


def layer_sqnr(f_run: Any, int8_blob: bytes, float_graph: Graph, int8_graph: Graph, x: np.ndarray,
               threshold_db: float) -> tuple[LayerSQNR, ...]:
    """SQNR per int8 or int16 operator output over the samples `x` (the calibration set); `f_run` runs the float
    model."""
    targets: list[tuple[int, str, Tensor]] = [
        (op.index, op.opcode, int8_graph.tensor(t))
        for op in int8_graph.operators for t in op.outputs if int8_graph.tensor(t).dtype in ("int8", "int16")]
    pairs = match_tensors(float_graph, int8_graph)
    q_run = _tflite_interpreter(int8_blob)
    f_in, q_in = f_run.get_input_details()[0], q_run.get_input_details()[0]
    q_input = int8_graph.tensor(int8_graph.inputs[0])
    signal = {t.index: 0.0 for _, _, t in targets if t.index in pairs}
    noise = dict(signal)
    for sample in x:
        f_run.set_tensor(f_in["index"], sample[None].astype(np.float32))
        q_run.set_tensor(q_in["index"], quantize_input(sample[None], np.dtype(q_input.dtype), q_input.quant))
        f_run.invoke()
        q_run.invoke()
        for qt in signal:
            f = f_run.get_tensor(pairs[qt]).astype(np.float64)
            q = dequantize(q_run.get_tensor(qt), int8_graph.tensor(qt).quant)
            signal[qt] += float(np.sum(f * f))
            noise[qt] += float(np.sum((f - q) ** 2))
    rows = []
    for index, opcode, t in targets:
        if t.index not in pairs:
            rows.append(LayerSQNR(index, opcode, t.name, t.shape, "unmatched", None, None, False))
            continue
        s, n = signal[t.index], noise[t.index]
        flagged = False
        if s == 0.0:
            status, db = "no-signal", None
        elif n == 0.0:
            status, db = "exact", math.inf
        else:
            status, db = "ok", 10.0 * math.log10(s / n)
            flagged = db < threshold_db
        rows.append(LayerSQNR(index, opcode, t.name, t.shape, status, db,
                              float_graph.tensor(pairs[t.index]).name, flagged))
    return tuple(rows)


def quant_report(float_blob: bytes, int8_blob: bytes, calib: np.ndarray, eval_x: np.ndarray,
                 eval_y: np.ndarray | None, eval_source: Path, on_calibration: bool, output: Path, io: str,
                 threshold_db: float, mixed: MixedPlan | None = None) -> QuantReport:
    float_graph = parse_tflite(float_blob, name="float", origin="float reference model")
    int8_graph = parse_tflite(int8_blob, name=output.stem, origin=str(output))
    f_run = _tflite_interpreter(float_blob)  # one interpreter for every pass over the float model
    f = float_outputs(f_run, eval_x)
    acc = _accuracy_from(f, quantized_outputs(int8_blob, int8_graph, eval_x), eval_y, eval_source, on_calibration)
    mixed_acc = None
    if mixed is not None:
        q = quantized_outputs(mixed.blob, int8_graph, eval_x)  # same inputs and outputs as the int8 model
        mixed_acc = _accuracy_from(f, q, eval_y, eval_source, on_calibration)
    written = mixed.blob if mixed is not None else int8_blob
    written_graph = int8_graph if mixed is None else parse_tflite(written, name=output.stem, origin=str(output))
    layers = layer_sqnr(f_run, written, float_graph, written_graph, calib, threshold_db)
    activations = "int16" if any(t.dtype == "int16" for t in int8_graph.tensors if not t.is_constant) else "int8"
    return QuantReport(output, io, activations, acc, layers, threshold_db, len(calib), written_graph.weight_bytes,
                       len(written), mixed, mixed_acc)
