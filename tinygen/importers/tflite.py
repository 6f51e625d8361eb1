"""Read an int8 `.tflite` flatbuffer into tinygen's graph IR, without importing TensorFlow.

The `tflite` package is code generated from TFLite's schema, so the reader
follows the format exactly and `check` stays well under a second. Any defect
of the file becomes one `InputError` line; no parser exception escapes.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import numpy as np
import tflite

from tinygen.errors import InputError
from tinygen.importers.tflite_options import parse_attrs
from tinygen.importers.validate import validate_graph
from tinygen.ir.graph import Graph, Operator, Quant, Tensor
from tinygen.ir.opset import FLOAT_IO_OPS
from tinygen.ir.packing import unpack_int4
from tinygen.text import Untrusted

_OPCODE_NAMES = {
    v: k for k, v in vars(tflite.BuiltinOperator).items() if not k.startswith("_") and isinstance(v, int)
}
_DTYPES = {
    tflite.TensorType.FLOAT32: "float32",
    tflite.TensorType.INT32: "int32",
    tflite.TensorType.UINT8: "uint8",
    tflite.TensorType.INT64: "int64",
    tflite.TensorType.BOOL: "bool",
    tflite.TensorType.INT16: "int16",
    tflite.TensorType.INT8: "int8",
    tflite.TensorType.INT4: "int4",
}
_NUMPY = {"float32": np.float32, "int32": np.int32, "uint8": np.uint8, "int64": np.int64,
          "bool": np.bool_, "int16": np.int16, "int8": np.int8}
_QUANTIZE_HINT = "quantize it to full-integer int8 first (tinygen quantize MODEL --calib DATA)"
MAX_MODEL_BYTES = 256 << 20  # larger than any model a microcontroller's flash holds; read no further


def load_tflite(path: str | Path) -> Graph:
    """Parse `path` and check it is an int8 model tinygen can plan."""
    path = Path(path)
    try:
        raw = _read_capped(path)
    except FileNotFoundError:
        raise InputError(f"{path}: no such file; pass the path of an int8 .tflite model") from None
    except IsADirectoryError:
        raise InputError(f"{path}: is a directory; pass the path of an int8 .tflite model") from None
    except OSError as exc:
        raise InputError(f"{path}: cannot read ({exc.strerror}); check the path and permissions") from None
    graph = parse_tflite(raw, name=Untrusted(path.stem), origin=str(path))
    _require_int8(graph, str(path))
    return graph


def _read_capped(path: Path) -> bytes:
    """The file's bytes, refused past MAX_MODEL_BYTES: a regular file by its size, anything else (a pipe,
    /dev/zero) after reading one byte more than the cap."""
    with path.open("rb") as file:
        size = os.fstat(file.fileno()).st_size if path.is_file() else None
        raw = file.read(MAX_MODEL_BYTES + 1) if size is None or size <= MAX_MODEL_BYTES else b""
    if size is not None and size > MAX_MODEL_BYTES or len(raw) > MAX_MODEL_BYTES:
        raise InputError(f"{path}: larger than {MAX_MODEL_BYTES >> 20} MB, more than any microcontroller holds; "
                         "pass an int8 .tflite model")
    return raw


def parse_tflite(raw: bytes, name: str, origin: str) -> Graph:
    """The graph in `raw`, validated as TFLite Micro's Prepare would (tinygen/importers/validate.py)."""
    if not raw:
        raise InputError(f"{origin}: file is empty; pass an int8 .tflite model")
    if len(raw) < 8 or raw[4:8] != b"TFL3":
        raise InputError(
            f"{origin}: not a TFLite flatbuffer (no 'TFL3' identifier); pass an int8 .tflite model"
        )
    try:
        graph = _read(raw, name)
    except InputError as exc:
        raise InputError(f"{origin}: {exc}") from None
    except Exception as exc:  # flatbuffers reports truncation as struct/index errors
        raise InputError(
            f"{origin}: truncated or corrupt flatbuffer ({type(exc).__name__}); re-export the model"
        ) from None
    try:
        validate_graph(graph)
    except InputError as exc:
        raise InputError(f"{origin}: {exc}") from None
    return graph


