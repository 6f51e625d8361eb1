"""The float32 <-> int8 block at a model's edges (QUANTIZE from float, DEQUANTIZE to float)."""

from __future__ import annotations

from dataclasses import dataclass

from tinygen.kernels.block import ArenaPtr, ParamBlock, f32, i32, ptr


@dataclass(frozen=True)
class QuantizeParams(ParamBlock):
    C_NAME = "tg_quantize_params"
    C_DOC = ("float32 <-> int8 at the model's edges. Float tensors live in the arena as bytes; the kernels read and "
             "write them with memcpy (no alignment or aliasing assumptions).")

    input: ArenaPtr = ptr("const int8_t *","the operand")
    output: ArenaPtr = ptr("int8_t *","the result")
    size: int = i32("elements")
    scale: float = f32("the int8 tensor's scale")
    zero_point: int = i32("the int8 tensor's zero point")
