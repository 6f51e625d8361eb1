"""Read a `.tflite` flatbuffer into tinygen's graph IR, without importing TensorFlow.

The `tflite` package is code generated from TFLite's schema, so the reader
follows the format exactly and `check` stays well under a second. Any defect
of the file becomes one `InputError` line; no parser exception escapes.
The importer reads whatever TFLite Micro could run (any operator, any tensor
type it allocates, every subgraph); whether tinygen generates each operator
in its types is decided by the stage that knows (tinygen.lower.unsupported_ops),
which lists every missing piece at once.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import numpy as np
import tflite

from tinygen.errors import InputError
from tinygen.importers.tflite_options import parse_attrs
from tinygen.importers.validate import validate_graph
from tinygen.ir.attrs import SubgraphCallAttrs
from tinygen.ir.graph import DTYPE_BITS, Graph, Operator, Quant, Tensor
from tinygen.ir.packing import unpack_int4
from tinygen.text import Untrusted

_OPCODE_NAMES = {
    v: k for k, v in vars(tflite.BuiltinOperator).items() if not k.startswith("_") and isinstance(v, int)
}
# Every TFLite tensor type by its schema name, lower case (tflite.TensorType: INT4, RESOURCE, UINT32, ...)
_TYPE_NAMES = {v: k.lower() for k, v in vars(tflite.TensorType).items() if not k.startswith("_") and isinstance(v, int)}
_NUMPY = {"float32": np.float32, "int32": np.int32, "uint8": np.uint8, "int64": np.int64, "bool": np.bool_,
          "int16": np.int16, "int8": np.int8, "uint16": np.uint16, "uint32": np.uint32, "uint64": np.uint64,
          "float16": np.float16, "float64": np.float64, "complex64": np.complex64, "complex128": np.complex128}
_SUBGRAPH_CALLS = frozenset({"CALL_ONCE", "WHILE", "IF"})
MAX_MODEL_BYTES = 256 << 20  # larger than any model a microcontroller's flash holds; read no further


def load_tflite(path: str | Path) -> Graph:
    """Parse and validate `path`; what tinygen cannot generate is for `check`/lowering to list."""
    path = Path(path)
    try:
        raw = _read_capped(path)
    except FileNotFoundError:
        raise InputError(f"{path}: no such file; pass the path of an int8 .tflite model") from None
    except IsADirectoryError:
        raise InputError(f"{path}: is a directory; pass the path of an int8 .tflite model") from None
    except OSError as exc:
        raise InputError(f"{path}: cannot read ({exc.strerror}); check the path and permissions") from None
    return parse_tflite(raw, name=Untrusted(path.stem), origin=str(path))


def source_hash(raw: bytes) -> str:
    """A model file's identity: what build and export folders, their reports and the validation protocol name."""
    return hashlib.sha256(raw).hexdigest()[:16]


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
    opcodes = []
    for i in range(model.OperatorCodesLength()):
        oc = model.OperatorCodes(i)
        code = max(oc.BuiltinCode(), oc.DeprecatedBuiltinCode())
        custom = (oc.CustomCode() or b"").decode(errors="replace")
        opcodes.append(Untrusted("CUSTOM:" + custom) if code == tflite.BuiltinOperator.CUSTOM
                       else _OPCODE_NAMES.get(code, f"BUILTIN_{code}"))
    count = model.SubgraphsLength()
    graphs = [_subgraph(model, model.Subgraphs(k), k, opcodes, raw, name) for k in range(count)]
    for k, graph in enumerate(graphs):
        _check_calls(graph, k, count)
    for k, graph in enumerate(graphs[1:], start=1):
        _check_indices(graph, k)
    return replace(graphs[0], source_bytes=len(raw), source_hash=source_hash(raw), subgraphs=tuple(graphs[1:]))


