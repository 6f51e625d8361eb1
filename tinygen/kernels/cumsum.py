"""The CUMSUM block: running sums of an int8 tensor along one axis, requantised as ADD_N's sum is."""

from __future__ import annotations

from dataclasses import dataclass

from tinygen.kernels.block import ArenaPtr, ParamBlock, i32, ptr


@dataclass(frozen=True)
class CumsumParams(ParamBlock):
    C_NAME = "tg_cumsum_params"
    C_DOC = ("CUMSUM (reference/cumsum.h): along an axis of `depth` elements, the running sum of each (x - zp) << "
             "20 rescaled by the input pair (starting from -zp rescaled, as TFLite Micro does), then the output pair.")

    input: ArenaPtr = ptr("const int8_t *", "before x depth x after")
    output: ArenaPtr = ptr("int8_t *", "shaped as the input")
    before: int = i32("product of the axes before the summed one")
    depth: int = i32("the summed axis")
    after: int = i32("product of the axes after it")
    exclusive: int = i32("1: each output leaves its own element out")
    reverse: int = i32("1: sums run from the end of the axis")
    input_offset: int = i32("-zp of the input")
    input_multiplier: int = i32("the input's rescale")
    input_shift: int = i32("... and its shift")
    output_offset: int = i32("zp of the output")
    output_multiplier: int = i32("the output rescale")
    output_shift: int = i32("... and its shift")
