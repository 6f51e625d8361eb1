"""Which operators tinygen can generate, in which types, and the one message that lists all it cannot.

The importer reads any model TFLite Micro could run; this is where a model is
measured against the kernels: an operator is generated when lowering has a
function for its opcode (or it is an alias) and its tensors are the types the
kernels take: int8 activations (float32 on the float side of QUANTIZE and
DEQUANTIZE, int32 indices of ARG_MAX/ARG_MIN, GATHER and GATHER_ND, int16 where a 16x8
kernel exists, bool results of the comparisons and condition of SELECT_V2,
bools of the logical ops, CAST between bool, int8, int16, int32 and float32),
int8 or int4 constant weights, int32 or int64 constant biases and shape operands.
Everything else is one (operator, type) piece, counted, so a user sees the
whole list at once whatever the reason.
"""

from __future__ import annotations

from dataclasses import dataclass

from tinygen.errors import InputError
from tinygen.ir.graph import Graph, Operator
from tinygen.ir.opset import ALIAS_OPS, FLOAT_IO_OPS
from tinygen.lower import generated_ops

_CONSTANT_TYPES = frozenset({"int8", "int4", "int32", "int64"})
# Activation types besides int8, by opcode: the float side of the I/O converters (int8 or int16 on the other
# side), QUANTIZE's int8 <-> int16 and int16 <-> int32, ARG_MAX/ARG_MIN's int32 indices out, GATHER(_ND)'s int32
# indices in, the int16 activations of the 16x8 kernels, of the int16 copies (PAD, STRIDED_SLICE) and of the
# aliases (which move no data), the comparisons' bool out, CAST's types, SELECT_V2's bool condition and the
# logical ops' bools (each lowering checks which operand may be which).
_ACTIVATION_TYPES = {**dict.fromkeys(FLOAT_IO_OPS, frozenset({"int8", "int16", "float32"})),
                     "QUANTIZE": frozenset({"int8", "int16", "int32", "float32"}),
                     **dict.fromkeys(("ARG_MAX", "ARG_MIN", "GATHER", "GATHER_ND"), frozenset({"int8", "int32"})),
                     **dict.fromkeys(("FULLY_CONNECTED", "CONV_2D", "DEPTHWISE_CONV_2D", "ADD", "SUB", "LEAKY_RELU",
                                      "BATCH_MATMUL", "PAD", "STRIDED_SLICE", *sorted(ALIAS_OPS)),
                                     frozenset({"int8", "int16"})),
                     **dict.fromkeys(("EQUAL", "NOT_EQUAL", "LESS", "LESS_EQUAL", "GREATER", "GREATER_EQUAL"),
                                     frozenset({"int8", "bool"})),
                     "CAST": frozenset({"int8", "int16", "int32", "bool", "float32"}),
                     "SELECT_V2": frozenset({"int8", "bool"}),
                     **dict.fromkeys(("LOGICAL_AND", "LOGICAL_OR", "LOGICAL_NOT"), frozenset({"bool"}))}
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
    activation = _ACTIVATION_TYPES.get(op.opcode, frozenset({"int8"}))
    tensors = [t for t in graph.op_tensors(op) + graph.op_tensors(op, "outputs") if t is not None]
    return all(t.dtype in (_CONSTANT_TYPES if t.is_constant else activation) for t in tensors)


def unsupported_ops(graph: Graph) -> tuple[Unsupported, ...]:
    """Every (opcode, type) piece tinygen cannot generate, with its count, sorted: all of them at once."""
    counts: dict[tuple[str, str], int] = {}
    for op in graph.operators:
        if not is_generated(graph, op):
            key = (op.opcode, op_dtype(graph, op) or "")
            counts[key] = counts.get(key, 0) + 1
    return tuple(Unsupported(op, dtype or None, n) for (op, dtype), n in sorted(counts.items()))


def unsupported_message(origin: str, pieces: tuple[Unsupported, ...]) -> str:
    """One line naming every piece; the quantise hint only for a float model, the one case it fixes."""
    listed = ", ".join(map(str, pieces))
    floats = all(p.op in generated_ops() and (p.dtype or "").startswith("float") for p in pieces)
    advice = (f"a float model: {_QUANTIZE_HINT}" if floats else "tinygen does not support these yet; "
              "replace them in the model or open an issue for kernels")
    count = sum(p.count for p in pieces)
    return f"{origin}: {count} operator{'s' if count != 1 else ''} tinygen cannot generate: {listed}; {advice}"


def require_generated(graph: Graph, origin: str) -> None:
    """Refuse, before planning or lowering, a graph with any operator tinygen cannot generate, listing all."""
    pieces = unsupported_ops(graph)
    if pieces:
        raise InputError(unsupported_message(origin, pieces))
