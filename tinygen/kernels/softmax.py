"""The int8 SOFTMAX block: TFLite Micro's fixed-point exp along the last axis."""

from __future__ import annotations

from dataclasses import dataclass

from tinygen.kernels.block import ArenaPtr, ParamBlock, i32, ptr


@dataclass(frozen=True)
class SoftmaxParams(ParamBlock):
    C_NAME = "tg_softmax_params"
    C_DOC = ("int8 softmax over the last axis; output scale 1/256, zero point -128. input_multiplier and "
             "input_left_shift scale (x - row max) by beta * input_scale into Q5.26; differences below diff_min "
             "have an exp that rounds to 0 and give -128.")

    input: ArenaPtr = ptr("const int8_t *","the operand")
    output: ArenaPtr = ptr("int8_t *","the result")
    rows: int = i32("rows of depth values")
    depth: int = i32("values per row")
    input_multiplier: int = i32("beta * input scale into Q5.26: multiplier")
    input_left_shift: int = i32("... and its left shift")
    diff_min: int = i32("smaller differences give -128")
