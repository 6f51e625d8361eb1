"""The L2_NORMALIZATION block: each row along the last axis divided by its L2 norm, int8 out in Q0.7."""

from __future__ import annotations

from dataclasses import dataclass

from tinygen.kernels.block import ArenaPtr, ParamBlock, i32, ptr


@dataclass(frozen=True)
class L2NormParams(ParamBlock):
    C_NAME = "tg_l2norm_params"
    C_DOC = ("L2_NORMALIZATION: per row, (x - zp) times the inverse square root of the row's sum of squares, "
             "scaled to 1/128 (TFLite Micro ignores the output quantisation).")

    input: ArenaPtr = ptr("const int8_t *", "rows x depth")
    output: ArenaPtr = ptr("int8_t *", "rows x depth")
    rows: int = i32("product of the axes before the last")
    depth: int = i32("the last axis")
    input_zero_point: int = i32("zp of the input")
