"""Large int8 .tflite files written directly as flatbuffers, for the scale tests and benchmarks/scale.py.

TensorFlow's converter takes minutes on a 20,000-operator Keras model; these files are written in well
under a second by TensorFlow Lite Micro's schema (object API), with every tensor quantised alike so the
ops need no requantisation.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from tests.tools import require_module

SCALE, ZERO_POINT = 0.05, -3


class _Writer:
    """One subgraph being built: tensors, operators, buffers (buffer 0 is the empty one TFLite expects)."""

    def __init__(self) -> None:
        self.schema = require_module("tflite_micro.tensorflow.lite.micro.python.schema_py_generated")
        self.model = self.schema.ModelT()
        self.model.version = 3
        self.model.operatorCodes, self.model.buffers = [], [self.schema.BufferT()]
        self.graph = self.schema.SubGraphT()
        self.graph.tensors, self.graph.operators = [], []
        self.codes: dict[int, int] = {}

    def tensor(self, name: str, shape: tuple[int, ...], data: np.ndarray | None = None,
               scale: float = SCALE, zero_point: int = ZERO_POINT, dtype: str = "INT8") -> int:
        """`dtype` (a TensorType name) is the type of an activation; a constant takes its data's type."""
        s = self.schema
        t = s.TensorT()
        t.name, t.shape = name, list(shape)
        t.type = s.TensorType.INT32 if data is not None and data.dtype == np.int32 else getattr(s.TensorType, dtype)
        t.quantization = s.QuantizationParametersT()
        t.quantization.scale, t.quantization.zeroPoint = [scale], [zero_point]
        t.buffer = 0
        if data is not None:
            buf = s.BufferT()
            buf.data = np.frombuffer(np.ascontiguousarray(data).tobytes(), np.uint8)
            self.model.buffers.append(buf)
            t.buffer = len(self.model.buffers) - 1
        self.graph.tensors.append(t)
        return len(self.graph.tensors) - 1

    def op(self, opcode: str, inputs: list[int], outputs: list[int], options: object = None,
           options_type: str = "NONE") -> None:
        s = self.schema
        code = getattr(s.BuiltinOperator, opcode)
        if code not in self.codes:
            oc = s.OperatorCodeT()
            oc.builtinCode, oc.deprecatedBuiltinCode, oc.version = code, min(code, 127), 1
            self.model.operatorCodes.append(oc)
            self.codes[code] = len(self.model.operatorCodes) - 1
        o = s.OperatorT()
        o.opcodeIndex, o.inputs, o.outputs = self.codes[code], inputs, outputs
        o.builtinOptionsType, o.builtinOptions = getattr(s.BuiltinOptions, options_type), options
        self.graph.operators.append(o)

    def write(self, path: Path, inputs: list[int], outputs: list[int]) -> Path:
        import flatbuffers

        self.graph.inputs, self.graph.outputs = inputs, outputs
        self.model.subgraphs = [self.graph]
        size = sum(len(b.data) for b in self.model.buffers if b.data is not None)
        builder = flatbuffers.Builder(size + 1024 * (len(self.graph.operators) + 16))
        builder.Finish(self.model.Pack(builder), file_identifier=b"TFL3")
        path.write_bytes(builder.Output())
        return path


def relu_chain(path: Path, ops: int, width: int = 16) -> Path:
    """input[1, width] -> RELU -> RELU -> ... (`ops` of them) -> output."""
    w = _Writer()
    x = first = w.tensor("input", (1, width))
    for i in range(ops):
        y = w.tensor(f"relu_{i}", (1, width))
        w.op("RELU", [x], [y])
        x = y
    return w.write(path, [first], [x])


def branches(path: Path, count: int, width: int = 16) -> Path:
    """input[1, width] fanned out into `count` RELU branches, joined by one CONCATENATION -> [1, count * width]."""
    w = _Writer()
    x = w.tensor("input", (1, width))
    ends = []
    for i in range(count):
        y = w.tensor(f"branch_{i}", (1, width))
        w.op("RELU", [x], [y])
        ends.append(y)
    out = w.tensor("concat", (1, count * width))
    options = w.schema.ConcatenationOptionsT()
    options.axis = 1
    w.op("CONCATENATION", ends, [out], options, "ConcatenationOptions")
    return w.write(path, [x], [out])


def big_dense(path: Path, inputs: int, outputs: int) -> Path:
    """input[1, inputs] -> FULLY_CONNECTED with an int8 [outputs, inputs] filter (its bytes: the model's size)."""
    w = _Writer()
    x = w.tensor("input", (1, inputs))
    rng = np.random.default_rng(0)
    weights = w.tensor("weights", (outputs, inputs), rng.integers(-127, 128, (outputs, inputs), dtype=np.int8),
                       scale=0.01, zero_point=0)
    bias = w.tensor("bias", (outputs,), np.zeros(outputs, np.int32), scale=SCALE * 0.01, zero_point=0)
    y = w.tensor("output", (1, outputs))
    w.op("FULLY_CONNECTED", [x, weights, bias], [y], w.schema.FullyConnectedOptionsT(), "FullyConnectedOptions")
    return w.write(path, [x], [y])
