"""The ADD_N block: the elementwise sum of several int8 tensors quantised alike."""

from __future__ import annotations

from dataclasses import dataclass

from tinygen.kernels.block import ArenaPtr, ParamBlock, PointerList, i32, ptr


@dataclass(frozen=True)
class AddNParams(ParamBlock):
    C_NAME = "tg_add_n_params"
    C_DOC = ("ADD_N (reference/add_n.h): per element, each input (x - zp) << 20 rescaled by the input pair and "
             "summed, starting from -zp rescaled the same way (TFLite Micro's start value), then the output pair.")

    inputs: PointerList = ptr("const int8_t *const *", "each input's first element")
    output: ArenaPtr = ptr("int8_t *", "the sum")
    num_inputs: int = i32("entries in inputs")
    size: int = i32("elements per tensor")
    input_offset: int = i32("-zp of the inputs (all equal)")
    input_multiplier: int = i32("the inputs' rescale")
    input_shift: int = i32("... and its shift")
    output_offset: int = i32("zp of the output")
    output_multiplier: int = i32("the output rescale")
    output_shift: int = i32("... and its shift")
