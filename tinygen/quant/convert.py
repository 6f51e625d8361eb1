"""Float model in, full-integer .tflite (int8 or int16 activations) out, with TensorFlow's TFLiteConverter
(imported lazily).

MODEL is a `.keras`/`.h5` file (tf.keras.models.load_model) or a SavedModel folder
(TFLiteConverter.from_saved_model). A single-input Keras model is first re-built
with batch size 1 (as scripts/train_example.py does) so the converted graph has
static shapes and none of the SHAPE/PACK ops a dynamic batch brings; models that
cannot be cloned (subclassed ones) are converted as they are.

Quantisation: Optimize.DEFAULT (per-channel int8 weights), the calibration
samples one by one as the representative dataset, and one operator set:
TFLITE_BUILTINS_INT8 for int8 activations, or TensorFlow's 16x8 mode
(EXPERIMENTAL_TFLITE_BUILTINS_ACTIVATIONS_INT16_WEIGHTS_INT8: symmetric int16
activations, int8 weights, int64 biases) for int16 ones. `io="int8"` makes the
model's inputs and outputs integers of the activations' type (int8 or int16),
`io="float"` keeps them float (the converter adds QUANTIZE/DEQUANTIZE).
`convert_float` converts the same model without quantisation: the reference
for the per-layer SQNR.
"""

from __future__ import annotations

import contextlib
import io as _io
import os
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np

from tinygen.errors import InputError
from tinygen.ir.graph import Graph, Operator

IO_TYPES = ("int8", "float")
ACTIVATION_TYPES = ("int8", "int16")
KERAS_SUFFIXES = (".keras", ".h5", ".hdf5")


@dataclass(frozen=True)
class FloatModel:
    """A loaded float model: `input_shape` excludes the batch dimension; `keras` (batch size 1 where it
    could be re-built) is None for a SavedModel."""

    path: Path
    input_shape: tuple[int, ...]
    keras: Any | None  # a tf.keras.Model: TensorFlow is imported lazily and has no type stubs


def tensorflow() -> ModuleType:
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    import tensorflow as tf

    return tf


def _first_line(exc: Exception) -> str:
    for line in str(exc).splitlines():
        if line.strip():
            return line.strip()[:200]
    return type(exc).__name__


@contextlib.contextmanager
def _quiet() -> Iterator[None]:
    """TensorFlow prints SavedModel signatures and converter notes on stdout: keep stdout for our output."""
    with contextlib.redirect_stdout(_io.StringIO()), warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "Statistics for quantized inputs were expected..."
        yield


@contextlib.contextmanager
def _native_stderr_silenced() -> Iterator[None]:
    """The converter's C++ code writes notes ("fully_quantize: 0, ...") straight to file descriptor 2; its
    failures arrive as Python exceptions, which are reported, so nothing of value is lost."""
    saved = os.dup(2)
    try:
        with open(os.devnull, "wb") as null:
            os.dup2(null.fileno(), 2)
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)


def load_model(path: Path) -> FloatModel:
    path = Path(path)
    if not path.exists():
        raise InputError(f"{path}: no such file or folder; pass a .keras/.h5 model or a SavedModel folder")
    tf = tensorflow()
    if path.is_dir():
        if not (path / "saved_model.pb").exists():
            raise InputError(f"{path}: folder without saved_model.pb; pass a SavedModel folder or a .keras/.h5 file")
        try:
            with _quiet():
                loaded = tf.saved_model.load(str(path))
                signature = loaded.signatures["serving_default"]
        except Exception as exc:
            raise InputError(f"{path}: cannot load the SavedModel ({_first_line(exc)}); "
                             "re-export it with tf.saved_model.save or model.export") from None
        specs = signature.structured_input_signature[1]
        if len(specs) != 1:
            raise InputError(f"{path}: the serving signature has {len(specs)} inputs; "
                             "tinygen quantize handles single-input models")
        shape = tuple(next(iter(specs.values())).shape)
        return FloatModel(path, _feature_shape(path, shape), None)
    if path.suffix.lower() not in KERAS_SUFFIXES:
        raise InputError(f"{path}: unknown model format '{path.suffix}'; pass a .keras/.h5 file or a SavedModel folder")
    try:
        with _quiet():
            model = tf.keras.models.load_model(path, compile=False)
    except Exception as exc:
        raise InputError(f"{path}: cannot load as a Keras model ({_first_line(exc)}); "
                         "save it with model.save('model.keras')") from None
    if len(model.inputs) != 1:
        raise InputError(f"{path}: the model has {len(model.inputs)} inputs; "
                         "tinygen quantize handles single-input models")
    input_shape = _feature_shape(path, tuple(model.inputs[0].shape))
    return FloatModel(path, input_shape, _batch1(tf, model, input_shape))


