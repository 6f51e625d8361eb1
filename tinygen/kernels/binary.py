"""The block of elementwise ops with broadcasting: ADD, SUB, MUL, DIV, MAXIMUM, MINIMUM, SQUARED_DIFFERENCE, PRELU
(input2 is its alpha), the comparisons (int8 in, bool out) and SELECT_V2 (input3 is its condition). Bools are
bytes holding 0 or 1, as TFLite Micro stores them."""

from __future__ import annotations

from dataclasses import dataclass

from tinygen.kernels.block import ArenaPtr, ConstArray, ParamBlock, i32, i32s, ptr

DIMS = 4  # TFLite Micro broadcasts up to 4-D


@dataclass(frozen=True)
class BinaryParams(ParamBlock):
    C_NAME = "tg_binary_params"
    C_DOC = ("Elementwise int8 and bool ops over a 4-D output; input strides are 0 along broadcast axes. "
             "Output strides let a window write into a larger buffer (tg_binary_window).")

    input1: ArenaPtr | ConstArray = ptr("const int8_t *","first operand (arena tensor or flash constant)")
    input2: ArenaPtr | ConstArray = ptr("const int8_t *","second operand (arena tensor or flash constant)")
    input3: ArenaPtr | ConstArray | None = ptr("const int8_t *", "SELECT_V2's condition; NULL for the other ops",
                                               nullable=True)
    output: ArenaPtr = ptr("int8_t *","the result")
    dims: tuple[int, ...] = i32s(DIMS, "output shape, padded with leading 1s")
    strides1: tuple[int, ...] = i32s(DIMS, "input1's element strides, 0 along broadcast axes")
    strides2: tuple[int, ...] = i32s(DIMS, "input2's element strides, 0 along broadcast axes")
    strides3: tuple[int, ...] = i32s(DIMS, "input3's element strides (all 0 without input3)")
    out_strides: tuple[int, ...] = i32s(DIMS, "output element strides")
    input1_offset: int = i32("-zp of input1")
    input2_offset: int = i32("-zp of input2")
    output_offset: int = i32("zp of the output")
    input1_multiplier: int = i32("ADD/SUB/SQUARED_DIFFERENCE/comparisons: input1's rescale; PRELU: that of x >= 0")
    input1_shift: int = i32("... and its shift")
    input2_multiplier: int = i32("ADD/SUB/SQUARED_DIFFERENCE/comparisons: input2's rescale")
    input2_shift: int = i32("... and its shift")
    output_multiplier: int = i32("ADD/SUB/MUL/DIV/SQUARED_DIFFERENCE: the output rescale; PRELU: that of x * alpha")
    output_shift: int = i32("... and its shift")
    act_min: int = i32("fused activation clamp (0..1 for bool results)")
    act_max: int = i32("upper end of the clamp")
    table1: ConstArray | None = ptr("const int32_t *", "ADD/SUB on DSP cores (tg_add_dsp_s8): input1 rescaled, per "
                                    "int8 value + 128; NULL elsewhere", nullable=True)
    table2: ConstArray | None = ptr("const int32_t *", "... input2's (negated for SUB)", nullable=True)
