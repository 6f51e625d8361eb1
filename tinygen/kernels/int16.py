"""Blocks of the 16x8 kernels (int16 activations, int8 weights), the int16 elementwise ops (ADD, SUB, MUL,
MAXIMUM, MINIMUM, SQUARED_DIFFERENCE, PRELU, SELECT_V2), LEAKY_RELU, LOGISTIC and TANH, and the int8 <-> int16
requantisation.

TFLite Micro runs these through its reference integer kernels: a 64-bit
accumulator when the bias is int64 (requantised by the int64
MultiplyByQuantizedMultiplier, which first rounds the multiplier to 16 bits),
a 32-bit one when the bias is int32. `wide` says which; the bias array is
int64 either way (an int32 bias widened, with -zp_in * sum(w) folded in).
The int16 layers never run in place or in patches (the planner keeps both
to int8), so these blocks have no temporary and no window.
"""

from __future__ import annotations

from dataclasses import dataclass

from tinygen.kernels.binary import DIMS
from tinygen.kernels.block import ArenaPtr, ConstArray, ParamBlock, i32, i32s, ptr


@dataclass(frozen=True)
class FullyConnectedS16Params(ParamBlock):
    C_NAME = "tg_fully_connected_s16_params"
    C_DOC = "FULLY_CONNECTED int16 x int8 weights [units][depth]; bias holds -zp_in * sum(w) folded in."

    input: ArenaPtr = ptr("const int16_t *", "batches x depth")
    output: ArenaPtr = ptr("int16_t *", "batches x units")
    weights: ConstArray = ptr("const int8_t *", "[units][depth]")
    bias: ConstArray = ptr("const int64_t *", "per unit")
    multiplier: ConstArray = ptr("const int32_t *", "one entry, or one per unit when per_channel")
    shift: ConstArray = ptr("const int32_t *", "requantisation shift (per unit when per_channel)")
    wide: int = i32("1: int64 accumulator and requantisation (int64 bias); 0: TFLite Micro's int32 path")
    batches: int = i32("rows of the input")
    depth: int = i32("inputs per batch")
    units: int = i32("outputs per batch")
    per_channel: int = i32("1: one multiplier and shift per unit")
    output_zero_point: int = i32("the output's zero point")
    act_min: int = i32("fused activation clamp, in output units")
    act_max: int = i32("upper end of the clamp")


@dataclass(frozen=True)
class FilterS16Params(ParamBlock):
    """The fields int16 convolutions and depthwise convolutions share; zero points are 0 (TFLite Micro's
    int16 kernels take none), padded taps are skipped."""

    input: ArenaPtr = ptr("const int16_t *", "NHWC input")
    output: ArenaPtr = ptr("int16_t *", "NHWC output")
    weights: ConstArray = ptr("const int8_t *", "int8 weights")
    bias: ConstArray = ptr("const int64_t *", "per output channel")
    multiplier: ConstArray = ptr("const int32_t *", "per output channel requantisation multiplier")
    shift: ConstArray = ptr("const int32_t *", "per output channel requantisation shift")
    wide: int = i32("1: int64 accumulator and requantisation (int64 bias); 0: TFLite Micro's int32 path")
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
    act_min: int = i32("fused activation clamp")
    act_max: int = i32("upper end of the clamp")


@dataclass(frozen=True)
class ConvS16Params(FilterS16Params):
    C_NAME = "tg_conv_s16_params"
    C_DOC = "CONV_2D, NHWC int16, OHWI int8 weights."


@dataclass(frozen=True)
class DepthwiseS16Params(FilterS16Params):
    C_NAME = "tg_depthwise_s16_params"
    C_DOC = "DEPTHWISE_CONV_2D, NHWC int16; weights as [k_h*k_w][out_c]; out channel = in channel * multiplier + m."

    depth_multiplier: int = i32("output channels per input channel")


@dataclass(frozen=True)
class RequantizeParams(ParamBlock):
    C_NAME = "tg_requantize_params"
    C_DOC = "QUANTIZE between int8, int16 and int32: zp_out + MultiplyByQuantizedMultiplier(x - zp_in), clamped."

    input: ArenaPtr = ptr("const void *", "int8, int16 or int32, as the kernel's name says")
    output: ArenaPtr = ptr("void *", "int8, int16 or int32")
    size: int = i32("elements")
    multiplier: int = i32("double(s_in) / double(s_out), quantised")
    shift: int = i32("its shift")
    input_zero_point: int = i32("the input's zero point")
    output_zero_point: int = i32("the output's zero point")


