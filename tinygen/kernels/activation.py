"""Elementwise int8 -> int8 blocks: a 256-entry table, or a plain clamp when the table is one."""

from __future__ import annotations

from dataclasses import dataclass

from tinygen.kernels.block import ArenaPtr, ConstArray, ParamBlock, i32, ptr


@dataclass(frozen=True)
class LutParams(ParamBlock):
    C_NAME = "tg_lut_params"
    C_DOC = ("int8 -> int8 elementwise op as a table: output = table[input + 128]. tinygen fills the table with "
             "TFLite Micro's integer arithmetic for every input (LOGISTIC, TANH, HARD_SWISH, LEAKY_RELU, RELU, ABS, "
             "RSQRT, ELU, QUANTIZE; LOGICAL_NOT on bool bytes).")

    input: ArenaPtr = ptr("const int8_t *","the operand")
    output: ArenaPtr = ptr("int8_t *","the result")
    size: int = i32("elements")
    table: ConstArray = ptr("const int8_t *", "256 outputs, for inputs -128..127")


@dataclass(frozen=True)
class ClampParams(ParamBlock):
    C_NAME = "tg_clamp_params"
    C_DOC = "int8 -> int8 clamp to [act_min, act_max] (RELU6, and RELU without rescale)."

    input: ArenaPtr = ptr("const int8_t *","the operand")
    output: ArenaPtr = ptr("int8_t *","the result")
    size: int = i32("elements")
    act_min: int = i32("lower end of the clamp")
    act_max: int = i32("upper end of the clamp")
