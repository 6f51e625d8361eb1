"""Which operators tinygen can generate, in which types, and the one message that lists all it cannot.

The importer reads any model TFLite Micro could run; this is where a model is
measured against the kernels: an operator is generated when lowering has a
function for its opcode (or it is an alias) and its tensors are the types the
kernels take: int8 activations (float32 on the float side of QUANTIZE and
DEQUANTIZE, int32 indices of ARG_MAX/ARG_MIN, GATHER and GATHER_ND, int16 where a 16x8
kernel exists, bool results of the comparisons and condition of SELECT_V2,
bools of the logical ops, CAST between bool, int8, int16, int32 and float32, the resource handles and int8 or
int16 values of resource variables, SVDF's int16 state),
int8 or int4 constant weights (int16 time weights of SVDF; int4 ones only with int8 activations: the int4
kernels are int8 ones), int32 or int64 constant biases and shape operands.
Everything else is one (operator, type) piece, counted, so a user sees the
whole list at once whatever the reason.
"""

from __future__ import annotations

from dataclasses import dataclass

from tinygen.errors import InputError
from tinygen.ir.graph import Graph, Operator
from tinygen.ir.opset import ALIAS_OPS, FLOAT_IO_OPS
from tinygen.lower import generated_ops
from tinygen.lower.state import init_assignments

_CONSTANT_TYPES = frozenset({"int8", "int4", "int32", "int64"})
INT4_ACTIVATIONS = frozenset({"int8"})  # the activation types tinygen generates int4 weights with
_MORE_CONSTANT_TYPES = {"SVDF": frozenset({"int16"}),  # its int16 time weights
                        **dict.fromkeys(("MAXIMUM", "MINIMUM"), frozenset({"int16"}))}  # an int16 bound
# Activation types besides int8, by opcode: the float side of the I/O converters (int8 or int16 on the other side),
# QUANTIZE's int8 <-> int16 and int16 <-> int32, ARG_MAX/ARG_MIN's int32 indices out, the int32 indices into GATHER,
# GATHER_ND, DYNAMIC_UPDATE_SLICE and EMBEDDING_LOOKUP, the int16 activations of the 16x8 kernels, of the int16 copies
# (PAD, STRIDED_SLICE, REVERSE_V2, SLICE, TRANSPOSE, CONCATENATION, PACK, SPLIT, SPLIT_V, UNPACK,
# RESIZE_NEAREST_NEIGHBOR, DYNAMIC_UPDATE_SLICE) and of the aliases (which move no data), the comparisons' bool out,
# CAST's types, SELECT_V2's bool condition, the logical ops' and REDUCE_ALL's bools, SHAPE's int32 sizes (of an int8,
# int16 or int32 tensor), BROADCAST_ARGS's int32 shapes, SVDF's int16 state and the resource variables' handles and
# values (each lowering checks which operand may be which).
_ACTIVATION_TYPES = {**dict.fromkeys(FLOAT_IO_OPS, frozenset({"int8", "int16", "float32"})),
                     "QUANTIZE": frozenset({"int8", "int16", "int32", "float32"}),
                     **dict.fromkeys(("ARG_MAX", "ARG_MIN", "GATHER", "GATHER_ND", "EMBEDDING_LOOKUP"),
                                     frozenset({"int8", "int32"})),
                     "DYNAMIC_UPDATE_SLICE": frozenset({"int8", "int16", "int32"}),
                     **dict.fromkeys(("FULLY_CONNECTED", "CONV_2D", "DEPTHWISE_CONV_2D", "ADD", "SUB", "LEAKY_RELU",
                                      "PAD", "STRIDED_SLICE", "REVERSE_V2", "MUL", "LOGISTIC", "TANH",
                                      "AVERAGE_POOL_2D", "MAX_POOL_2D", "SOFTMAX", "MEAN", "SUM", "CONCATENATION",
                                      "SPLIT", "SPLIT_V", "SLICE", "PACK", "UNPACK", "TRANSPOSE", "BATCH_MATMUL",
                                      "MAXIMUM", "MINIMUM", "SQUARED_DIFFERENCE", "PRELU", "RESIZE_NEAREST_NEIGHBOR",
                                      *sorted(ALIAS_OPS)),
                                     frozenset({"int8", "int16"})),
                     "SVDF": frozenset({"int8", "int16"}),
                     **dict.fromkeys(("EQUAL", "NOT_EQUAL", "LESS", "LESS_EQUAL", "GREATER", "GREATER_EQUAL"),
                                     frozenset({"int8", "bool"})),
                     "CAST": frozenset({"int8", "int16", "int32", "bool", "float32"}),
                     "TRANSPOSE_CONV": frozenset({"int8", "int16", "int32"}),  # int32: a run-time output_shape
                     "SELECT_V2": frozenset({"int8", "int16", "bool"}),
                     "SHAPE": frozenset({"int8", "int16", "int32"}),
                     "BROADCAST_ARGS": frozenset({"int32"}),
                     "UNIDIRECTIONAL_SEQUENCE_LSTM": frozenset({"int8", "int16"}),  # int16: cell state, 16x8
                     **dict.fromkeys(("LOGICAL_AND", "LOGICAL_OR", "LOGICAL_NOT", "REDUCE_ALL"), frozenset({"bool"})),
                     "VAR_HANDLE": frozenset({"resource"}),
                     **dict.fromkeys(("READ_VARIABLE", "ASSIGN_VARIABLE"), frozenset({"resource", "int8", "int16"}))}