@dataclass(frozen=True)
class AddS16Params(ParamBlock):
    C_NAME = "tg_add_s16_params"
    C_DOC = ("ADD, SUB, MUL, MAXIMUM, MINIMUM, SQUARED_DIFFERENCE or PRELU int16 over a 4-D output, contiguous; "
             "input strides are 0 along broadcast axes. Pairs an op does not use are 0.")

    input1: ArenaPtr | ConstArray = ptr("const int16_t *", "first operand (arena tensor or flash constant)")
    input2: ArenaPtr | ConstArray = ptr("const int16_t *", "second operand; PRELU's int8 alpha, widened, in flash")
    output: ArenaPtr = ptr("int16_t *", "the result")
    dims: tuple[int, ...] = i32s(DIMS, "output shape, padded with leading 1s")
    strides1: tuple[int, ...] = i32s(DIMS, "input1's element strides, 0 along broadcast axes")
    strides2: tuple[int, ...] = i32s(DIMS, "input2's element strides, 0 along broadcast axes")
    input1_offset: int = i32("-zp of input1")
    input2_offset: int = i32("-zp of input2")
    output_offset: int = i32("zp of the output")
    input1_multiplier: int = i32("ADD/SUB/SQUARED_DIFFERENCE: input1's rescale; PRELU: that of x >= 0")
    input1_shift: int = i32("... and its shift")
    input2_multiplier: int = i32("input2's rescale")
    input2_shift: int = i32("... and its shift")
    output_multiplier: int = i32("ADD/SUB/MUL/SQUARED_DIFFERENCE: the output rescale; PRELU: that of x * alpha")
    output_shift: int = i32("... and its shift")
    act_min: int = i32("fused activation clamp")
    act_max: int = i32("upper end of the clamp")


@dataclass(frozen=True)
class SelectS16Params(AddS16Params):
    C_NAME = "tg_select_v2_s16_params"
    C_DOC = "SELECT_V2 of int16 values: condition ? input1 : input2, broadcast; offsets and pairs unused (0)."

    condition: ArenaPtr | ConstArray = ptr("const int8_t *", "bools, bytes holding 0 or 1")
    strides3: tuple[int, ...] = i32s(DIMS, "the condition's element strides, 0 along broadcast axes")


@dataclass(frozen=True)
class LeakyReluS16Params(ParamBlock):
    C_NAME = "tg_leaky_relu_s16_params"
    C_DOC = "LEAKY_RELU int16: x - zp_in rescaled by the identity pair if >= 0, else by alpha's (negated if alpha < 0)."

    input: ArenaPtr = ptr("const int16_t *", "the input")
    output: ArenaPtr = ptr("int16_t *", "the result")
    size: int = i32("elements")
    input_zero_point: int = i32("the input's zero point")
    output_zero_point: int = i32("the output's zero point")
    identity_multiplier: int = i32("s_in / s_out, quantised")
    identity_shift: int = i32("... and its shift")
    alpha_multiplier: int = i32("|s_in * alpha / s_out|, quantised")
    alpha_shift: int = i32("... and its shift")
    alpha_negative: int = i32("1: alpha < 0, the alpha path's result is negated")


@dataclass(frozen=True)
class SigmoidS16Params(ParamBlock):
    C_NAME = "tg_sigmoid_s16_params"
    C_DOC = ("LOGISTIC or TANH int16, zero points 0, output scale 2^-15: x * input_multiplier, shifted right by "
             "input_left_shift with rounding, indexes tg_sigmoid_s16.h's table, interpolated.")

    input: ArenaPtr = ptr("const int16_t *", "the input")
    output: ArenaPtr = ptr("int16_t *", "the result")
    size: int = i32("elements")
    input_multiplier: int = i32("the input rescale to the table's 1 / (3 * 4096) (at most 32767)")
    input_left_shift: int = i32("its right shift (0 for a power-of-two input scale, folded into the multiplier)")
