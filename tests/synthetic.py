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
               scale: float = SCALE, zero_point: int = ZERO_POINT, dtype: str = "INT8", variable: bool = False) -> int:
        """`dtype` (a TensorType name) is the type of an activation and of a non-int32 constant; `variable`
        marks state an operator keeps across invocations (SVDF's)."""
        s = self.schema
        t = s.TensorT()
        t.name, t.shape = name, list(shape)
        t.type = s.TensorType.INT32 if data is not None and data.dtype == np.int32 else getattr(s.TensorType, dtype)
        t.quantization = s.QuantizationParametersT()
        t.quantization.scale, t.quantization.zeroPoint = [scale], [zero_point]
        t.buffer, t.isVariable = 0, variable
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



def svdf(path: Path, seed: int, state: str = "INT16", batch: int = 1, rank: int = 2, memory: int = 7,
         layers: int = 1) -> Path:
    """input[batch, 13] -> SVDF -> output[batch, 5] (`layers` of them in a chain, each its own state), random
    weights and quantisation (TensorFlow's converter does not emit SVDF from Keras). `state`: INT16 (int16 state
    and time weights, zero point 0) or INT8 (int8 both, a random state zero point)."""
    input_size, units = 13, 5
    rng = np.random.default_rng(seed)
    w = _Writer()
    s_in, zp_in = rng.uniform(0.005, 0.02), int(rng.integers(-128, 128))
    x = first = w.tensor("input", (batch, input_size), scale=s_in, zero_point=zp_in)
    for k in range(layers):
        x, s_in = _svdf_layer(w, rng, x, s_in, f"svdf{k}_", state, batch, input_size if k == 0 else units, units,
                              rank, memory)
    return w.write(path, [first], [x])


def _svdf_layer(w: _Writer, rng: np.random.Generator, x: int, s_in: float, name: str, state: str, batch: int,
                input_size: int, units: int, rank: int, memory: int) -> tuple[int, float]:
    """One SVDF after tensor `x` (scale `s_in`): its output tensor and scale. Scales follow rough magnitudes,
    each times a random factor."""
    filters = units * rank
    wide = state == "INT16"
    qmax = 32767 if wide else 127
    s_feature = rng.uniform(0.002, 0.01)
    feature_max = 3 * np.sqrt(input_size) * 127 * s_feature * 70 * s_in
    s_state, zp_state = feature_max / qmax * rng.uniform(0.5, 1.5), 0 if wide else int(rng.integers(-60, 60))
    s_time = rng.uniform(0.5, 2) / qmax
    s_out = 3 * np.sqrt(rank * memory) * 0.5 * feature_max / 127 * rng.uniform(0.5, 1.5)
    s_bias = float(np.float32(s_state) * np.float32(s_time))
    feature = w.tensor(name + "weights_feature", (filters, input_size),
                       rng.integers(-127, 128, (filters, input_size), dtype=np.int8), s_feature, 0)
    time_type = np.int16 if wide else np.int8
    time = w.tensor(name + "weights_time", (filters, memory),
                    rng.integers(-qmax, qmax + 1, (filters, memory), dtype=time_type), s_time, 0, dtype=state)
    bias = w.tensor(name + "bias", (units,), rng.integers(-20000, 20000, units, dtype=np.int32), s_bias, 0)
    st = w.tensor(name + "state", (batch, filters * memory), scale=s_state, zero_point=zp_state, dtype=state,
                  variable=True)
    y = w.tensor(name + "output", (batch, units), scale=s_out, zero_point=int(rng.integers(-20, 20)))
    options = w.schema.SVDFOptionsT()
    options.rank, options.fusedActivationFunction = rank, w.schema.ActivationFunctionType.RELU
    w.op("SVDF", [x, feature, time, bias, st], [y], options, "SVDFOptions")
    return y, s_out


