"""TRANSPOSE_CONV blocks: NHWC int8 or int16 (16x8) activations, OHWI int8 weights, per-channel requantisation.

TFLite Micro scatters each input pixel into the output window it touches and
keeps only the taps that land inside the output, so how many taps an output
value sums depends on where it sits: the input zero point cannot be folded
into the bias as for CONV_2D, and the kernel subtracts it per tap instead.
"""

from __future__ import annotations

from dataclasses import dataclass

from tinygen.kernels.block import ArenaPtr, ConstArray, ParamBlock, i32, ptr


@dataclass(frozen=True)
class TransposeConvParams(ParamBlock):
    C_NAME = "tg_transpose_conv_params"
    C_DOC = ("TRANSPOSE_CONV, NHWC int8, OHWI weights: input pixel (iy, ix) adds (x - zp_in) * w[oc][ky][kx] to "
             "output (iy*stride_h - pad_top + ky, ix*stride_w - pad_left + kx) when inside, in int32 scratch.")

    input: ArenaPtr = ptr("const int8_t *", "NHWC input")
    output: ArenaPtr = ptr("int8_t *", "NHWC output")
    scratch: ArenaPtr = ptr("int32_t *", "one int32 accumulator per output value (arena scratch of this step)")
    weights: ConstArray = ptr("const int8_t *", "OHWI")
    bias: ConstArray = ptr("const int32_t *", "per output channel (zeros when the model has none)")
    multiplier: ConstArray = ptr("const int32_t *", "per output channel requantisation multiplier")
    shift: ConstArray = ptr("const int32_t *", "per output channel requantisation shift")
    batches: int = i32("images")
    in_h: int = i32("input height")
    in_w: int = i32("input width")
    in_c: int = i32("input channels")
    out_h: int = i32("output height")
    out_w: int = i32("output width")
    out_c: int = i32("output channels")
    k_h: int = i32("filter height")
    k_w: int = i32("filter width")
    stride_h: int = i32("output rows between neighbouring input rows")
    stride_w: int = i32("output columns between neighbouring input columns")
    pad_top: int = i32("output rows cut off at the top")
    pad_left: int = i32("output columns cut off at the left")
    input_zero_point: int = i32("subtracted from every input value")
    output_zero_point: int = i32("the output's zero point")
    act_min: int = i32("fused activation clamp, in output units")
    act_max: int = i32("upper end of the clamp")


@dataclass(frozen=True)
class TransposeConvS16Params(TransposeConvParams):
    C_NAME = "tg_transpose_conv_s16_params"
    C_DOC = ("tg_transpose_conv_params for 16x8: int16 activations, int64 scratch and bias, requantised by the "
             "64-bit MultiplyByQuantizedMultiplier; zero points are 0 (TFLite Micro's int16 kernel takes none).")

    input: ArenaPtr = ptr("const int16_t *", "NHWC input")
    output: ArenaPtr = ptr("int16_t *", "NHWC output")
    scratch: ArenaPtr = ptr("int64_t *", "one int64 accumulator per output value (arena scratch of this step)")
    bias: ConstArray = ptr("const int64_t *", "per output channel (zeros when the model has none)")
