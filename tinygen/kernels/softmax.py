"""The SOFTMAX blocks: int8 (TFLite Micro's fixed-point exp) and int16 (its exp and reciprocal tables), along the
last axis."""

from __future__ import annotations

from dataclasses import dataclass

from tinygen.kernels.block import ArenaPtr, ConstArray, ParamBlock, i32, ptr


@dataclass(frozen=True)
class SoftmaxParams(ParamBlock):
    C_NAME = "tg_softmax_params"
    C_DOC = ("int8 softmax over the last axis; output int8 (scale 1/256, zero point -128) or int16 (scale "
             "1/65536, zero point -32768). input_multiplier and input_left_shift scale (x - row max) by beta * "
             "input_scale into Q5.26; differences below diff_min have an exp that rounds to 0 and give the "
             "output type's minimum.")

    input: ArenaPtr = ptr("const int8_t *","the operand")
    output: ArenaPtr = ptr("int8_t *","the result: int8, or int16 values when output_int16")
    output_int16: int = i32("1: the output is int16")
    rows: int = i32("rows of depth values")
    depth: int = i32("values per row")
    input_multiplier: int = i32("beta * input scale into Q5.26: multiplier")
    input_left_shift: int = i32("... and its left shift")
    diff_min: int = i32("smaller differences give -128")


@dataclass(frozen=True)
class SoftmaxS16Params(ParamBlock):
    C_NAME = "tg_softmax_s16_params"
    C_DOC = ("int16 softmax over the last axis, zero points 0, output scale 1/32768: (x - row max) rescaled onto "
             "the exp table's [-10, 0], the sum of exps normalised into the reciprocal table, both tables "
             "interpolated (LUTLookup).")

    input: ArenaPtr = ptr("const int16_t *", "the operand")
    output: ArenaPtr = ptr("int16_t *", "the result (also holds the row's exps before they are scaled)")
    rows: int = i32("rows of depth values")
    depth: int = i32("values per row")
    exp_lut: ConstArray = ptr("const int16_t *", "513 samples of exp over [-10, 0]")
    reciprocal_lut: ConstArray = ptr("const int16_t *", "513 samples of 1 / (1 + x) over [0, 1]")
    input_multiplier: int = i32("beta * input scale / (10 / 65535): multiplier")
    input_shift: int = i32("... and its shift (MultiplyByQuantizedMultiplier's)")
