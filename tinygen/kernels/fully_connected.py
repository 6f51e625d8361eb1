"""The FULLY_CONNECTED block: weights [units][depth] (the DSP kernel's interleaved order is a re-layout)."""

from __future__ import annotations

from dataclasses import dataclass

from tinygen.kernels.block import ArenaPtr, ConstArray, ParamBlock, i32, ptr


@dataclass(frozen=True)
class FullyConnectedParams(ParamBlock):
    C_NAME = "tg_fully_connected_params"
    C_DOC = "FULLY_CONNECTED int8: weights [units][depth]; bias holds -zp_in * sum(w) folded in."

    input: ArenaPtr = ptr("const int8_t *", "batches x depth")
    output: ArenaPtr = ptr("int8_t *", "batches x units")
    weights: ConstArray = ptr("const int8_t *", "int8, or int4 packed two per byte (tg_int4.h)")
    bias: ConstArray = ptr("const int32_t *", "per unit, with -zp_in * sum(w) folded in")
    multiplier: ConstArray = ptr("const int32_t *", "one entry, or one per unit when per_channel")
    shift: ConstArray = ptr("const int32_t *","requantisation shift (per unit when per_channel)")
    right_shifts: int = i32("1 when every shift <= -2: the DSP kernels' short requantisation")
    batches: int = i32("rows of the input")
    depth: int = i32("inputs per batch")
    units: int = i32("outputs per batch")
    per_channel: int = i32("1: one multiplier and shift per unit")
    output_zero_point: int = i32("the output's zero point")
    act_min: int = i32("fused activation clamp, in output units")
    act_max: int = i32("upper end of the clamp")