def softmax_to_int16(path: Path, seed: int, shape: tuple[int, ...] = (3, 11), beta: float = 1.0) -> Path:
    """input[shape] int8 -> SOFTMAX -> int16 output at scale 1/65536, zero point -32768: the int8-in, int16-out
    softmax TFLite Micro runs (older converters wrote it, e.g. TFLM's keyword_scrambled model); random input
    quantisation."""
    rng = np.random.default_rng(seed)
    w = _Writer()
    x = w.tensor("input", shape, scale=rng.uniform(0.02, 0.2), zero_point=int(rng.integers(-128, 128)))
    y = w.tensor("output", shape, scale=1 / 65536, zero_point=-32768, dtype="INT16")
    options = w.schema.SoftmaxOptionsT()
    options.beta = beta
    w.op("SOFTMAX", [x], [y], options, "SoftmaxOptions")
    return w.write(path, [x], [y])


def lstm_16x8(path: Path, steps: int, batches: int, features: int, units: int, seed: int, cell_clip: float) -> Path:
    """A time-major 16x8 LSTM: int16 activations (zero point 0), int8 per-tensor weights, int64 biases, int16
    cell state at a power-of-two scale (what TFLite's quantiser gives it)."""
    rng = np.random.default_rng(seed)
    w = _Writer()
    schema = w.schema
    x_scale, h_scale = rng.uniform(1e-5, 5e-5), rng.uniform(3.1e-5, 6e-5)
    x = w.tensor("x", (steps, batches, features), scale=x_scale, zero_point=0, dtype="INT16")
    slots = [-1] * 24
    for k in range(1, 9):  # input-to-gate (units x features), then hidden-to-gate (units x units) weights
        scale = rng.uniform(0.005, 0.03)
        shape = (units, features if k < 5 else units)
        slots[k] = w.tensor(f"w{k}", shape, rng.integers(-127, 128, shape).astype(np.int8), scale=scale, zero_point=0)
    for k in range(12, 16):
        slots[k] = w.tensor(f"b{k}", (units,), rng.integers(-30000, 30000, units).astype(np.int64), scale=1.0,
                            zero_point=0, dtype="INT64")
    slots[18] = w.tensor("h", (batches, units), scale=h_scale, zero_point=0, dtype="INT16", variable=True)
    slots[19] = w.tensor("c", (batches, units), scale=2.0**-11, zero_point=0, dtype="INT16", variable=True)
    slots[0] = x
    y = w.tensor("y", (steps, batches, units), scale=h_scale, zero_point=0, dtype="INT16")
    options = schema.UnidirectionalSequenceLSTMOptionsT()
    options.fusedActivationFunction, options.cellClip, options.timeMajor = schema.ActivationFunctionType.TANH, \
        cell_clip, True
    w.op("UNIDIRECTIONAL_SEQUENCE_LSTM", slots, [y], options, "UnidirectionalSequenceLSTMOptions")
    return w.write(path, [x], [y])


def split_with_unread_piece(path: Path, seed: int) -> Path:
    """input[1, 12, 7, 5] -> SPLIT into 4 along axis 1 -> every piece but the second a model output: a written,
    never read output the planner must still place. Written here because TensorFlow's converter, given such a
    model, leaves the SPLIT in float32 in some processes and not in others (it depends on the layers' generated
    names)."""
    shape, parts, axis, unread = (1, 12, 7, 5), 4, 1, 1
    rng = np.random.default_rng(seed)
    w = _Writer()
    scale, zero_point = rng.uniform(0.01, 0.1), int(rng.integers(-128, 128))
    x = w.tensor("input", shape, scale=scale, zero_point=zero_point)
    axis_tensor = w.tensor("axis", (), np.array(axis, np.int32))
    piece = tuple(d // parts if k == axis else d for k, d in enumerate(shape))
    pieces = [w.tensor(f"piece{k}", piece, scale=scale, zero_point=zero_point) for k in range(parts)]
    options = w.schema.SplitOptionsT()
    options.numSplits = parts
    w.op("SPLIT", [axis_tensor, x], pieces, options, "SplitOptions")
    return w.write(path, [x], [p for k, p in enumerate(pieces) if k != unread])
