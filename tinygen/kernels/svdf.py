"""SVDF blocks: TFLite Micro's integer SVDF, int8 input and output, state and time weights int16 or int8.

Each step shifts the state (filters x memory values per batch) left by one,
writes the int8 feature projection of the input into each filter's newest
slot, takes every filter's dot product with its time weights, sums `rank`
filters per unit with the bias and requantises to int8. The part that does
not depend on the state's type is one block (tg_svdf_params) that both
kernels' blocks hold, so the C shares it too.
"""

from __future__ import annotations

from dataclasses import dataclass

from tinygen.kernels.block import ArenaPtr, ConstArray, Offset, ParamBlock, i32, nested, ptr


@dataclass(frozen=True)
class SvdfParams(ParamBlock):
    C_NAME = "tg_svdf_params"
    C_DOC = ("SVDF, the state-independent part: int8 input (batch, input_size) and output (batch, filters / rank), "
             "int8 feature weights (filters, input_size), int32 bias, and the two requantisations TFLite Micro's "
             "Prepare computes (effective_scale_1 and _2).")

    input: ArenaPtr = ptr("const int8_t *", "(batch, input_size)")
    output: ArenaPtr = ptr("int8_t *", "(batch, units)")
    scratch: ArenaPtr = ptr("int32_t *", "batch * filters int32: each filter's time dot product (arena scratch)")
    scratch_output: Offset = ptr("int32_t *", "batch * units int32 after it: bias plus a unit's rank filters")
    weights_feature: ConstArray = ptr("const int8_t *", "(filters, input_size)")
    bias: ConstArray = ptr("const int32_t *", "one per unit")
    batch: int = i32("rows of input and output")
    input_size: int = i32("values per input row")
    filters: int = i32("feature filters (units * rank)")
    memory: int = i32("state values per filter (the time window)")
    rank: int = i32("filters summed into each unit")
    input_zero_point: int = i32("subtracted from every input value")
    state_zero_point: int = i32("added to each stored feature, subtracted from each state value read")
    output_zero_point: int = i32("the output's zero point")
    feature_multiplier: int = i32("effective_scale_1 = s_in * s_feature / s_state (float32 product), quantised")
    feature_shift: int = i32("its shift")
    output_multiplier: int = i32("effective_scale_2 = s_state * s_time / s_out (float32 product), quantised")
    output_shift: int = i32("its shift")


@dataclass(frozen=True)
class SvdfS16Params(ParamBlock):
    C_NAME = "tg_svdf_s16_params"
    C_DOC = "SVDF with an int16 state and int16 time weights (TFLite Micro's EvalInt16SvdfReference)."

    common: SvdfParams = nested(SvdfParams, "the state-independent part")
    state: ArenaPtr = ptr("int16_t *", "(batch, filters * memory): the variable tensor, kept across invocations")
    weights_time: ConstArray = ptr("const int16_t *", "(filters, memory)")


@dataclass(frozen=True)
class SvdfS8Params(ParamBlock):
    C_NAME = "tg_svdf_s8_params"
    C_DOC = "SVDF with an int8 state and int8 time weights (TFLite Micro's EvalInt8SvdfReference)."

    common: SvdfParams = nested(SvdfParams, "the state-independent part")
    state: ArenaPtr = ptr("int8_t *", "(batch, filters * memory): the variable tensor, kept across invocations")
    weights_time: ConstArray = ptr("const int8_t *", "(filters, memory)")