def _read(raw: bytes, name: str) -> Graph:
    model = tflite.Model.GetRootAsModel(raw, 0)
    if model.SubgraphsLength() < 1:
        raise InputError("model has no subgraph; re-export the model")
    sg = model.Subgraphs(0)
    opcodes = []
    for i in range(model.OperatorCodesLength()):
        oc = model.OperatorCodes(i)
        code = max(oc.BuiltinCode(), oc.DeprecatedBuiltinCode())
        custom = (oc.CustomCode() or b"").decode(errors="replace")
        opcodes.append(Untrusted("CUSTOM:" + custom) if code == tflite.BuiltinOperator.CUSTOM
                       else _OPCODE_NAMES.get(code, f"BUILTIN_{code}"))
    tensors = tuple(_tensor(model, sg, i, raw) for i in range(sg.TensorsLength()))
    operators = []
    for i in range(sg.OperatorsLength()):
        op = sg.Operators(i)
        if not 0 <= op.OpcodeIndex() < len(opcodes):
            raise InputError(f"operator {i} has opcode index {op.OpcodeIndex()}, but the model lists "
                             f"{len(opcodes)} operator codes; re-export the model")
        opcode = opcodes[op.OpcodeIndex()]
        ins, outs = _indices(op.InputsLength(), op.InputsAsNumpy), _indices(op.OutputsLength(), op.OutputsAsNumpy)
        operators.append(Operator(i, opcode, ins, outs, parse_attrs(opcode, op)))
    inputs = _indices(sg.InputsLength(), sg.InputsAsNumpy)
    outputs = _indices(sg.OutputsLength(), sg.OutputsAsNumpy)
    return Graph(name, tensors, tuple(operators), inputs, outputs, source_bytes=len(raw))


def _indices(length: int, as_numpy: Callable[[], np.ndarray]) -> tuple[int, ...]:
    """A tensor-index vector; an empty one (which the generated reader returns as 0, not an array) is ()."""
    return tuple(int(t) for t in as_numpy()) if length else ()


def _tensor(model: tflite.Model, sg: tflite.SubGraph, index: int, raw: bytes) -> Tensor:
    t = sg.Tensors(index)
    tname = Untrusted((t.Name() or f"tensor {index}".encode()).decode(errors="replace"))
    dtype = _DTYPES.get(t.Type())
    if dtype is None:
        raise InputError(f"tensor '{tname}' has TFLite type {t.Type()}, which tinygen does not handle")
    shape = tuple(int(d) for d in t.ShapeAsNumpy()) if t.ShapeLength() else ()
    if any(d < 0 for d in shape):
        raise InputError(f"tensor '{tname}' has a dynamic shape {shape}; export with a fixed input size")
    q = t.Quantization()
    quant = None
    if q is not None and q.ScaleLength():
        zps = q.ZeroPointAsNumpy() if q.ZeroPointLength() else np.zeros(q.ScaleLength(), np.int64)
        quant = Quant(tuple(float(s) for s in q.ScaleAsNumpy()), tuple(int(z) for z in zps),
                      int(q.QuantizedDimension()))
    data = _buffer(model, t.Buffer(), raw)
    tensor = Tensor(index, tname, shape, dtype, quant, None)
    if data is None:
        return tensor
    if len(data) != tensor.size_bytes:
        raise InputError(f"tensor '{tname}' holds {len(data)} bytes but its shape needs {tensor.size_bytes}")
    if dtype == "int4":  # kept as int8 values; size_bytes still counts them packed
        array = unpack_int4(data, tensor.elements).reshape(shape)
    else:
        array = np.frombuffer(data, dtype=_NUMPY[dtype]).reshape(shape)
    return Tensor(index, tname, shape, dtype, quant, array)


def _buffer(model: tflite.Model, index: int, raw: bytes) -> bytes | None:
    """Constant data of a tensor, inline or (for >2 GB models) at an offset after the flatbuffer."""
    if index <= 0 or index >= model.BuffersLength():
        return None
    buf = model.Buffers(index)
    if buf.DataLength():
        return buf.DataAsNumpy().tobytes()
    if buf.Offset() > 1:
        end = buf.Offset() + buf.Size()
        if end > len(raw):
            raise InputError(f"buffer {index} runs past the end of the file")
        return raw[buf.Offset():end]
    return None


def _require_int8(graph: Graph, origin: str) -> None:
    """Reject float and int16 models: tinygen generates int8 kernels only."""
    for op in graph.operators:
        if op.opcode in FLOAT_IO_OPS:
            continue
        for t in graph.op_tensors(op, "inputs") + graph.op_tensors(op, "outputs"):
            if t is None or t.is_constant and t.dtype in ("int32", "int64"):
                continue
            if t.dtype == "float32":
                raise InputError(
                    f"{origin}: float model (operator {op.index} {op.opcode} has float32 tensor "
                    f"'{t.name}'); {_QUANTIZE_HINT}"
                )
            if t.dtype in ("int16", "uint8"):
                raise InputError(
                    f"{origin}: {t.dtype} tensor '{t.name}' at operator {op.index} {op.opcode}; "
                    f"tinygen handles int8 activations only; {_QUANTIZE_HINT}"
                )
