"""The AVERAGE_POOL_2D / MAX_POOL_2D blocks, int8 and int16 (equal input and output quantisation: no rescale)."""

from __future__ import annotations

from dataclasses import dataclass

from tinygen.kernels.block import ArenaPtr, ParamBlock, i32, nested, ptr
from tinygen.kernels.window import Window


@dataclass(frozen=True)
class PoolParams(ParamBlock):
    C_NAME = "tg_pool_params"
    C_DOC = "AVERAGE_POOL_2D and MAX_POOL_2D, NHWC int8; padded taps are left out of the average."

    input: ArenaPtr = ptr("const int8_t *", "NHWC input")
    output: ArenaPtr = ptr("int8_t *", "NHWC output")
    in_h: int = i32("input height")
    in_w: int = i32("input width")
    channels: int = i32("channels (input and output alike)")
    out_h: int = i32("output height")
    out_w: int = i32("output width")
    filter_h: int = i32("window height")
    filter_w: int = i32("window width")
    stride_h: int = i32("filter step between output rows")
    stride_w: int = i32("filter step between output columns")
    pad_top: int = i32("padding rows above the input")
    pad_left: int = i32("padding columns left of the input")
    act_min: int = i32("fused activation clamp")
    act_max: int = i32("upper end of the clamp")
    win: Window = nested(Window, "the part of the output to compute")


@dataclass(frozen=True)
class PoolS16Params(PoolParams):
    C_NAME = "tg_pool_s16_params"
    C_DOC = "tg_pool_params for int16 elements (the 16x8 models' pooling; the whole output, never a patch)."

    input: ArenaPtr = ptr("const int16_t *", "NHWC input")
    output: ArenaPtr = ptr("int16_t *", "NHWC output")
