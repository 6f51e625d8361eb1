"""Shared lowering helpers: arena pointers, quantisation look-ups, activation ranges."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from tinygen.kernels.block import ArenaPtr, ConstArray
from tinygen.errors import InputError
from tinygen.ir.graph import Graph, Operator, Tensor
from tinygen.plan.memory import MemoryPlan
from tinygen.numerics.fixedpoint import round_half_away

@dataclass(frozen=True)
class LowerContext:
    graph: Graph
    plan: MemoryPlan
    origin: str  # model path, for error messages

    def tensor(self, op: Operator, slot: int, which: str = "inputs") -> Tensor:
        return self.graph.tensor(getattr(op, which)[slot])

    def ptr(self, tensor: Tensor) -> ArenaPtr:
        return ArenaPtr(self.plan.offset_of(tensor.index))

    def array(self, op: Operator, name: str, values: np.ndarray) -> ConstArray:
        return ConstArray(f"tg_l{op.index}_{name}", np.ascontiguousarray(values))

    def fail(self, op: Operator, problem: str) -> InputError:
        return InputError(f"{self.origin}: operator {op.index} {op.opcode}: {problem}")

    def zero_point(self, t: Tensor) -> int:
        return t.quant.zero_point if t.quant else 0

    def scale(self, t: Tensor) -> float:
        if t.quant is None:
            raise InputError(f"{self.origin}: tensor '{t.name}' has no quantisation; re-export as full-integer int8")
        return t.quant.scale


def quantize_f32(value: float, scale: float, zero_point: int) -> int:
    """zp + roundf(value / scale), the divide in float32 (CalculateActivationRange, FloatToQuantizedType)."""
    return zero_point + round_half_away(float(np.float32(value) / np.float32(scale)))


def activation_range(activation: str, out: Tensor) -> tuple[int, int]:
    """TFLite's CalculateActivationRangeQuantized for int8: fused clamps in output units."""
    scale, zp = out.quant.scale, out.quant.zero_point

    def q(x: float) -> int:
        return quantize_f32(x, scale, zp)

    lo, hi = -128, 127
    if activation == "RELU":
        lo = max(lo, q(0.0))
    elif activation == "RELU6":
        lo, hi = max(lo, q(0.0)), min(hi, q(6.0))
    elif activation == "RELU_N1_TO_1":
        lo, hi = max(lo, q(-1.0)), min(hi, q(1.0))
    elif activation != "NONE":
        raise InputError(f"fused activation {activation} is not supported on int8 outputs")
    return lo, hi
