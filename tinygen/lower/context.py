"""Shared lowering helpers: arena pointers, quantisation look-ups, activation ranges."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from tinygen.errors import InputError
from tinygen.ir.graph import Graph, Operator, Quant, Tensor
from tinygen.kernels.block import ArenaPtr, ConstArray
from tinygen.numerics.fixedpoint import round_half_away
from tinygen.plan.memory import MemoryPlan


@dataclass(frozen=True)
class LowerContext:
    graph: Graph
    plan: MemoryPlan
    origin: str  # model path, for error messages

    def tensor(self, op: Operator, slot: int, which: str = "inputs") -> Tensor:
        return self.graph.tensor(getattr(op, which)[slot])

    def ptr(self, tensor: Tensor) -> ArenaPtr:
        """Where `tensor` lives: the arena, or the state region for a variable tensor (an SVDF's, an LSTM's)."""
        if tensor.variable:
            return ArenaPtr(self.plan.state.tensor_offset(tensor.index), state=True)
        return ArenaPtr(self.plan.offset_of(tensor.index))

    def array(self, op: Operator, name: str, values: np.ndarray) -> ConstArray:
        return ConstArray(f"tg_l{op.index}_{name}", np.ascontiguousarray(values))

    def fail(self, op: Operator, problem: str) -> InputError:
        return InputError(f"{self.origin}: operator {op.index} {op.opcode}: {problem}")

    def zero_point(self, t: Tensor) -> int:
        return t.quant.zero_point if t.quant else 0

    def quant(self, t: Tensor) -> Quant:
        """`t`'s quantisation, which a model can omit even on an int8 tensor."""
        if t.quant is None:
            raise InputError(f"{self.origin}: tensor '{t.name}' has no quantisation; re-export as full-integer int8")
        return t.quant

    def scale(self, t: Tensor) -> float:
        return self.quant(t).scale

    def constant(self, op: Operator, slot: int) -> np.ndarray:
        """The data of input `slot`, which the kernels take from flash: a model can feed it from another op."""
        t = self.tensor(op, slot)
        if t.data is None:
            raise self.fail(op, f"input {slot} ('{t.name}') is not a constant; tinygen needs it in the model")
        return t.data


def quantize_f32(value: float, scale: float, zero_point: int) -> int:
    """zp + roundf(value / scale), the divide in float32 (CalculateActivationRange, FloatToQuantizedType)."""
    return zero_point + round_half_away(float(np.float32(value) / np.float32(scale)))


def activation_range(activation: str, out: Quant, bounds: tuple[int, int] = (-128, 127)) -> tuple[int, int]:
    """TFLite's CalculateActivationRangeQuantized: fused clamps in output units (`out`'s), within `bounds`
    (the output type's range: int8's, or int16's for the 16x8 kernels)."""
    scale, zp = out.scale, out.zero_point

    def q(x: float) -> int:
        return quantize_f32(x, scale, zp)

    lo, hi = bounds
    if activation == "RELU":
        lo = max(lo, q(0.0))
    elif activation == "RELU6":
        lo, hi = max(lo, q(0.0)), min(hi, q(6.0))
    elif activation == "RELU_N1_TO_1":
        lo, hi = max(lo, q(-1.0)), min(hi, q(1.0))
    elif activation != "NONE":
        raise InputError(f"fused activation {activation} is not supported on quantised outputs")
    return lo, hi
