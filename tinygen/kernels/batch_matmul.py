"""The BATCH_MATMUL block: a matrix product per batch, batch axes broadcast, int8 or int16 operands.

TFLite Micro reuses its fully connected arithmetic: (lhs - zp) * (rhs - zp)
summed over the depth (int32 for int8, int64 for int16, whose zero points are
all 0), one per-tensor requantisation, clamped to the output type. adj_x and
adj_y only change which element is read, so they are strides here.
"""

from __future__ import annotations

from dataclasses import dataclass

from tinygen.kernels.block import ArenaPtr, ConstArray, ParamBlock, i32, i32s, ptr

BATCH_DIMS = 3  # TFLite Micro takes ranks 2 to 5: up to three batch axes


@dataclass(frozen=True)
class BatchMatMulParams(ParamBlock):
    C_NAME = "tg_batch_matmul_params"
    C_DOC = ("output[b][r][c] = sum over d of lhs(b, r, d) * rhs(b, d, c), offsets applied, requantised; each "
             "operand is reached through its own strides (0 along broadcast batch axes).")

    lhs: ArenaPtr | ConstArray = ptr("const int8_t *", "left operand")
    rhs: ArenaPtr | ConstArray = ptr("const int8_t *", "right operand")
    output: ArenaPtr = ptr("int8_t *", "batches x rows x cols")
    batches: tuple[int, ...] = i32s(BATCH_DIMS, "output batch axes, padded with leading 1s")
    lhs_batch_strides: tuple[int, ...] = i32s(BATCH_DIMS, "lhs element step per batch axis")
    rhs_batch_strides: tuple[int, ...] = i32s(BATCH_DIMS, "rhs element step per batch axis")
    rows: int = i32("output rows")
    cols: int = i32("output columns")
    depth: int = i32("terms per output element")
    lhs_row_stride: int = i32("lhs element step per output row")
    lhs_depth_stride: int = i32("lhs element step per depth index")
    rhs_depth_stride: int = i32("rhs element step per depth index")
    rhs_col_stride: int = i32("rhs element step per output column")
    lhs_offset: int = i32("-zp of lhs")
    rhs_offset: int = i32("-zp of rhs")
    output_offset: int = i32("zp of the output")
    multiplier: int = i32("requantisation multiplier: scale_lhs * scale_rhs / scale_out")
    shift: int = i32("... and its shift")
    act_min: int = i32("lowest output value (the type's)")
    act_max: int = i32("highest output value")


@dataclass(frozen=True)
class BatchMatMulS16Params(BatchMatMulParams):
    C_NAME = "tg_batch_matmul_s16_params"
    C_DOC = "tg_batch_matmul_params for int16 operands and output (zero points 0, an int64 sum)."

    lhs: ArenaPtr | ConstArray = ptr("const int16_t *", "left operand")
    rhs: ArenaPtr | ConstArray = ptr("const int16_t *", "right operand")
    output: ArenaPtr = ptr("int16_t *", "batches x rows x cols")