_QUANTIZE_HINT = ("quantise it from the float Keras model or SavedModel with `tinygen quantize MODEL --calib DATA "
                  "-o OUT.tflite` (it reads those, not a .tflite), then pass the full-integer int8 .tflite it writes")


@dataclass(frozen=True)
class Unsupported:
    """`count` operators `op` whose activations are `dtype` ("int16", "float32->int8"; None: the op reads none)."""

    op: str
    dtype: str | None
    count: int

    def __str__(self) -> str:
        return f"{self.op}{f' ({self.dtype})' if self.dtype else ''}×{self.count}"


def op_dtype(graph: Graph, op: Operator) -> str | None:
    """The type an operator computes in: its first activation input's, "in->out" when its output's differs."""
    inputs = [t.dtype for t in graph.op_tensors(op) if t is not None and not t.is_constant]
    if not inputs:
        return None
    outputs = [t.dtype for t in graph.op_tensors(op, "outputs") if t is not None]
    return f"{inputs[0]}->{outputs[0]}" if outputs and outputs[0] != inputs[0] else inputs[0]


def is_generated(graph: Graph, op: Operator) -> bool:
    """tinygen has a kernel (or, for an alias, needs none) for `op` in its tensors' types."""
    if op.opcode not in generated_ops():
        return False
    if op.opcode == "CALL_ONCE":
        return init_assignments(graph, op) is not None
    activation = _ACTIVATION_TYPES.get(op.opcode, frozenset({"int8"}))
    constant = _CONSTANT_TYPES | _MORE_CONSTANT_TYPES.get(op.opcode, frozenset())
    tensors = [t for t in graph.op_tensors(op) + graph.op_tensors(op, "outputs") if t is not None]
    if any(t.dtype == "int4" for t in tensors) and any(t.dtype not in INT4_ACTIVATIONS for t in tensors
                                                        if not t.is_constant):
        return False
    return all(t.dtype in (constant if t.is_constant else activation) for t in tensors)


def unsupported_ops(graph: Graph) -> tuple[Unsupported, ...]:
    """Every (opcode, type) piece tinygen cannot generate, with its count, sorted: all of them at once."""
    counts: dict[tuple[str, str], int] = {}
    for op in graph.operators:
        if not is_generated(graph, op):
            key = (op.opcode, op_dtype(graph, op) or "")
            counts[key] = counts.get(key, 0) + 1
    return tuple(Unsupported(op, dtype or None, n) for (op, dtype), n in sorted(counts.items()))


def missing_kernels(graph: Graph) -> str | None:
    """None when tinygen generates every operator of `graph`, else the pieces it cannot, listed."""
    pieces = unsupported_ops(graph)
    return f"tinygen cannot generate {', '.join(map(str, pieces))}" if pieces else None


def is_float_model(graph: Graph) -> bool:
    """No activation is int8 or int16: a model not yet quantised (a float island in an int8 model, which the
    converter leaves where it has no integer kernel, is not one)."""
    return not any(t.dtype in ("int8", "int16") for t in graph.tensors if not t.is_constant)


def unsupported_message(origin: str, pieces: tuple[Unsupported, ...], float_model: bool) -> str:
    """One line naming every piece; the quantise hint only for a float model, the one case it fixes."""
    listed = ", ".join(map(str, pieces))
    floats = float_model and all(p.op in generated_ops() and (p.dtype or "").startswith("float") for p in pieces)
    advice = (f"a float model: {_QUANTIZE_HINT}" if floats else "tinygen does not support these yet; "
              "replace them in the model or open an issue for kernels")
    count = sum(p.count for p in pieces)
    return f"{origin}: {count} operator{'s' if count != 1 else ''} tinygen cannot generate: {listed}; {advice}"


def require_generated(graph: Graph, origin: str) -> None:
    """Refuse, before planning or lowering, a graph with any operator tinygen cannot generate, listing all."""
    pieces = unsupported_ops(graph)
    if pieces:
        raise InputError(unsupported_message(origin, pieces, is_float_model(graph)))
