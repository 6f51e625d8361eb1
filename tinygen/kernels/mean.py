"""The reduction blocks: MEAN and SUM (TFLite Micro's QuantizedMeanOrSum, int8 and int16), REDUCE_MAX/MIN and
ARG_MAX/MIN (int8).

All walk the same windows: each output element is one setting of the kept
axes (outer_*), reducing the window of the other axes (inner_*).
"""

from __future__ import annotations

from dataclasses import dataclass

from tinygen.kernels.block import ArenaPtr, ParamBlock, i32, i32s, ptr

MAX_DIMS = 5  # TG_MEAN_MAX_DIMS


@dataclass(frozen=True)
class ReduceParams(ParamBlock):
    """The fields MEAN/SUM and REDUCE_MAX/MIN share, in their C order: the operands and the windows."""

    input: ArenaPtr = ptr("const int8_t *", "the operand")
    output: ArenaPtr = ptr("int8_t *", "the result")
    outer_dims: tuple[int, ...] = i32s(MAX_DIMS, "kept axes")
    outer_strides: tuple[int, ...] = i32s(MAX_DIMS, "input element strides of the kept axes")
    inner_dims: tuple[int, ...] = i32s(MAX_DIMS, "reduced axes")
    inner_strides: tuple[int, ...] = i32s(MAX_DIMS, "input element strides of the reduced axes")


@dataclass(frozen=True)
class MeanParams(ReduceParams):
    C_NAME = "tg_mean_params"
    C_DOC = ("MEAN or SUM over constant axes. Output element = the kept axes (outer_*), in order; each sums the "
             "window of reduced axes (inner_*). Strides are in input elements; dims are padded with leading size-1 "
             "axes.")

    input_offset: int = i32("-input_zero_point * count")
    output_zero_point: int = i32("the output's zero point")
    multiplier: int = i32("MEAN: with 1/count folded in")
    shift: int = i32("requantisation shift")


@dataclass(frozen=True)
class MeanS16Params(MeanParams):
    C_NAME = "tg_mean_s16_params"
    C_DOC = "tg_mean_params for int16 elements (the arithmetic is int8's, clamped to int16)."

    input: ArenaPtr = ptr("const int16_t *", "the operand")
    output: ArenaPtr = ptr("int16_t *", "the result")


@dataclass(frozen=True)
class MinMaxParams(ReduceParams):
    C_NAME = "tg_minmax_params"
    C_DOC = ("REDUCE_MAX or REDUCE_MIN over constant axes, windows as tg_mean_params'. Input and output share "
             "their quantisation (TFLite Micro requires it), so raw values are compared and copied.")


@dataclass(frozen=True)
class ArgMinMaxParams(ParamBlock):
    C_NAME = "tg_arg_minmax_params"
    C_DOC = ("ARG_MAX or ARG_MIN along one axis, outer_* as tg_mean_params'. Each output is the first index along "
             "the axis holding the extreme raw value (TFLite Micro's ArgMinMax).")

    input: ArenaPtr = ptr("const int8_t *", "the operand")
    output: ArenaPtr = ptr("int8_t *", "the int32 indices, written with memcpy (no alignment assumption)")
    outer_dims: tuple[int, ...] = i32s(MAX_DIMS, "the other axes")
    outer_strides: tuple[int, ...] = i32s(MAX_DIMS, "input element strides of the other axes")
    axis_size: int = i32("the reduced axis")
    axis_stride: int = i32("its input element stride")