def _feature_shape(path: Path, shape: tuple[int | None, ...]) -> tuple[int, ...]:
    features = shape[1:]
    if any(d is None for d in features):
        raise InputError(f"{path}: input shape {shape} has unknown dimensions beyond the batch; "
                         "give the model a fixed input shape")
    return tuple(int(d) for d in features if d is not None)  # all are, after the check above


def _batch1(tf: ModuleType, keras: Any, input_shape: tuple[int, ...]) -> Any:
    """`keras` re-built with batch size 1 (done once: both conversions use it)."""
    try:
        batch1 = tf.keras.models.clone_model(keras, input_tensors=tf.keras.Input(input_shape, batch_size=1))
        batch1.set_weights(keras.get_weights())
        return batch1
    except Exception:  # subclassed models cannot be cloned onto new inputs: convert them as they are
        return keras


def _converter(model: FloatModel) -> Any:
    tf = tensorflow()
    if model.keras is None:
        return tf.lite.TFLiteConverter.from_saved_model(str(model.path))
    return tf.lite.TFLiteConverter.from_keras_model(model.keras)


def configure_quantization(converter: Any, representative: Callable[[], Iterator[list[np.ndarray]]],
                           io: str = "int8", activations: str = "int8") -> None:
    """Full-integer, per-channel int8 weights, `activations` int8 or int16 (16x8); integer ends of the
    activations' type unless io == "float"."""
    tf = tensorflow()
    converter.optimizations = [tf.lite.Optimize.DEFAULT]
    converter.representative_dataset = representative
    ops = tf.lite.OpsSet
    converter.target_spec.supported_ops = [ops.EXPERIMENTAL_TFLITE_BUILTINS_ACTIVATIONS_INT16_WEIGHTS_INT8
                                           if activations == "int16" else ops.TFLITE_BUILTINS_INT8]
    if io == "int8":
        converter.inference_input_type = converter.inference_output_type = getattr(tf, activations)


def convert_quantized(model: FloatModel, calib: np.ndarray, io: str = "int8", activations: str = "int8") -> bytes:
    """Full-integer flatbuffer with int8 or int16 activations; `calib` is (N, *input_shape) float32."""
    if io not in IO_TYPES:
        raise InputError(f"--io {io}: unknown; use one of {', '.join(IO_TYPES)}")
    if activations not in ACTIVATION_TYPES:
        raise InputError(f"--activations {activations}: unknown; use one of {', '.join(ACTIVATION_TYPES)}")
    converter = _converter(model)

    def representative() -> Iterator[list[np.ndarray]]:
        for sample in calib:
            yield [sample[None].astype(np.float32)]

    configure_quantization(converter, representative, io, activations)
    mode = "full-integer int8" if activations == "int8" else "16x8 (int16 activations, int8 weights)"
    try:
        with _quiet(), _native_stderr_silenced():
            blob = converter.convert()
    except Exception as exc:
        raise InputError(f"{model.path}: TensorFlow's converter cannot make it {mode} "
                         f"({_first_line(exc)}); replace the operators without {activations} kernels") from None
    _require_full_integer(model.path, blob, mode)
    return blob


def is_float_io(graph: Graph, op: Operator) -> bool:
    """What `io="float"` adds: a QUANTIZE reading a graph input or a DEQUANTIZE writing a graph output."""
    return (op.opcode == "QUANTIZE" and op.inputs[0] in graph.inputs
            or op.opcode == "DEQUANTIZE" and op.outputs[0] in graph.outputs)


def _require_full_integer(path: Path, blob: bytes, mode: str) -> None:
    """The converter silently leaves operators without integer kernels in float (DEQUANTIZE, op, QUANTIZE):
    refuse."""
    from tinygen.importers.tflite import parse_tflite

    graph = parse_tflite(blob, name=path.stem, origin=str(path))
    floats: dict[str, int] = {}
    for op in graph.operators:
        if is_float_io(graph, op):
            continue
        tensors = graph.op_tensors(op, "inputs") + graph.op_tensors(op, "outputs")
        if any(t is not None and not t.is_constant and t.dtype == "float32" for t in tensors):
            floats[op.opcode] = floats.get(op.opcode, 0) + 1
    named = {op: n for op, n in floats.items() if op not in ("QUANTIZE", "DEQUANTIZE")} or floats
    if named:
        listed = ", ".join(f"{op}×{n}" for op, n in named.items())
        raise InputError(f"{path}: TensorFlow's converter cannot make it {mode} (left in float: "
                         f"{listed}); replace these operators with ones that have integer kernels")


def convert_float(model: FloatModel) -> bytes:
    """The same graph as float32 .tflite: per-layer reference activations."""
    try:
        with _quiet():
            return _converter(model).convert()
    except Exception as exc:
        raise InputError(f"{model.path}: TensorFlow's converter cannot convert it to TFLite "
                         f"({_first_line(exc)}); replace the unsupported operators") from None
