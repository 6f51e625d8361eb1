"""CONV_2D and DEPTHWISE_CONV_2D blocks: NHWC int8 activations, int8 or packed int4 weights.

The bias already holds -zp_in * sum(w) (folded at generation time), so padded
taps read as the input zero point add exactly zero, as TFLite Micro's skipped
taps do.
"""

from __future__ import annotations

from dataclasses import dataclass

from tinygen.kernels.block import ArenaPtr, ConstArray, ParamBlock, i32, nested, ptr
from tinygen.kernels.window import Window


@dataclass(frozen=True)
class FilterParams(ParamBlock):
    """The fields convolutions and depthwise convolutions share, in their C order."""

    input: ArenaPtr = ptr("const int8_t *", "NHWC input")
    output: ArenaPtr = ptr("int8_t *", "NHWC output")
    weights: ConstArray = ptr("const int8_t *", "int8, or int4 packed two per byte (tg_int4.h)")
    bias: ConstArray = ptr("const int32_t *", "per output channel, with -zp_in * sum(w) folded in")
    multiplier: ConstArray = ptr("const int32_t *", "per output channel requantisation multiplier")
    shift: ConstArray = ptr("const int32_t *", "per output channel requantisation shift")
    right_shifts: int = i32("1 when every shift <= -2: the DSP kernels' short requantisation")
    in_h: int = i32("input height")
    in_w: int = i32("input width")
    in_c: int = i32("input channels")
    out_h: int = i32("output height")
    out_w: int = i32("output width")
    out_c: int = i32("output channels")
    k_h: int = i32("filter height")
    k_w: int = i32("filter width")
    stride_h: int = i32("filter step between output rows")
    stride_w: int = i32("filter step between output columns")
    dilation_h: int = i32("filter tap spacing down the rows")
    dilation_w: int = i32("filter tap spacing across the columns")
    pad_top: int = i32("padding rows above the input")
    pad_left: int = i32("padding columns left of the input")
    input_zero_point: int = i32("what padded taps read")
    output_zero_point: int = i32("the output's zero point")
    act_min: int = i32("fused activation clamp, in output units")
    act_max: int = i32("upper end of the clamp")
    temp: ArenaPtr | None = ptr("int8_t *", "in-place temporary (the kernel's .c says how wide); NULL when "
                                            "output and input are separate buffers", nullable=True)
    win: Window = nested(Window, "the part of the output to compute")


@dataclass(frozen=True)
class ConvParams(FilterParams):
    C_NAME = "tg_conv_params"
    C_DOC = "CONV_2D, NHWC int8, OHWI weights; bias already holds -zp_in * sum(w) (folded at generation time)."


@dataclass(frozen=True)
class DepthwiseParams(FilterParams):
    C_NAME = "tg_depthwise_params"
    C_DOC = ("DEPTHWISE_CONV_2D, NHWC int8; weights as [k_h*k_w][out_c]; "
             "out channel = in channel * multiplier + m.")

    depth_multiplier: int = i32("output channels per input channel")
