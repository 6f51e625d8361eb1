"""The LOG_SOFTMAX block: per row, x - max - log(sum of exp(x - max)), int8 out at scale 16/256, zero point 127."""

from __future__ import annotations

from dataclasses import dataclass

from tinygen.kernels.block import ArenaPtr, ConstArray, ParamBlock, i32, ptr


@dataclass(frozen=True)
class LogSoftmaxParams(ParamBlock):
    C_NAME = "tg_log_softmax_params"
    C_DOC = ("LOG_SOFTMAX along the last axis (reference/log_softmax.h). A row's exps are summed from exp_terms, "
             "indexed by max - x: TFLite Micro's Q12.19 term for that difference (0 below diff_min).")

    input: ArenaPtr = ptr("const int8_t *", "rows x depth")
    output: ArenaPtr = ptr("int8_t *", "rows x depth")
    exp_terms: ConstArray = ptr("const int32_t *", "256 Q12.19 exps, for differences 0, -1, ..., -255")
    rows: int = i32("product of the axes before the last")
    depth: int = i32("the last axis")
    input_multiplier: int = i32("scales a difference into Q5.26")
    input_left_shift: int = i32("... with this left shift")
    reverse_multiplier: int = i32("scales a Q5.26 log back to input units (reverse_scaling_divisor)")
    reverse_shift: int = i32("... with this (non-positive) shift")
    diff_min: int = i32("differences below this are too small to matter (-input radius)")