def _subgraph(model: tflite.Model, sg: tflite.SubGraph, k: int, opcodes: list[str], raw: bytes, name: str) -> Graph:
    """Subgraph `k` as a Graph; the main one (k = 0) named after the model, the others after theirs."""
    where = f"subgraph {k} " if k else ""
    tensors = tuple(_tensor(model, sg, i, raw) for i in range(sg.TensorsLength()))
    operators = []
    for i in range(sg.OperatorsLength()):
        op = sg.Operators(i)
        if not 0 <= op.OpcodeIndex() < len(opcodes):
            raise InputError(f"{where}operator {i} has opcode index {op.OpcodeIndex()}, but the model lists "
                             f"{len(opcodes)} operator codes; re-export the model")
        opcode = opcodes[op.OpcodeIndex()]
        ins, outs = _indices(op.InputsLength(), op.InputsAsNumpy), _indices(op.OutputsLength(), op.OutputsAsNumpy)
        operators.append(Operator(i, opcode, ins, outs, parse_attrs(opcode, op)))
    inputs = _indices(sg.InputsLength(), sg.InputsAsNumpy)
    outputs = _indices(sg.OutputsLength(), sg.OutputsAsNumpy)
    label = name if k == 0 else Untrusted((sg.Name() or f"subgraph {k}".encode()).decode(errors="replace"))
    return Graph(label, tensors, tuple(operators), inputs, outputs)


def _check_calls(graph: Graph, k: int, count: int) -> None:
    """Each CALL_ONCE, WHILE and IF names subgraphs the file has, other than the main one (which would recurse)."""
    for op in graph.operators:
        if op.opcode in _SUBGRAPH_CALLS:
            for target in op.attrs_of(SubgraphCallAttrs).subgraphs:
                if not 1 <= target < count:
                    where = f"subgraph {k} " if k else ""
                    raise InputError(f"{where}operator {op.index} ({op.opcode}) calls subgraph {target}, but the "
                                     f"model has subgraphs 1 to {count - 1} besides the main one; re-export the model")


def _check_indices(graph: Graph, k: int) -> None:
    """A called subgraph's tensor indices point at its own tensors (the main graph's wiring checks do far more)."""
    used = [*graph.inputs, *graph.outputs, *(t for op in graph.operators for t in op.inputs + op.outputs)]
    bad = [t for t in used if not -1 <= t < len(graph.tensors)]
    if bad or -1 in graph.inputs + graph.outputs:
        raise InputError(f"subgraph {k} names tensor {bad[0] if bad else -1}, but has tensors 0 to "
                         f"{len(graph.tensors) - 1}; the file is malformed; re-export the model")


def _indices(length: int, as_numpy: Callable[[], np.ndarray]) -> tuple[int, ...]:
    """A tensor-index vector; an empty one (which the generated reader returns as 0, not an array) is ()."""
    return tuple(int(t) for t in as_numpy()) if length else ()


def _tensor(model: tflite.Model, sg: tflite.SubGraph, index: int, raw: bytes) -> Tensor:
    t = sg.Tensors(index)
    tname = Untrusted((t.Name() or f"tensor {index}".encode()).decode(errors="replace"))
    dtype = _TYPE_NAMES.get(t.Type())
    if dtype is None:
        raise InputError(f"tensor '{tname}' has TFLite type {t.Type()}, which the TFLite schema does not define; "
                         "the file is malformed or newer than tinygen; re-export the model")
    if dtype not in DTYPE_BITS:
        raise InputError(f"tensor '{tname}' has TFLite type {dtype.upper()}, which has no fixed size: TFLite Micro "
                         "cannot allocate it either; export the model without it")
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
    tensor = Tensor(index, tname, shape, dtype, quant, None, bool(t.IsVariable()))
    if data is None:
        return tensor
    if len(data) != tensor.size_bytes:
        raise InputError(f"tensor '{tname}' holds {len(data)} bytes but its shape needs {tensor.size_bytes}")
    if dtype == "int4":  # kept as int8 values; size_bytes still counts them packed
        array = unpack_int4(data, tensor.elements).reshape(shape)
    else:
        array = np.frombuffer(data, dtype=_NUMPY[dtype]).reshape(shape)
    return Tensor(index, tname, shape, dtype, quant, array, bool(t.IsVariable()))


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
